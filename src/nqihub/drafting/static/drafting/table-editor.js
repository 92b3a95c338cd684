/* Table editors of the drafting form (indicators, terms, annexes): add and remove rows, Enter moves to the
   same column of the next row (a new row after the last one), and every change asks htmx to re-check. */
(function () {
  "use strict";
  var form = document.getElementById("draft-form");
  if (!form) { return; }

  function changed() {
    if (window.htmx) { window.htmx.trigger(form, "rows-changed"); }
  }
  function nextIndex(editor) {
    var max = -1;
    editor.querySelectorAll("[name]").forEach(function (el) {
      var m = el.name.match(/^[a-z]+-(\d+)-/);
      if (m) { max = Math.max(max, parseInt(m[1], 10)); }
    });
    return max + 1;
  }
  function clear(row) {
    row.querySelectorAll("input, textarea, select").forEach(function (el) {
      if (el.type === "checkbox") { el.checked = /-factory$/.test(el.name); }
      else if (el.tagName === "SELECT") { el.selectedIndex = 0; }
      else { el.value = ""; }
      el.classList.remove("is-invalid");
    });
  }
  function addRow(editor, focus) {
    var rows = editor.querySelectorAll("[data-row]");
    var last = rows[rows.length - 1];
    var row = last.cloneNode(true);
    var n = nextIndex(editor);
    clear(row);
    row.querySelectorAll("[name]").forEach(function (el) {
      el.name = el.name.replace(/^([a-z]+)-\d+-/, "$1-" + n + "-");
    });
    last.parentNode.insertBefore(row, last.nextSibling);
    if (focus) {
      var first = row.querySelector("input:not([type=checkbox]), textarea");
      if (first) { first.focus(); }
    }
    return row;
  }
  document.addEventListener("click", function (e) {
    var add = e.target.closest("[data-add-row]");
    if (add) {
      addRow(document.querySelector('[data-row-editor="' + add.dataset.addRow + '"]'), true);
      changed();
      return;
    }
    var remove = e.target.closest("[data-remove-row]");
    if (remove) {
      var row = remove.closest("[data-row]");
      var editor = row.closest("[data-row-editor]");
      if (editor.querySelectorAll("[data-row]").length > 1) {
        var neighbour = row.nextElementSibling || row.previousElementSibling;
        row.remove();
        var target = neighbour && neighbour.querySelector("input:not([type=checkbox]), textarea");
        if (target) { target.focus(); }
      } else {
        clear(row);
      }
      changed();
    }
  });
  form.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || e.isComposing || e.target.tagName !== "INPUT" || e.target.type === "checkbox") { return; }
    var cell = e.target.closest("td");
    var row = e.target.closest("tr[data-row]");
    if (!cell || !row) { return; }
    e.preventDefault();  // Enter in a cell never submits the form
    var editor = row.closest("[data-row-editor]");
    var next = row.nextElementSibling || addRow(editor, false);
    var input = next.children[cell.cellIndex] && next.children[cell.cellIndex].querySelector("input");
    if (input) { input.focus(); }
    changed();
  });
})();
