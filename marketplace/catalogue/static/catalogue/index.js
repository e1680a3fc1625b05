// The catalogue on a phone (progressive enhancement: without JavaScript the filters stay open
// and the compare button sits under the list, as before).
// - The filters fold behind 筛选 on a narrow screen, so the providers start on the first screen;
//   the button says how many filters are in use. A form with errors stays open.
// - Once a provider is ticked for comparison, a bar stays at the bottom of the screen:
//   "已选 2 家 · 比较".
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var panel = document.querySelector("[data-collapse-on-phone]");
    if (panel && !panel.hasAttribute("data-keep-open") && window.matchMedia("(max-width: 720px)").matches) {
      panel.removeAttribute("open");
    }
    var form = document.querySelector("[data-compare-form]");
    var bar = form && form.querySelector("[data-compare-bar]");
    if (!bar) { return; }
    var count = bar.querySelector("[data-compare-count]");
    function update() {
      var ticked = form.querySelectorAll("input[name=p]:checked").length;
      bar.hidden = ticked === 0;
      count.textContent = count.getAttribute("data-template").replace("{n}", ticked);
    }
    form.addEventListener("change", update);
    update();
  });
})();
