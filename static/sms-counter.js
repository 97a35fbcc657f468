// Live SMS counter: the same GSM 03.38 rules as newsletter/sms/parts.py and text.py (the
// server computes the same figures on every submit, so the form works without this script).
// Also inserts a merge tag at the cursor instead of submitting the form.
(function () {
  "use strict";
  var BASIC = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  var EXTENSION = "\f^{}\\[~]|€";
  var FROM = "áčďíĺľňóôŕšťúýžěřůÁČĎÍĹĽŇÓÔŔŠŤÚÝŽĚŘŮ„“”‚‘’–—\u00a0";
  var TO = "acdillnoorstuyzeruACDILLNOORSTUYZERU\"\"\"'''-- ";
  var SINGLE = {gsm7: 160, ucs2: 70}, CONCAT = {gsm7: 153, ucs2: 67}, MAX_PARTS = 3;

  function transliterate(text) {
    var out = "";
    for (var ch of text) {
      var i = FROM.indexOf(ch);
      out += ch === "…" ? "..." : (i >= 0 ? TO[i] : ch);
    }
    return out;
  }

  function compose(text, fold, optOut) {
    text = text.replace(/\s+$/, "");
    optOut = optOut.trim();
    if (optOut) { text = text ? text + "\n" + optOut : optOut; }
    return fold ? transliterate(text) : text;
  }

  function split(text) {
    var chars = Array.from(text), forced = [];
    chars.forEach(function (c) {
      if (BASIC.indexOf(c) < 0 && EXTENSION.indexOf(c) < 0 && forced.indexOf(c) < 0) {
        forced.push(c);
      }
    });
    var enc = forced.length ? "ucs2" : "gsm7";
    var costs = chars.map(function (c) {
      if (enc === "gsm7") { return EXTENSION.indexOf(c) >= 0 ? 2 : 1; }
      return c.codePointAt(0) > 0xffff ? 2 : 1;
    });
    var units = costs.reduce(function (a, b) { return a + b; }, 0), parts = 0;
    if (chars.length === 0) { parts = 0; }
    else if (units <= SINGLE[enc]) { parts = 1; }
    else {
      var used = 0; parts = 1;
      costs.forEach(function (cost) {
        if (used + cost > CONCAT[enc]) { parts += 1; used = 0; }
        used += cost;
      });
    }
    return {characters: chars.length, units: units, encoding: enc, parts: parts,
            forced: forced};
  }

  function setup() {
    var form = document.getElementById("sms-form");
    if (!form) { return; }
    var text = form.querySelector("#text"), fold = form.querySelector("#transliterate");
    var optOut = form.querySelector("#opt_out"), counter = document.getElementById("sms-counter");
    function show(name, value) {
      counter.querySelector("[data-count=" + name + "]").textContent = value;
    }
    function toggle(name, visible) {
      counter.querySelector("[data-count=" + name + "]").hidden = !visible;
    }
    function update() {
      var plain = split(compose(text.value, false, optOut.value));
      var folded = split(compose(text.value, true, optOut.value));
      var sent = fold.checked ? folded : plain;
      show("characters", sent.characters);
      show("parts", sent.parts);
      show("encoding", sent.encoding === "gsm7" ? "GSM-7" : "UCS-2");
      show("per_part", sent.parts <= 1 ? SINGLE[sent.encoding] : CONCAT[sent.encoding]);
      show("forced_chars", sent.forced.join(" "));
      toggle("forced", sent.forced.length > 0);
      show("saved", plain.parts - folded.parts);
      toggle("saving", plain.parts - folded.parts > 0);
      toggle("over", sent.parts > MAX_PARTS);
    }
    [text, optOut].forEach(function (el) { el.addEventListener("input", update); });
    fold.addEventListener("change", update);
    var add = document.getElementById("add-tag"), tag = form.querySelector("#tag");
    add.addEventListener("click", function (event) {
      event.preventDefault();
      var start = text.selectionStart, end = text.selectionEnd;
      text.value = text.value.slice(0, start) + tag.value + text.value.slice(end);
      text.focus();
      text.selectionStart = text.selectionEnd = start + tag.value.length;
      update();
    });
    update();
  }
  document.addEventListener("DOMContentLoaded", setup);
})();
