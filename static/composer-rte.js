// Text blocks edited as rich text (Quill, vendored): bold, italic, links, lists and
// headings, written as HTML into the block's own text area, which stays the form field
// (without JavaScript it is the editor). "HTML view" shows that text area instead. Text
// whose HTML the editor cannot show opens in the HTML view, so nothing is dropped unasked.
(function () {
  "use strict";
  if (!window.Quill) return;
  var FORMATS = ["bold", "italic", "link", "list", "indent", "header"];
  // what the editor shows without loss: these tags, with these attributes
  var TAGS = {P: [], BR: [], STRONG: [], B: [], EM: [], I: [], A: ["href", "target", "rel"],
              UL: [], OL: [], LI: ["data-list", "class"], H2: [], H3: [], SPAN: ["class", "contenteditable"]};
  // Tab and Shift+Tab leave the editor, as in every other field (Quill would insert a tab
  // or indent, and a keyboard user could not get out)
  var NO_TAB = {tab: null, indent: null, outdent: null, "remove tab": null};
  var ENTITIES = {"&quot;": '"', "&#39;": "'", "&lt;": "<", "&gt;": ">", "&amp;": "&"};

  function representable(html) {
    var body = new DOMParser().parseFromString("<body>" + html, "text/html").body;
    for (var i = 0; i < body.childNodes.length; i++) {  // loose text: a merge-tag block
      var top = body.childNodes[i];
      if (top.nodeType === 3 && top.textContent.trim()) return false;
    }
    return Array.prototype.every.call(body.querySelectorAll("*"), function (el) {
      var allowed = TAGS[el.tagName];
      return allowed && Array.prototype.every.call(el.attributes, function (a) {
        return allowed.indexOf(a.name) >= 0 && (a.name !== "class" || /^(ql-[\w-]+\s*)+$/.test(a.value));
      });
    });
  }

  // Quill writes every space as &nbsp; and escapes quotes: mail needs ordinary spaces (to
  // wrap lines) and merge tags need their quotes ({{ name | default("friend") }})
  function html(quill) {
    if (!quill.getText().trim()) return "";
    return quill.getSemanticHTML().replace(/&nbsp;/g, " ")
      .replace(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}|\{#[\s\S]*?#\}/g, function (tag) {
        return tag.replace(/&(quot|#39|lt|gt|amp);/g, function (e) { return ENTITIES[e]; });
      });
  }

  function enhance(box) {
    var area = document.getElementById(box.getAttribute("data-rte-for"));
    if (!area || box.dataset.ready) return;
    box.dataset.ready = "1";
    var label = document.getElementById(area.id + "-label");
    var toggle = box.querySelector(".rte-toggle");
    var note = box.querySelector(".rte-note");
    var holder = document.createElement("div");
    box.appendChild(holder);
    var toolbar = box.querySelector(".rte-toolbar");  // the page's, with translated names
    var quill = new window.Quill(holder, {theme: "snow", formats: FORMATS, bounds: box,
                                          modules: {toolbar: toolbar, keyboard: {bindings: NO_TAB}}});
    var editor = quill.root;
    editor.setAttribute("role", "textbox");
    editor.setAttribute("aria-multiline", "true");
    // the heading picker Quill builds from the select: its name on the part that is a button
    toolbar.querySelectorAll(".ql-picker[aria-label]").forEach(function (picker) {
      var button = picker.querySelector(".ql-picker-label");
      if (button) button.setAttribute("aria-label", picker.getAttribute("aria-label"));
      picker.removeAttribute("aria-label");
    });
    var address = quill.theme.tooltip && quill.theme.tooltip.textbox;
    if (address) {
      address.setAttribute("aria-label", box.getAttribute("data-link-label"));
      address.setAttribute("data-link", "https://");
    }
    var wrap = [toolbar, holder];

    function load() {
      quill.setContents(quill.clipboard.convert({html: area.value}), "silent");
      quill.history.clear();
    }
    function show(asHtml) {  // one of the two is labelled "Text N" and shown at a time
      toggle.setAttribute("aria-pressed", asHtml ? "true" : "false");
      area.hidden = !asHtml;
      wrap.forEach(function (el) { el.hidden = asHtml; });
      if (asHtml) {
        editor.removeAttribute("aria-labelledby");
        if (label) label.setAttribute("for", area.id);
      } else {
        if (label) label.removeAttribute("for");
        editor.setAttribute("aria-labelledby", area.id + "-label");
      }
    }
    quill.on("text-change", function (delta, old, source) {
      if (source === "silent") return;
      area.value = html(quill);
      area.dispatchEvent(new Event("input", {bubbles: true}));  // preview and autosave
    });
    if (label) label.addEventListener("click", function () { if (area.hidden) quill.focus(); });
    toggle.addEventListener("click", function () {
      if (area.hidden) { show(true); area.focus(); return; }
      if (!representable(area.value) && !window.confirm(box.getAttribute("data-lossy"))) return;
      load();
      note.hidden = true;
      show(false);
      quill.focus();
    });
    if (representable(area.value)) {
      load();
      show(false);
    } else {
      note.hidden = false;
      show(true);
    }
  }

  function enhanceAll() {
    document.querySelectorAll(".rte[data-rte-for]").forEach(enhance);
  }
  document.body.addEventListener("htmx:afterSwap", enhanceAll);  // blocks re-rendered
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", enhanceAll);
  } else {
    enhanceAll();
  }
})();
