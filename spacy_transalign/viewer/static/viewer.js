/* spacy-transalign viewer: draws projection records (see records.py) in the browser.
   Every string goes in as text (textContent), never as markup. */
(function () {
  "use strict";
  if (window.transalignView) return;
  var SVGNS = "http://www.w3.org/2000/svg";

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  function labelTag(label, colors) {
    var tag = el("span", "ta-label", label);
    tag.style.background = colors[label] || "#ddd";
    return tag;
  }

  function token(tokens, t, side, query) {
    var s = el("span", "ta-tok", tokens[t]);
    s.setAttribute("data-side", side);
    s.setAttribute("data-i", String(t));
    if (query && tokens[t].toLowerCase().indexOf(query) >= 0) s.classList.add("ta-hit");
    return s;
  }

  function row(tokens, ents, dir, side, colors, query) {
    var r = el("div", "ta-row ta-" + side);
    r.setAttribute("dir", dir);
    var starts = {};
    ents.forEach(function (e) { starts[e[0]] = e; });
    var k = 0;
    while (k < tokens.length) {
      var e = starts[k];
      if (e && e[1] > k) {
        var box = el("span", "ta-ent");
        box.style.background = colors[e[2]] || "#ddd";
        box.setAttribute("data-label", e[2]);
        for (var t = e[0]; t < e[1]; t++) box.appendChild(token(tokens, t, side, query));
        box.appendChild(el("span", "ta-label", e[2]));
        r.appendChild(box);
        k = e[1];
      } else {
        r.appendChild(token(tokens, k, side, query));
        k += 1;
      }
    }
    return r;
  }

  function reasonClass(reason) {
    if (/^projected/.test(reason || "")) return "ta-ok";
    if (/^dropped|lost|^skipped/.test(reason || "")) return "ta-drop";
    return "ta-other";
  }

  function outcomes(rec, colors) {
    var ul = el("ul", "ta-outcomes");
    var reverse = rec.direction === "from_translation";
    var from = reverse ? rec.tgt : rec.src, to = reverse ? rec.src : rec.tgt;
    rec.outcomes.forEach(function (o) {
      var li = el("li");
      var text = o.text || (o.source ? from.slice(o.source[0], o.source[1]).join(" ") : "");
      li.appendChild(el("b", null, text));
      li.appendChild(document.createTextNode(" "));
      li.appendChild(labelTag(o.label || "?", colors));
      li.appendChild(document.createTextNode(" \u2192 " + (o.target ? to.slice(o.target[0], o.target[1]).join(" ") : "\u2205")));
      li.appendChild(el("span", "ta-reason " + reasonClass(o.reason), o.reason || ""));
      ul.appendChild(li);
    });
    return ul;
  }

  function renderDoc(rec, colors, query) {
    var d = el("div", "ta-doc");
    d.setAttribute("data-doc", String(rec.i));
    d.appendChild(el("div", "ta-head", "#" + rec.i + "  " + rec.src_lang + " \u2192 " + rec.tgt_lang +
      "  \u00b7  " + rec.links.length + " links  \u00b7  " + rec.outcomes.length + " entities"));
    var scroll = el("div", "ta-scroll"), inner = el("div", "ta-inner");
    inner.appendChild(row(rec.src, rec.src_ents, rec.src_dir, "src", colors, query));
    inner.appendChild(el("div", "ta-gap"));
    inner.appendChild(row(rec.tgt, rec.tgt_ents, rec.tgt_dir, "tgt", colors, query));
    var svg = document.createElementNS(SVGNS, "svg");
    svg.setAttribute("class", "ta-links");
    inner.appendChild(svg);
    scroll.appendChild(inner);
    d.appendChild(scroll);
    d.appendChild(outcomes(rec, colors));
    d._taRecord = rec;
    return d;
  }

  function drawLinks(d) {
    var rec = d._taRecord, inner = d.querySelector(".ta-inner"), svg = d.querySelector("svg.ta-links");
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var base = inner.getBoundingClientRect();
    svg.setAttribute("width", String(inner.scrollWidth));
    svg.setAttribute("height", String(inner.scrollHeight));
    var src = inner.querySelectorAll(".ta-src .ta-tok"), tgt = inner.querySelectorAll(".ta-tgt .ta-tok");
    rec.links.forEach(function (l) {
      var a = src[l[0]], b = tgt[l[1]];
      if (!a || !b) return;
      var ra = a.getBoundingClientRect(), rb = b.getBoundingClientRect();
      var line = document.createElementNS(SVGNS, "line");
      line.setAttribute("x1", String(ra.left + ra.width / 2 - base.left));
      line.setAttribute("y1", String(ra.bottom - base.top));
      line.setAttribute("x2", String(rb.left + rb.width / 2 - base.left));
      line.setAttribute("y2", String(rb.top - base.top));
      line.setAttribute("stroke-opacity", String(l[2] === null ? 0.6 : Math.max(0.15, Math.min(1, l[2]))));
      line.setAttribute("data-src", String(l[0]));
      line.setAttribute("data-tgt", String(l[1]));
      svg.appendChild(line);
    });
  }

  function renderInto(container, records, colors, query) {
    var docs = records.map(function (rec) {
      var d = renderDoc(rec, colors, query);
      container.appendChild(d);
      return d;
    });
    docs.forEach(drawLinks);
    return docs;
  }

  function report(root, records, colors, pageSize) {
    var outcomeSel = root.querySelector("select[name=outcome]"), labelSel = root.querySelector("select[name=label]");
    var search = root.querySelector("input[name=search]"), list = root.querySelector(".ta-list");
    var info = root.querySelector(".ta-info"), prev = root.querySelector("button[name=prev]"), next = root.querySelector("button[name=next]");
    var reasons = {}, labels = {};
    records.forEach(function (r) {
      r.outcomes.forEach(function (o) { reasons[o.reason] = true; });
      r.src_ents.concat(r.tgt_ents).forEach(function (e) { labels[e[2]] = true; });
    });
    Object.keys(reasons).sort().forEach(function (k) { outcomeSel.appendChild(el("option", null, k)).value = k; });
    Object.keys(labels).sort().forEach(function (k) { labelSel.appendChild(el("option", null, k)).value = k; });
    var shown = records, page = 0, query = "";
    function matches(rec) {
      var o = outcomeSel.value, l = labelSel.value;
      if (o && !rec.outcomes.some(function (x) { return x.reason === o; })) return false;
      if (l && !rec.src_ents.concat(rec.tgt_ents).some(function (e) { return e[2] === l; })) return false;
      if (query && !rec.src.concat(rec.tgt).some(function (t) { return t.toLowerCase().indexOf(query) >= 0; })) return false;
      return true;
    }
    function draw() {
      list.textContent = "";
      var pages = Math.max(1, Math.ceil(shown.length / pageSize));
      page = Math.min(page, pages - 1);
      renderInto(list, shown.slice(page * pageSize, (page + 1) * pageSize), colors, query);
      info.textContent = shown.length + " of " + records.length + " Docs \u00b7 page " + (page + 1) + " of " + pages;
      prev.disabled = page === 0;
      next.disabled = page >= pages - 1;
    }
    function update() {
      query = search.value.trim().toLowerCase();
      shown = records.filter(matches);
      page = 0;
      draw();
    }
    outcomeSel.addEventListener("change", update);
    labelSel.addEventListener("change", update);
    search.addEventListener("input", update);
    prev.addEventListener("click", function () { page -= 1; draw(); });
    next.addEventListener("click", function () { page += 1; draw(); });
    window.addEventListener("resize", function () { Array.prototype.forEach.call(list.children, drawLinks); });
    draw();
  }

  window.transalignView = { renderInto: renderInto, report: report, drawLinks: drawLinks };
})();
