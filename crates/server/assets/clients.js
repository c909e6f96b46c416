// The client pages: Ctrl/Cmd+Enter submits the form being typed in, `e` opens
// the edit form, a ft|m pair clears its other unit when one is typed (the
// server computes it), and the proxy fields show only for a proxy.
(function () {
  "use strict";

  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      var form = event.target.closest && event.target.closest("form[data-submit-shortcut]");
      if (form) {
        event.preventDefault();
        form.requestSubmit();
      }
      return;
    }
    var typing = event.target.closest && event.target.closest("input, textarea, select, [contenteditable]");
    if (event.key === "e" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      var edit = document.querySelector("[data-shortcut='e']");
      if (edit) {
        event.preventDefault();
        edit.click();
      }
    }
  });

  // Typing one unit of a pair empties the other, so the server works it out
  // instead of refusing two values that no longer agree.
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches("[data-unit-pair] input[data-unit]")) return;
    var pair = input.closest("[data-unit-pair]");
    pair.querySelectorAll("input[data-unit]").forEach(function (other) {
      if (other !== input) other.value = "";
    });
  });

  // A refused inline form (422, 409) comes back as the panel with the errors
  // beside the fields: swap it in like a success (htmx leaves 4xx alone).
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var target = event.detail.target;
    if ((status === 422 || status === 409) && target && target.closest && target.closest(".client-panel")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  function syncProxy() {
    var toggle = document.querySelector("[data-proxy-toggle]");
    var fields = document.querySelector("[data-proxy-fields]");
    if (toggle && fields) fields.hidden = !toggle.checked;
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-proxy-toggle]")) syncProxy();
  });

  document.addEventListener("submit", function (event) {
    var message = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) event.preventDefault();
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", syncProxy);
  } else {
    syncProxy();
  }
})();
