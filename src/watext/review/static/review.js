// Keyboard shortcuts of the review card and queue (forms work without this script).
(function () {
  "use strict";
  function typing(el) {
    if (!el) return false;
    var t = el.tagName;
    return t === "TEXTAREA" || t === "SELECT" ||
      (t === "INPUT" && el.type !== "checkbox" && el.type !== "radio" && el.type !== "submit");
  }
  function click(id) {
    var el = document.getElementById(id);
    if (el && !el.disabled) { el.click(); return true; }
    return false;
  }
  var busy = false;
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "Escape" && typing(document.activeElement)) { document.activeElement.blur(); return; }
    if (typing(e.target)) return;
    var k = e.key, done = false;
    if (/^[1-6]$/.test(k)) {
      var cb = document.getElementById("goal-" + k);
      if (cb) { cb.checked = !cb.checked; done = true; }
    } else if (busy) {
      return;
    } else if (k === "a") { done = click("save-btn"); busy = done; }
    else if (k === "s") { done = click("skip-link"); }
    else if (k === "u") { done = click("undo-btn"); busy = done; }
    else if (k === "b") { done = click("back-link"); }
    else if (k === "Enter" && document.getElementById("start") && e.target === document.body) { done = click("start"); }
    if (done) e.preventDefault();
  });
})();
