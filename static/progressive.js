// Show a field only when the control it depends on has one of the values that use it (issue 17, item 7).
// Markup: <div data-show-when="kind" data-values="part2 part2_tpo">...</div>. Without JavaScript every field
// is shown, each label saying when it applies; a hidden field keeps what was typed and is still sent.
(function () {
  "use strict";
  var dependents = document.querySelectorAll("[data-show-when]");
  if (!dependents.length) { return; }
  function valueOf(name) {
    var control = document.querySelector("[name='" + name + "']");
    return control ? control.value : "";
  }
  function update() {
    dependents.forEach(function (el) {
      var wanted = (el.getAttribute("data-values") || "").split(" ");
      el.hidden = wanted.indexOf(valueOf(el.getAttribute("data-show-when"))) === -1;
    });
  }
  var names = {};
  dependents.forEach(function (el) { names[el.getAttribute("data-show-when")] = true; });
  Object.keys(names).forEach(function (name) {
    var control = document.querySelector("[name='" + name + "']");
    if (control) { control.addEventListener("change", update); }
  });
  update();
})();
