(function(){
  "use strict";
  var data = JSON.parse(document.getElementById("data").textContent);
  var panel = document.getElementById("evidence");
  var T = data.texts, ORIGINS = data.origins;
  function de(x){ return Number(x).toFixed(2).replace(".", data.decimal); }
  function f(key, values){
    return T[key].replace(/\{(\w+)\}/g, function(m, k){ return k in values ? String(values[k]) : m; });
  }
  function el(tag, cls, text){
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function show(btn){
    var cell = data.cells[btn.getAttribute("data-cell")];
    if (!cell) return;
    var prev = document.querySelectorAll(".cellbtn[aria-pressed=true]");
    for (var i = 0; i < prev.length; i++) prev[i].setAttribute("aria-pressed", "false");
    btn.setAttribute("aria-pressed", "true");
    while (panel.firstChild) panel.removeChild(panel.firstChild);
    panel.appendChild(el("h3", null, cell.city + " \u00d7 " + cell.goal_title));
    var state = cell.ticked ? (cell.verified ? T.state_ticked_verified : T.state_ticked_unverified)
      : (cell.verified ? T.state_rejected : T.state_unticked);
    panel.appendChild(el("p", "summary", (cell.ticked ? "\u2713 " : "") + f("cell_summary", {
      state: state, passages: f(cell.n === 1 ? "passages_one" : "passages_many", {n: cell.n}),
      verified: cell.n_verified})));
    if (cell.probability !== null) panel.appendChild(el("p", "prob",
      f("probability", {p: de(cell.probability)}) + (cell.doubtful ? T.probability_doubt : "")));
    if (cell.fallback) panel.appendChild(el("p", "fallback", T.fallback_note));
    if (!cell.evidence.length) panel.appendChild(el("p", null, T.no_passages));
    cell.evidence.forEach(function(ev){
      var art = el("article", "passage");
      art.appendChild(el("strong", "doc-title", ev.title));
      var src = [ev.source, ev.page,
        ev.confidence === null ? "" : f("confidence", {p: de(ev.confidence)}),
        ev.verified ? data.verified : (ORIGINS[ev.origin] || ev.origin)].filter(function(x){ return x; }).join(" \u00b7 ");
      art.appendChild(el("div", "src", src));
      art.appendChild(el("blockquote", "text", ev.text));
      panel.appendChild(art);
    });
    if (cell.near.length) {
      panel.appendChild(el("h4", null, T.near));
      cell.near.forEach(function(ev){
        var art = el("article", "passage near");
        art.appendChild(el("strong", "doc-title", ev.title));
        art.appendChild(el("div", "src", [ev.source, ev.page,
          f("confidence", {p: de(ev.confidence)})].filter(function(x){ return x; }).join(" · ")));
        art.appendChild(el("blockquote", "text", ev.text));
        panel.appendChild(art);
      });
    }
  }
  var btns = document.querySelectorAll(".cellbtn");
  for (var i = 0; i < btns.length; i++) {
    btns[i].addEventListener("click", function(e){ show(e.currentTarget); });
  }
})();
