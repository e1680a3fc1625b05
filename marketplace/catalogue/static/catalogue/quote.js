// The quote builder's running total (progressive enhancement: without JavaScript the total
// shown is the one the server computed for the last selection, and the form works the same).
// Typing a quantity ticks its item; Enter in a quantity box updates the total instead of
// submitting the form half-filled.
(function () {
  "use strict";

  function cents(text) {
    var parts = String(text).split(".");
    return parseInt(parts[0], 10) * 100 + parseInt(((parts[1] || "") + "00").slice(0, 2), 10);
  }

  function money(total) {
    var yuan = String(Math.floor(total / 100)).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return "¥" + yuan + "." + ("0" + (total % 100)).slice(-2);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-quote-form]");
    if (!form) { return; }
    var count = form.querySelector("[data-quote-count]");
    var total = form.querySelector("[data-quote-total]");

    function quantity(box) {
      var input = document.getElementById("qty-" + box.value);
      var value = parseInt(input.value || input.getAttribute("placeholder"), 10);
      return isNaN(value) || value < 1 ? 0 : value;
    }

    function update() {
      var chosen = 0;
      var sum = 0;
      var boxes = form.querySelectorAll("input[name=item]");
      for (var i = 0; i < boxes.length; i++) {
        if (boxes[i].checked) {
          chosen += 1;
          sum += cents(boxes[i].getAttribute("data-price")) * quantity(boxes[i]);
        }
      }
      count.textContent = count.getAttribute("data-template").replace("{n}", chosen);
      total.textContent = money(sum);
    }

    form.addEventListener("input", function (event) {
      var field = event.target;
      if (field.hasAttribute("data-item") && parseInt(field.value, 10) > 0) {
        document.getElementById("item-" + field.getAttribute("data-item")).checked = true;
      }
      update();
    });
    form.addEventListener("change", update);
    form.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && event.target.hasAttribute("data-item")) {
        event.preventDefault();
        update();
      }
    });
    update();
  });
})();
