// The top bar's search: suggestions drop down as the user types (htmx fetches
// them, debounced); arrow keys move through them, Enter opens one (or the
// full results page), Escape closes the list; Ctrl/Cmd+K focuses the box
// from anywhere (`/` is handled with the other shortcuts in app.js).
(function () {
  "use strict";

  var form = document.querySelector("[data-search]");
  if (!form) {
    return;
  }
  var input = form.querySelector("input[name=q]");
  var list = document.getElementById("search-results");

  function options() {
    return Array.prototype.slice.call(list.querySelectorAll("a[role=option]"));
  }

  function setOpen(open) {
    list.hidden = !open;
    input.setAttribute("aria-expanded", String(open));
    if (!open) {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function active() {
    return list.querySelector("[aria-selected=true]");
  }

  function select(option) {
    options().forEach(function (o) {
      o.setAttribute("aria-selected", String(o === option));
    });
    if (option) {
      input.setAttribute("aria-activedescendant", option.id);
      option.scrollIntoView({ block: "nearest" });
    }
  }

  // htmx swapped in new suggestions (or nothing, for an empty box).
  list.addEventListener("htmx:afterSwap", function () {
    setOpen(input.value.trim() !== "" && list.innerHTML.trim() !== "");
  });
  input.addEventListener("input", function () {
    if (input.value.trim() === "") {
      list.innerHTML = "";
      setOpen(false);
    }
  });

  input.addEventListener("keydown", function (event) {
    var all = options();
    var index = all.indexOf(active());
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (list.hidden || all.length === 0) {
        return;
      }
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : -1;
      select(all[(index + step + all.length) % all.length]);
    } else if (event.key === "Enter") {
      var chosen = active();
      if (chosen && !list.hidden) {
        event.preventDefault();
        window.location.href = chosen.href;
      }
      // Otherwise the form submits: the full results page.
    } else if (event.key === "Escape") {
      if (!list.hidden) {
        event.preventDefault();
        event.stopPropagation();
        setOpen(false);
      }
    }
  });

  input.addEventListener("focus", function () {
    if (input.value.trim() !== "" && options().length > 0) {
      setOpen(true);
    }
  });

  // A click elsewhere closes the list; one on an option follows its link.
  document.addEventListener("click", function (event) {
    if (!form.contains(event.target)) {
      setOpen(false);
    }
  });

  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && !event.altKey && (event.key === "k" || event.key === "K")) {
      event.preventDefault();
      input.focus();
      input.select();
    }
  });
})();
