/* NQI Hub — behaviour that pages declare with data-* attributes, so that no page needs an inline script
 * or an on*="" handler (the Content-Security-Policy allows scripts from this site's files only).
 *
 *   <form data-confirm="确定删除？">, <button type="submit" data-confirm="…">  ask before submitting
 *   <select data-autosubmit>                                                   submit its form on change
 *   <button data-set-value="#id_lab" data-value="12">                          set another field's value
 *   <div hx-get="…" data-text-from="id_title id_description">                  send those fields as ?text=
 *   <form data-upload-progress="upload-progress">                              show htmx upload progress
 *   .table-responsive                                                          takes the keyboard focus
 *   <button data-large-type>                                                   larger type on/off (kept)
 *   <div data-code-list> (core.forms.CodeListPickerInput)                      pick several codes by name
 */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter;
    var message = (submitter && submitter.dataset.confirm) || form.dataset.confirm;
    if (message && !window.confirm(message)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-autosubmit]") && field.form) {
      if (field.form.requestSubmit) { field.form.requestSubmit(); } else { field.form.submit(); }
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-set-value]");
    if (!button) { return; }
    var target = document.querySelector(button.dataset.setValue);
    if (target) {
      target.value = button.dataset.value;
      target.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });

  document.addEventListener("htmx:configRequest", function (event) {
    var element = event.detail.elt;
    if (!element || !element.dataset || !element.dataset.textFrom) { return; }
    event.detail.parameters.text = element.dataset.textFrom.split(/\s+/).map(function (id) {
      var field = document.getElementById(id);
      return field ? field.value : "";
    }).join(" ");
  });

  function uploadProgress(form) {
    var box = document.getElementById(form.dataset.uploadProgress);
    if (!box) { return; }
    var bar = box.querySelector(".progress-bar");
    function show(percent) {
      box.classList.remove("d-none");
      box.setAttribute("aria-valuenow", percent);
      bar.style.width = percent + "%";
      bar.textContent = percent + "%";
    }
    form.addEventListener("htmx:xhr:progress", function (event) {
      if (event.detail.lengthComputable && event.detail.total) {
        show(Math.round(event.detail.loaded / event.detail.total * 100));
      }
    });
    form.addEventListener("htmx:beforeRequest", function () { show(0); });
    form.addEventListener("htmx:afterRequest", function () { box.classList.add("d-none"); });
  }

  // A table wider than the screen scrolls sideways: keyboard users must be able to reach and scroll it
  // (WCAG 2.1.1), so each scroll box takes the focus.
  function focusableScrollBoxes(root) {
    (root || document).querySelectorAll(".table-responsive:not([tabindex])").forEach(function (box) {
      box.setAttribute("tabindex", "0");
    });
  }

  // Larger type (适老化): <button data-large-type> toggles it; the choice is kept in this browser.
  var LARGE = "nqihub.largeType";
  function applyLargeType(on) {
    document.documentElement.classList.toggle("nqi-large-type", on);
    document.querySelectorAll("[data-large-type]").forEach(function (b) { b.setAttribute("aria-pressed", on ? "true" : "false"); });
  }
  function storedLargeType() {
    try { return window.localStorage.getItem(LARGE) === "1"; } catch (e) { return false; }
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-large-type]");
    if (!button) { return; }
    var on = !document.documentElement.classList.contains("nqi-large-type");
    try { window.localStorage.setItem(LARGE, on ? "1" : "0"); } catch (e) { /* private mode */ }
    applyLargeType(on);
  });

  function init() {
    applyLargeType(storedLargeType());
    document.querySelectorAll("form[data-upload-progress]").forEach(uploadProgress);
    focusableScrollBoxes(document);
  }
  document.addEventListener("htmx:afterSettle", function (event) { focusableScrollBoxes(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
  /* A list of codes (core.forms.CodeListPickerInput): picking a suggestion of the type-ahead box adds a chip
   * (name, code as a hint) and the code to the hidden input; a chip's × removes it. */
  function codeListSync(picker) {
    var codes = [];
    picker.querySelectorAll("[data-code-list-chips] [data-code]").forEach(function (chip) {
      codes.push(chip.dataset.code);
    });
    picker.querySelector("[data-code-list-value]").value = codes.join(", ");
  }

  function codeListAdd(input) {
    var picker = input.closest("[data-code-list]");
    var code = input.value.trim();
    if (!picker || !code || !input.list) { return; }
    var option = Array.prototype.find.call(input.list.options, function (o) { return o.value === code; });
    if (!option) { return; }
    var chips = picker.querySelector("[data-code-list-chips]");
    if (!chips.querySelector('[data-code="' + CSS.escape(code) + '"]')) {
      var chip = document.createElement("li");
      chip.className = "badge text-bg-light border fw-normal";
      chip.dataset.code = code;
      chip.append(option.textContent.trim() + " ");
      var hint = document.createElement("span");
      hint.className = "text-body-secondary";
      hint.textContent = code;
      chip.append(hint, " ");
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "btn-close btn-close-sm align-middle";
      remove.dataset.codeRemove = "";
      remove.setAttribute("aria-label", (picker.dataset.removeLabel || "×") + " " + option.textContent.trim());
      chip.append(remove);
      chips.append(chip);
      codeListSync(picker);
    }
    input.value = "";
  }

  document.addEventListener("input", function (event) {
    // A suggestion picked from the list (not a key typed: "143" on the way to "1431" is not a pick).
    var picked = !event.inputType || event.inputType === "insertReplacementText";
    if (picked && event.target.matches && event.target.matches("[data-code-add]")) { codeListAdd(event.target); }
  });
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-code-add]")) { codeListAdd(event.target); }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-code-remove]");
    if (!button) { return; }
    var picker = button.closest("[data-code-list]");
    button.closest("[data-code]").remove();
    if (picker) { codeListSync(picker); }
  });
})();
