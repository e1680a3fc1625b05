// Progressive enhancement only: every control works without JavaScript.
(function () {
  "use strict";
  var COOKIE = "platform_large_text";

  function setCookie(value) {
    var secure = window.location.protocol === "https:" ? "; Secure" : "";
    document.cookie = COOKIE + "=" + value + "; Max-Age=31536000; Path=/; SameSite=Lax" + secure;
  }

  // A wide table scrolls sideways inside its box (.table-wrap) on a phone. A keyboard user can
  // only scroll a box that takes focus (WCAG 2.1.1; axe "scrollable-region-focusable"), so a
  // box that overflows becomes a focusable region named after its table, and stops being one
  // when it fits again (a box that fits needs no extra tab stop).
  var SCROLL_NAME = { zh: "表格（可左右滚动）", en: "Table (scrolls sideways)" };

  function nameOf(wrap) {
    var caption = wrap.querySelector("caption");
    if (caption && caption.textContent.trim()) { return caption.textContent.trim(); }
    var table = wrap.querySelector("table[aria-label]");
    if (table) { return table.getAttribute("aria-label"); }
    for (var node = wrap; node && node !== document.body; node = node.parentElement) {
      for (var sibling = node.previousElementSibling; sibling; sibling = sibling.previousElementSibling) {
        var heading = /^H[1-4]$/.test(sibling.tagName) ? sibling : sibling.querySelector("h1, h2, h3, h4");
        if (heading && heading.textContent.trim()) { return heading.textContent.trim(); }
      }
    }
    return (document.documentElement.lang || "zh").indexOf("en") === 0 ? SCROLL_NAME.en : SCROLL_NAME.zh;
  }

  function markScrollableTables() {
    var wraps = document.querySelectorAll(".table-wrap");
    for (var i = 0; i < wraps.length; i++) {
      var wrap = wraps[i];
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      if (scrolls && !wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", nameOf(wrap));
        wrap.setAttribute("data-scroll-region", "");
      } else if (!scrolls && wrap.hasAttribute("data-scroll-region")) {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
        wrap.removeAttribute("data-scroll-region");
      }
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    markScrollableTables();
    var pending;
    window.addEventListener("resize", function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(markScrollableTables, 150);
    });
  });

  // In large-text mode the main navigation is one row that scrolls sideways: bring the current
  // section's link into sight.
  function showCurrentSection() {
    var current = document.querySelector(".main-nav a[aria-current]");
    if (!current) { return; }
    var row = current.closest("ul");
    var left = current.getBoundingClientRect().left - row.getBoundingClientRect().left + row.scrollLeft;
    row.scrollLeft = Math.max(0, left - (row.clientWidth - current.offsetWidth) / 2);
  }

  document.addEventListener("DOMContentLoaded", function () {
    showCurrentSection();
    var form = document.querySelector("[data-large-text-form]");
    if (!form) { return; }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var root = document.documentElement;
      var on = !root.classList.contains("large-text");
      root.classList.toggle("large-text", on);
      setCookie(on ? "1" : "0");
      var button = form.querySelector("[data-large-text-toggle]");
      button.setAttribute("aria-pressed", on ? "true" : "false");
      form.querySelector("input[name=large_text]").value = on ? "0" : "1";
      // The header's menu folds away in large-text mode, as the server renders it.
      var menu = document.querySelector("[data-header-menu]");
      if (menu) { menu.open = !on; }
      markScrollableTables();
      showCurrentSection();
    });
  });
})();
