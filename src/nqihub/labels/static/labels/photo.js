/* 拍照检查 on /labels/: sends the photo to POST /api/v1/labels/check (multipart/form-data), shows progress
   while a worker reads it (202 → polls /api/v1/labels/photo-jobs/{id}), then the photo with coloured boxes
   over the read fields (blue) and the findings (red: error, orange: warning), the findings, and the read
   text in a textarea whose form re-checks the corrected text by the text path. No inline script or style
   (strict CSP): the photo is shown from a data: URL, the boxes are SVG rectangles. */
(function () {
  "use strict";
  var form = document.getElementById("photo-form");
  if (!form) return;
  var d = form.dataset;
  var progress = document.getElementById("photo-progress");
  var progressText = document.getElementById("photo-progress-text");
  var errorBox = document.getElementById("photo-error");
  var resultBox = document.getElementById("photo-result");
  var img = document.getElementById("photo-image");
  var svg = document.getElementById("photo-boxes");
  var SVGNS = "http://www.w3.org/2000/svg";
  var MAX = 10 * 1024 * 1024;
  var labelsEl = document.getElementById("photo-field-labels");
  var LABELS = labelsEl ? JSON.parse(labelsEl.textContent) : {};

  function show(el, on) { el.hidden = !on; }
  function fail(message) {
    show(progress, false);
    errorBox.textContent = message || d.msgFailed;
    show(errorBox, true);
  }
  function csrf() {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function messageOf(body) {
    if (body && Array.isArray(body.detail)) {
      return body.detail.map(function (e) { return e.message; }).join(" ");
    }
    return body && body.detail ? String(body.detail) : d.msgFailed;
  }
  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function rect(box, cls) {
    var r = document.createElementNS(SVGNS, "rect");
    r.setAttribute("x", box[0]);
    r.setAttribute("y", box[1]);
    r.setAttribute("width", Math.max(box[2] - box[0], 1));
    r.setAttribute("height", Math.max(box[3] - box[1], 1));
    r.setAttribute("class", cls);
    return r;
  }
  function render(result) {
    show(progress, false);
    show(errorBox, false);
    svg.setAttribute("viewBox", "0 0 " + result.image.width + " " + result.image.height);
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    Object.keys(result.field_boxes || {}).forEach(function (key) {
      result.field_boxes[key].forEach(function (b) { svg.appendChild(rect(b, "box-field")); });
    });
    var list = document.getElementById("photo-findings");
    while (list.firstChild) list.removeChild(list.firstChild);
    result.findings.forEach(function (f) {
      (f.boxes || []).forEach(function (b) { svg.appendChild(rect(b, "box-" + f.severity)); });
      var li = el("li", "list-group-item finding finding-" + f.severity);
      var head = el("div", "d-flex flex-wrap align-items-baseline gap-2");
      head.appendChild(el("span", f.severity === "error" ? "badge text-bg-danger" : "badge text-bg-warning",
        f.severity === "error" ? d.msgErrors : d.msgWarnings));
      head.appendChild(el("span", "fw-semibold", LABELS[f.field] || f.field));
      head.appendChild(el("span", "ms-auto small text-body-secondary", f.source));
      li.appendChild(head);
      li.appendChild(el("div", "mt-1", f.message));
      if (f.fix) li.appendChild(el("div", "small text-success-emphasis mt-1", d.msgFix + f.fix));
      list.appendChild(li);
    });
    var summary = document.getElementById("photo-summary");
    if (!result.findings.length) {
      summary.className = "alert alert-success mb-2";
      summary.textContent = d.msgNone;
    } else {
      summary.className = "alert mb-2 " + (result.errors ? "alert-danger" : "alert-warning");
      summary.textContent = d.msgSummary.replace("%(e)s", result.errors).replace("%(w)s", result.warnings);
    }
    document.getElementById("id_photo_text").value = result.text || "";
    document.getElementById("id_photo_recheck_excerpt").value = result.complete ? "" : "1";
    show(resultBox, true);
  }
  function poll(jobId) {
    fetch(d.jobsUrl + encodeURIComponent(jobId), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json().then(function (body) { return { status: r.status, body: body }; }); })
      .then(function (answer) {
        if (answer.status !== 200) return fail(messageOf(answer.body));
        var job = answer.body;
        if (job.state === "done") return render(job.result);
        if (job.state === "failed") return fail(job.message);
        progressText.textContent = job.state === "queued" ? d.msgQueued : d.msgReading;
        window.setTimeout(function () { poll(jobId); }, 1500);
      })
      .catch(function () { fail(); });
  }

  document.getElementById("id_label_photo").addEventListener("change", function (event) {
    var file = event.target.files && event.target.files[0];
    if (!file) return;
    var reader = new FileReader();
    reader.onload = function () { img.src = reader.result; };
    reader.readAsDataURL(file);
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var input = document.getElementById("id_label_photo");
    var file = input.files && input.files[0];
    show(errorBox, false);
    if (!file) { input.reportValidity(); return; }
    if (file.size > MAX) return fail(d.msgTooLarge);
    var data = new FormData();
    data.append("category", form.querySelector("input[name=category]").value);
    data.append("complete", document.getElementById("id_excerpt_photo").checked ? "false" : "true");
    data.append("image", file);
    show(resultBox, false);
    progressText.textContent = d.msgReading;
    show(progress, true);
    fetch(form.getAttribute("action"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(), Accept: "application/json" }
    })
      .then(function (r) { return r.json().then(function (body) { return { status: r.status, body: body }; }); })
      .then(function (answer) {
        if (answer.status === 200) return render(answer.body);
        if (answer.status === 202) { progressText.textContent = d.msgQueued; return poll(answer.body.job_id); }
        fail(messageOf(answer.body));
      })
      .catch(function () { fail(); });
  });
})();
