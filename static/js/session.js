// Idle-session warning: two minutes before the server would log the user out,
// show a notice with a "stay logged in" button that pings the server.
(function () {
  "use strict";
  var box = document.getElementById("session-warning");
  if (!box) { return; }
  var idle = parseInt(box.getAttribute("data-idle-seconds"), 10) * 1000;
  var warnAt = Math.max(idle - 120000, 0);
  var warnTimer, logoutTimer;

  function schedule() {
    clearTimeout(warnTimer);
    clearTimeout(logoutTimer);
    box.hidden = true;
    warnTimer = setTimeout(function () {
      box.hidden = false;
      box.querySelector("button").focus();
    }, warnAt);
    logoutTimer = setTimeout(function () {
      window.location.href = box.getAttribute("data-login-url");
    }, idle);
  }

  box.querySelector("[data-session-keepalive]").addEventListener("click", function () {
    var token = box.querySelector("input[name=csrfmiddlewaretoken]").value;
    fetch(box.getAttribute("data-keepalive-url"), {
      method: "POST", headers: { "X-CSRFToken": token }, credentials: "same-origin"
    }).then(function (response) {
      if (response.status === 204) { schedule(); } else { window.location.href = box.getAttribute("data-login-url"); }
    });
  });
  schedule();
}());
