// Live checks (S9 pre-checks, B1 eligibility): they run again as the applicant types (progressive
// enhancement: without JavaScript they run when the form is saved). The server answers with the checks as HTML.
(function () {
  "use strict";
  var form = document.querySelector("form[data-precheck-url]");
  if (!form || !window.fetch) { return; }
  var region = form.querySelector("[data-precheck-region]");
  var timer = null;
  var latest = 0;

  function run() {
    var body = new FormData(form);
    var ticket = ++latest;
    fetch(form.getAttribute("data-precheck-url"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      if (html !== null && ticket === latest) { region.innerHTML = html; }
    }).catch(function () { /* the checks run again on save */ });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(run, 500);
  }

  // True when something was typed (or autofilled) before this deferred script ran.
  function edited() {
    return Array.prototype.some.call(form.elements, function (field) {
      if (field.type === "checkbox" || field.type === "radio") { return field.checked !== field.defaultChecked; }
      if (field.tagName === "SELECT") {
        return Array.prototype.some.call(field.options, function (o) { return o.selected !== o.defaultSelected; });
      }
      return "defaultValue" in field && field.type !== "hidden" && field.value !== field.defaultValue;
    });
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
  if (edited()) { later(); }
})();
