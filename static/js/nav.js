// The "More" menu of the main bar is a <details> element, so it works with the
// keyboard and without JavaScript; this closes it on Escape or a click elsewhere.
(function () {
  "use strict";
  var menu = document.querySelector("[data-nav-more]");
  if (!menu) { return; }
  document.addEventListener("click", function (event) {
    if (menu.open && !menu.contains(event.target)) { menu.open = false; }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && menu.open) {
      menu.open = false;
      menu.querySelector("summary").focus();
    }
  });
})();
