/* NQI Hub — behaviour that pages declare with data-* attributes, so that no page needs an inline script
 * or an on*="" handler (the Content-Security-Policy allows scripts from this site's files only).
 *
 *   <form data-confirm="确定删除？">, <button type="submit" data-confirm="…">  ask before submitting
 *   <select data-autosubmit>                                                   submit its form on change
 *   <button data-set-value="#id_lab" data-value="12">                          set another field's value
 *   <div hx-get="…" data-text-from="id_title id_description">                  send those fields as ?text=
 *   <form data-upload-progress="upload-progress">                              show htmx upload progress
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

  function init() {
    document.querySelectorAll("form[data-upload-progress]").forEach(uploadProgress);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
