// Idle timeout: warn a minute before the server ends the session, then go to the sign-in page.
(function () {
  "use strict";
  var body = document.body;
  var minutes = parseInt(body.getAttribute("data-idle-minutes") || "0", 10);
  if (!minutes) { return; }
  var idleMs = minutes * 60 * 1000;
  var warnMs = Math.max(idleMs - 60 * 1000, idleMs / 2);
  var box = document.getElementById("idle-warning");
  var secondsEl = document.getElementById("idle-seconds");
  var stay = document.getElementById("idle-stay");
  var started = Date.now();
  var timer = null;

  function csrfToken() {
    var input = document.querySelector("input[name=csrf_token]");
    return input ? input.value : "";
  }
  function tick() {
    var elapsed = Date.now() - started;
    if (elapsed >= idleMs) {
      window.location.assign(body.getAttribute("data-idle-url"));
      return;
    }
    if (elapsed >= warnMs) {
      box.hidden = false;
      secondsEl.textContent = String(Math.ceil((idleMs - elapsed) / 1000));
      if (document.activeElement !== stay) { stay.focus(); }
    }
  }
  stay.addEventListener("click", function () {
    fetch(body.getAttribute("data-keepalive-url"), {
      method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrfToken() }
    }).then(function (r) {
      if (r.ok) { started = Date.now(); box.hidden = true; } else { window.location.assign(body.getAttribute("data-idle-url")); }
    });
  });
  timer = window.setInterval(tick, 1000);
})();
// Print buttons (no inline handlers: the CSP forbids them).
document.addEventListener("click", function (event) {
  var target = event.target;
  if (target && target.hasAttribute && target.hasAttribute("data-print")) { window.print(); }
});
// Emergency-access countdown.
(function () {
  var banner = document.querySelector("[data-expires]");
  if (!banner) { return; }
  var ends = Date.parse(banner.getAttribute("data-expires"));
  var out = banner.querySelector("[data-countdown]");
  function tick() {
    var left = Math.max(0, Math.round((ends - Date.now()) / 1000));
    out.textContent = Math.floor(left / 60) + " min " + (left % 60) + " s";
    if (left === 0) { window.location.reload(); }
  }
  tick();
  window.setInterval(tick, 1000);
})();
