// The scratchpad drawer: a top-bar toggle, `n` or Ctrl/Cmd+. anywhere, Escape
// to close. Its content is fetched by htmx each time it opens. In its
// textareas Enter saves and Shift+Enter starts a new line.
(function () {
  "use strict";

  function drawer() { return document.getElementById("scratchpad"); }
  function toggle() { return document.querySelector("[data-scratchpad-toggle]"); }

  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  function setOpen(open) {
    var d = drawer();
    var t = toggle();
    if (!d || !t) return;
    if (open === !d.hidden) return;
    d.hidden = !open;
    t.setAttribute("aria-expanded", String(open));
    if (open) {
      var body = document.getElementById("scratchpad-body");
      if (window.htmx && body) window.htmx.trigger(body, "scratchpad:open");
    } else {
      t.focus();
    }
  }

  function focusInput() {
    var d = drawer();
    if (!d || d.hidden) return;
    var input = d.querySelector("textarea[autofocus]") || d.querySelector("#scratch-new");
    if (input) {
      input.focus();
      input.setSelectionRange(input.value.length, input.value.length);
    }
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-scratchpad-toggle]")) {
      setOpen(drawer().hidden);
    } else if (event.target.closest("[data-scratchpad-close]")) {
      setOpen(false);
    }
  });

  document.addEventListener("keydown", function (event) {
    var d = drawer();
    if (!d) return;
    if (event.key === "." && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      setOpen(d.hidden);
      return;
    }
    if (event.key === "Escape" && !d.hidden && d.contains(event.target)) {
      event.preventDefault();
      setOpen(false);
      return;
    }
    if (event.key === "n" && !event.ctrlKey && !event.metaKey && !event.altKey && !typing(event.target)
        && !document.querySelector("dialog[open]")) {
      event.preventDefault();
      setOpen(d.hidden);
      return;
    }
    var input = event.target.closest && event.target.closest("[data-scratch-input]");
    if (input && event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (input.value.trim() !== "" && input.form) input.form.requestSubmit();
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target && event.detail.target.id === "scratchpad-body") focusInput();
  });
})();
