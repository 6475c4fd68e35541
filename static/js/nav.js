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

// Should the bar still not fit on one row (a longer translation, a wider font),
// the last items move into "More" rather than wrapping the bar onto a second row.
(function () {
  "use strict";
  var list = document.querySelector(".mainnav__list");
  var more = list && list.querySelector(".mainnav__more");
  if (!more || window.innerWidth < 768) { return; }
  var menu = more.querySelector("ul");
  var oneRow = function () { return more.offsetTop <= list.firstElementChild.offsetTop; };
  while (!oneRow() && more.previousElementSibling && more.previousElementSibling !== list.firstElementChild) {
    menu.insertBefore(more.previousElementSibling, menu.firstElementChild);
  }
})();
