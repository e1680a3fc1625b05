// The error summary (templates/includes/error_summary.html) takes the focus when the page
// loads, so a screen reader reads it and a phone shows it first (GOV.UK pattern). Without
// JavaScript it is still the first thing in the content, straight after the heading.
// A link in it moves to its field and brings the field's label into view with it.
(function () {
  "use strict";

  function labelFor(field) {
    var fieldset = field.closest("fieldset");
    if (fieldset && fieldset.querySelector("legend") && field.type && /^(radio|checkbox)$/.test(field.type)) {
      return fieldset.querySelector("legend");
    }
    return (field.id && document.querySelector('label[for="' + field.id + '"]')) || field;
  }

  function init() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) { return; }
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var field = document.getElementById(decodeURIComponent(link.getAttribute("href").slice(1)));
      if (!field) { return; }
      event.preventDefault();
      labelFor(field).scrollIntoView();
      field.focus({ preventScroll: true });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
