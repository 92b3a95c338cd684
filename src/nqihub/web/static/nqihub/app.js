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
})();
