// The client import's upload: drag and drop or a file input, sent to the API as
// the CSV itself (text/csv), then on to the mapping step of the new import.
(function () {
  "use strict";
  var form = document.querySelector("[data-import-upload]");
  if (!form) return;
  var input = form.querySelector("input[type=file]");
  var error = form.querySelector("[data-import-error]");
  var busy = form.querySelector("[data-import-busy]");

  function show(message) {
    error.textContent = message;
    error.hidden = !message;
    input.setAttribute("aria-invalid", message ? "true" : "false");
  }

  function send(file) {
    if (!file) { show("Choose a CSV file first."); return; }
    show("");
    busy.classList.add("htmx-request");
    var url = form.dataset.action + "?filename=" + encodeURIComponent(file.name);
    fetch(url, { method: "POST", headers: { "Content-Type": "text/csv" }, body: file, credentials: "same-origin" })
      .then(function (res) {
        return res.json().then(function (body) { return { res: res, body: body }; });
      })
      .then(function (r) {
        busy.classList.remove("htmx-request");
        if (r.res.status === 201) {
          window.location.href = form.dataset.next + r.body.id;
          return;
        }
        var errors = r.body.errors || {};
        show((errors.file && errors.file[0]) || r.body.detail || "The file could not be uploaded.");
      })
      .catch(function () {
        busy.classList.remove("htmx-request");
        show("The file could not be uploaded; check the connection and try again.");
      });
  }

  form.addEventListener("submit", function (e) { e.preventDefault(); send(input.files[0]); });
  input.addEventListener("change", function () { if (input.files[0]) send(input.files[0]); });
  ["dragenter", "dragover"].forEach(function (t) {
    form.addEventListener(t, function (e) { e.preventDefault(); form.classList.add("import-dragging"); });
  });
  ["dragleave", "drop"].forEach(function (t) {
    form.addEventListener(t, function () { form.classList.remove("import-dragging"); });
  });
  form.addEventListener("drop", function (e) {
    e.preventDefault();
    var file = e.dataTransfer.files[0];
    if (file) send(file);
  });
})();
