// The consent form: only the purposes the chosen partner's agreement covers can
// be ticked. Without JavaScript the partner's label lists them and the server
// refuses the others.
(function () {
  "use strict";
  var data = document.getElementById("consent-purposes");
  var form = document.getElementById("consent-form");
  if (!data || !form) { return; }
  var purposes = JSON.parse(data.textContent);
  var partners = form.querySelectorAll("input[name=partner]");
  var boxes = form.querySelectorAll("input[name=scopes]");
  function update() {
    var chosen = form.querySelector("input[name=partner]:checked");
    var covered = chosen ? (purposes[chosen.value] || []) : [];
    boxes.forEach(function (box) {
      var ok = covered.indexOf(box.value) !== -1;
      box.disabled = !ok;
      if (!ok) { box.checked = false; }
      box.closest("label, div").classList.toggle("is-disabled", !ok);
    });
  }
  // Sharing the record now only makes sense when the consent covers the record.
  var shareNow = document.getElementById("share_now");
  var records = form.querySelector("input[name=scopes][value=client_records]");
  function updateShare() {
    if (shareNow && records) { shareNow.disabled = !records.checked; }
  }
  partners.forEach(function (p) {
    p.addEventListener("change", function () { update(); updateShare(); });
  });
  boxes.forEach(function (box) { box.addEventListener("change", updateShare); });
  update();
  updateShare();
})();
