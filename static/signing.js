// The signature pad: pointer events draw on the canvas; the drawing is sent as a PNG data URL.
(function () {
  "use strict";
  var form = document.getElementById("sign-form");
  var canvas = document.getElementById("signature-pad");
  if (!form || !canvas) { return; }
  var field = document.getElementById("pad-field");
  var image = document.getElementById("image");
  var clear = document.getElementById("pad-clear");
  var ctx = canvas.getContext("2d");
  var drawing = false;
  var inked = false;

  function method() {
    var chosen = form.querySelector("input[name=method]:checked");
    return chosen ? chosen.value : "typed";
  }
  function show() { field.hidden = method() !== "drawn"; }
  function at(event) {
    var box = canvas.getBoundingClientRect();
    return { x: (event.clientX - box.left) * canvas.width / box.width,
             y: (event.clientY - box.top) * canvas.height / box.height };
  }
  ctx.lineWidth = 3;
  ctx.lineCap = "round";
  ctx.strokeStyle = "#000";
  canvas.addEventListener("pointerdown", function (event) {
    drawing = true;
    canvas.setPointerCapture(event.pointerId);
    var p = at(event);
    ctx.beginPath();
    ctx.moveTo(p.x, p.y);
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!drawing) { return; }
    var p = at(event);
    ctx.lineTo(p.x, p.y);
    ctx.stroke();
    inked = true;
  });
  function stop() { drawing = false; }
  canvas.addEventListener("pointerup", stop);
  canvas.addEventListener("pointercancel", stop);
  clear.addEventListener("click", function () {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    inked = false;
  });
  form.querySelectorAll("input[name=method]").forEach(function (input) { input.addEventListener("change", show); });
  form.addEventListener("submit", function () {
    image.value = method() === "drawn" && inked ? canvas.toDataURL("image/png") : "";
  });
  show();
}());
