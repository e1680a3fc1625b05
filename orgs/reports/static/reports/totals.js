/* Annual report: the sums of the parts, recomputed as the user types (progressive
   enhancement: the server renders the same sums on load, on save and on the check page).
   Amounts are parsed as whole fen (BigInt), never as floats, so 0.1 + 0.2 is 0.30. */
(function () {
  "use strict";
  var MONEY = /^(\d+)(?:\.(\d{0,2}))?$/;

  function toFen(text) {
    var clean = text.replace(/[,\s，]/g, "");
    if (clean === "") return BigInt(0);
    var match = MONEY.exec(clean);
    if (!match) return null;
    return BigInt(match[1]) * BigInt(100) + BigInt((match[2] || "").padEnd(2, "0"));
  }

  function format(fen) {
    var yuan = (fen / BigInt(100)).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return yuan + "." + (fen % BigInt(100)).toString().padStart(2, "0");
  }

  function update(form, region) {
    var sum = BigInt(0);
    var valid = true;
    region.getAttribute("data-parts").split(" ").forEach(function (name) {
      var input = form.elements[name];
      var fen = input ? toFen(input.value) : BigInt(0);
      if (fen === null) valid = false;
      else sum += fen;
    });
    var totalInput = form.elements[region.getAttribute("data-total-for")];
    var typed = totalInput ? toFen(totalInput.value) : null;
    var text = valid ? format(sum) : "—";
    var out = region.querySelector("[data-sum]");
    if (out.textContent !== text) out.textContent = text;
    var mismatch = valid && typed !== null && typed !== sum;
    region.querySelector("[data-mismatch]").hidden = !mismatch;
    region.classList.toggle("mismatch", mismatch);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form.report-form");
    if (!form || typeof BigInt !== "function") return;
    var regions = Array.prototype.slice.call(form.querySelectorAll("[data-total-for]"));
    if (!regions.length) return;
    function all() {
      regions.forEach(function (region) { update(form, region); });
    }
    form.addEventListener("input", all);
    form.addEventListener("change", all);
    all();
  });
})();
