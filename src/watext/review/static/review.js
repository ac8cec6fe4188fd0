// Keyboard shortcuts of the review card and queue, and the help overlay ("?")
// (forms work without this script).
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
  function help(show) {
    var box = document.getElementById("help");
    if (!box) return false;
    box.hidden = !show;
    if (show) { var inner = box.querySelector(".help-box"); inner.scrollTop = 0; inner.focus({ preventScroll: true }); }
    return true;
  }
  function helpOpen() {
    var box = document.getElementById("help");
    return !!box && !box.hidden;
  }
  document.addEventListener("click", function (e) {
    var t = e.target.closest ? e.target.closest("button") : null;
    if (t && t.id === "help-open") { help(true); }
    else if (t && t.id === "help-close") { help(false); }
  });
  var busy = false;
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (helpOpen()) {  // the overlay takes every key; ? or Esc closes it
      if (e.key === "?" || e.key === "Escape") { help(false); e.preventDefault(); }
      return;
    }
    if (e.key === "Escape" && typing(document.activeElement)) { document.activeElement.blur(); return; }
    if (typing(e.target)) return;
    var k = e.key, done = false;
    if (k === "?") {
      done = help(true);
    } else if (/^[1-6]$/.test(k)) {
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
