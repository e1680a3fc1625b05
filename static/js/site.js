// Progressive enhancement only: every control works without JavaScript.
(function () {
  "use strict";
  var COOKIE = "platform_large_text";

  function setCookie(value) {
    var secure = window.location.protocol === "https:" ? "; Secure" : "";
    document.cookie = COOKIE + "=" + value + "; Max-Age=31536000; Path=/; SameSite=Lax" + secure;
  }

  document.addEventListener("DOMContentLoaded", function () {
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
    });
  });
})();
