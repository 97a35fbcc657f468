// Composer: blocks added, moved and removed without a reload (htmx swaps in the blocks the
// server renders; the buttons stay ordinary submits without JavaScript), drag and drop
// (SortableJS; the Up/Down buttons remain the keyboard way), the subject and preheader as
// an inbox lists them, and autosave with its status.
(function () {
  "use strict";
  var form = document.querySelector(".composer") && document.querySelector(".composer").closest("form");
  if (!form) return;
  var status = document.getElementById("blocks-status");
  var words = document.querySelector(".composer").dataset;  // in the editor's language

  function say(text) { if (status) status.textContent = text; }
  // a message of the page with its {name} placeholders filled in
  function msg(key, values) {
    return (words[key] || "").replace(/\{(\w+)\}/g, function (all, name) {
      return values && values[name] !== undefined ? values[name] : all;
    });
  }

  function sortable() {
    var list = form.querySelector(".composer-blocks");
    if (!list || !window.Sortable || !window.htmx || list.dataset.sortable) return;
    list.dataset.sortable = "1";
    window.Sortable.create(list, {
      draggable: "fieldset.block", handle: ".block-handle", animation: 150,
      forceFallback: true,  // mouse and touch events: the same on every browser
      onEnd: function (event) {
        var from = event.oldDraggableIndex, to = event.newDraggableIndex;
        // Sortable (fallback mode) swallows the next click after a drag, expecting the one
        // the mouseup makes; when the browser makes none, the editor's next click (Save)
        // would vanish: hand it a harmless one instead
        setTimeout(function () { document.body.click(); }, 0);
        var move = document.getElementById("block-move");
        if (from === to || from === undefined || !move) return;
        move.value = "move:" + from + ":" + to;  // a block button like the others (htmx)
        move.click();
      }
    });
  }

  var lastAction = "", restoredAt = -1;
  form.addEventListener("htmx:configRequest", function (event) {
    lastAction = event.detail.parameters.action || "";
    try {  // undo: where the removed block goes back
      restoredAt = JSON.parse(event.detail.parameters.removed_block || "{}").index;
    } catch (e) { restoredAt = -1; }
  });
  var FIELD = ".ql-editor, textarea:not([hidden]), input:not([type=hidden])";
  document.body.addEventListener("htmx:afterSettle", function () {
    var list = form.querySelector(".composer-blocks");
    if (!list) return;
    var blocks = list.querySelectorAll("fieldset.block");
    var verb = lastAction.split(":")[0], focus = null;
    if (verb === "add" && blocks.length) {
      focus = blocks[blocks.length - 1].querySelector(FIELD);
      say(msg("msgAdded", {n: blocks.length}));
    } else if (verb === "remove") {
      say(list.dataset.msgRemoved || "");
      // the Undo button where the block was (the add buttons if the removal cannot be undone)
      focus = list.querySelector("#block-removed button") || list.querySelector(".add-block button");
    } else if (verb === "undo") {
      var back = blocks[Math.min(Math.max(restoredAt, 0), blocks.length - 1)];
      say(msg("msgRestored"));
      focus = back && back.querySelector(FIELD);
    } else if (verb === "up" || verb === "down" || verb === "move") {
      say(msg("msgMoved"));
    }
    // never take the focus from a field of the blocks the person already went to (a quick
    // click or a script right after the swap): only from the button that was pressed
    var active = document.activeElement;
    var elsewhere = active && active !== document.body && list.contains(active) &&
      !active.closest(".add-block, #block-removed");
    if (focus && !elsewhere) focus.focus();
    sortable();
    form.dispatchEvent(new Event("change", {bubbles: true}));  // refresh the live preview
    if (soonHook) soonHook();  // and save the new order
  });
  var soonHook = null;

  // the subject and preheader as an inbox shows them
  var subject = form.querySelector("[name=subject]");
  var preheader = form.querySelector("[name=preheader]");
  var shownSubject = document.getElementById("preview-subject");
  var shownPreheader = document.getElementById("preview-preheader");
  function inbox() {
    if (shownSubject && subject) shownSubject.textContent = subject.value || msg("msgNoSubject");
    if (shownPreheader) shownPreheader.textContent = preheader && preheader.value ?
      "— " + preheader.value : "";
  }
  form.addEventListener("input", inbox);
  inbox();

  // autosave: a quiet moment after a change, one request at a time
  var url = form.getAttribute("data-autosave-url");
  var shown = document.getElementById("autosave-status");
  var timer = null, busy = false, again = false, submitAfter = null;
  function autosave() {
    if (!url) return;
    if (busy) { again = true; return; }
    busy = true;
    var data = new FormData(form);
    data.set("action", "save");
    fetch(url, {method: "POST", body: data, credentials: "same-origin",
                headers: {"Accept": "application/json"}})
      .then(function (r) { return r.json().then(function (json) { return [r.ok, json]; }); })
      .then(function (result) {
        var ok = result[0], json = result[1];
        if (ok) {
          var at = new Date(json.saved_at);
          shown.textContent = msg("msgSavedAt", {time: at.toLocaleTimeString([], {hour: "2-digit", minute: "2-digit", second: "2-digit"})});
          shown.dataset.state = "saved";
          if (json.autosave_url && json.autosave_url !== url) {
            url = json.autosave_url;
            form.setAttribute("data-autosave-url", url);
            form.setAttribute("action", json.edit_url);
            window.history.replaceState(null, "", json.edit_url);
          }
        } else {
          shown.textContent = msg("msgNotSaved", {error: json.error});
          shown.dataset.state = "error";
        }
      })
      .catch(function () {
        shown.textContent = msg("msgNoAnswer");
        shown.dataset.state = "error";
      })
      .finally(function () {
        busy = false;
        if (submitAfter) {  // "Save" was pressed meanwhile: now it goes where the draft is
          var submitter = submitAfter;
          submitAfter = null;
          form.requestSubmit(submitter);
          return;
        }
        if (again) { again = false; autosave(); }
      });
  }
  function soon() {
    clearTimeout(timer);
    if (shown) { shown.textContent = msg("msgPending"); shown.dataset.state = "pending"; }
    timer = setTimeout(autosave, 1500);
  }
  soonHook = soon;
  form.addEventListener("input", soon);
  form.addEventListener("change", function (event) {
    if (event.isTrusted) soon();
  });
  form.addEventListener("submit", function (event) {
    // the live preview submits the form into its frame: that is no save
    if (event.submitter && event.submitter.value === "preview") return;
    clearTimeout(timer);
    if (busy) {
      // an autosave is on its way and may be creating this very campaign: saving now
      // would make a second one, so the save waits for its answer (and its address)
      event.preventDefault();
      submitAfter = event.submitter || form.querySelector('button[value="save"]');
      return;
    }
    url = null;  // the page is being saved and left
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", sortable);
  } else {
    sortable();
  }
})();
