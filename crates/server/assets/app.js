// The shell's behaviour: theme toggle, phone navigation drawer, menus and
// keyboard shortcuts. Plain DOM code, no framework; pages work without it
// except for these conveniences.
(function () {
  "use strict";

  var root = document.documentElement;
  var body = document.body;
  var THEME_KEY = "nimara-theme";

  // ---- Theme ----

  function storedTheme() {
    try {
      return window.localStorage.getItem(THEME_KEY);
    } catch (e) {
      return null;
    }
  }

  function labelThemeToggles() {
    var next = root.dataset.theme === "dark" ? "light" : "dark";
    document.querySelectorAll("[data-theme-toggle]").forEach(function (button) {
      button.setAttribute("aria-label", "Switch to " + next + " theme");
      button.title = "Switch to " + next + " theme";
    });
  }

  function setTheme(theme) {
    root.dataset.theme = theme;
    try {
      window.localStorage.setItem(THEME_KEY, theme);
    } catch (e) {
      // Not remembered, but still applied for this page.
    }
    labelThemeToggles();
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-theme-toggle]")) {
      setTheme(root.dataset.theme === "dark" ? "light" : "dark");
    }
  });

  // Until the user picks a theme, follow the system as it changes (say, at dusk).
  window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", function (event) {
    if (!storedTheme()) {
      root.dataset.theme = event.matches ? "dark" : "light";
      labelThemeToggles();
    }
  });
  labelThemeToggles();

  // ---- Navigation drawer (phone) ----

  var toggle = document.querySelector("[data-nav-toggle]");
  var sidebar = document.getElementById("sidebar");

  function navOpen() {
    return body.classList.contains("nav-open");
  }

  function setNav(open) {
    if (!toggle || open === navOpen()) {
      return;
    }
    body.classList.toggle("nav-open", open);
    toggle.setAttribute("aria-expanded", String(open));
    toggle.setAttribute("aria-label", open ? "Close navigation" : "Open navigation");
    if (open) {
      var first = sidebar.querySelector(".nav-list a[aria-current]") || sidebar.querySelector(".nav-list a[href]");
      if (first) {
        first.focus();
      }
    } else {
      toggle.focus();
    }
  }

  if (toggle) {
    toggle.addEventListener("click", function () {
      setNav(!navOpen());
    });
  }
  document.querySelectorAll("[data-nav-close]").forEach(function (el) {
    el.addEventListener("click", function () {
      setNav(false);
    });
  });
  // Growing past the phone layout closes the drawer, so it is not left open behind the page.
  window.matchMedia("(min-width: 48.0625rem)").addEventListener("change", function (event) {
    if (event.matches) {
      body.classList.remove("nav-open");
      if (toggle) {
        toggle.setAttribute("aria-expanded", "false");
      }
    }
  });

  // ---- Menus (<details data-menu>) ----

  function closeMenus(except) {
    document.querySelectorAll("details[data-menu][open]").forEach(function (menu) {
      if (menu !== except) {
        menu.open = false;
      }
    });
  }

  document.addEventListener("click", function (event) {
    closeMenus(event.target.closest("details[data-menu]"));
  });

  // ---- Other buttons ----

  var shortcuts = document.getElementById("shortcuts");

  function openShortcuts() {
    if (shortcuts && !shortcuts.open) {
      closeMenus(null);
      shortcuts.showModal();
    }
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-open-shortcuts]")) {
      setNav(false);
      openShortcuts();
    }
    if (event.target.closest("[data-history-back]")) {
      if (window.history.length > 1) {
        window.history.back();
      } else {
        window.location.href = body.dataset.home || "/";
      }
    }
  });

  // ---- Keyboard shortcuts ----

  var pendingG = 0;

  function typing(target) {
    return target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName);
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      var open = document.querySelector("details[data-menu][open]");
      if (open) {
        open.open = false;
        open.querySelector("summary").focus();
      } else if (navOpen()) {
        setNav(false);
      } else if (typing(event.target)) {
        event.target.blur();
      }
      return;
    }
    // Letters belong to whatever is being typed into, and modified keys to the
    // browser; an open dialog keeps its own keys.
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) {
      return;
    }
    if (shortcuts && shortcuts.open) {
      return;
    }
    var now = Date.now();
    if (event.key === "/") {
      var search = document.getElementById("global-search");
      if (search) {
        event.preventDefault();
        setNav(false);
        search.focus();
      }
    } else if (event.key === "?") {
      event.preventDefault();
      openShortcuts();
    } else if (event.key === "g") {
      pendingG = now;
    } else if (event.key === "d" && now - pendingG < 1500) {
      pendingG = 0;
      window.location.href = body.dataset.home || "/";
    } else {
      pendingG = 0;
    }
  });
})();
