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
    // Signed in: the choice goes to the profile too, so other devices follow.
    if (root.hasAttribute("data-theme-pref")) {
      root.dataset.themePref = theme;
      fetch("/api/v1/me/profile", {
        method: "PATCH",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ preferences: { theme: theme } }),
        credentials: "same-origin"
      }).catch(function () {
        // Offline: applied here, saved next time.
      });
    }
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-theme-toggle]")) {
      setTheme(root.dataset.theme === "dark" ? "light" : "dark");
    }
  });

  // Until the user picks a theme, follow the system as it changes (say, at dusk).
  window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", function (event) {
    var pref = root.dataset.themePref;
    if (pref === "system" || (!pref && !storedTheme())) {
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

  // ---- Settings: brand colour with a live swatch, copy boxes ----

  function readableOn(hex) {
    var channel = function (i) {
      var c = parseInt(hex.substr(i, 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    };
    var l = 0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5);
    return 1.05 / (l + 0.05) >= (l + 0.05) / 0.05 ? "#ffffff" : "#0b1220";
  }

  document.querySelectorAll("[data-color-field]").forEach(function (field) {
    var text = field.querySelector("[data-color-text]");
    var picker = field.querySelector("[data-color-picker]");
    var preview = document.querySelector("[data-color-preview]");
    function show(value) {
      if (preview && /^#[0-9a-fA-F]{6}$/.test(value)) {
        preview.style.setProperty("--accent", value);
        preview.style.setProperty("--accent-fg", readableOn(value));
      }
    }
    picker.addEventListener("input", function () {
      text.value = picker.value;
      show(picker.value);
    });
    text.addEventListener("input", function () {
      var value = text.value.trim();
      if (/^#[0-9a-fA-F]{6}$/.test(value)) {
        picker.value = value.toLowerCase();
        show(value);
      }
    });
    show(picker.value);
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) {
      return;
    }
    var source = document.getElementById(button.dataset.copy);
    var label = button.querySelector("[data-copy-label]") || button;
    var done = function () {
      label.textContent = "Copied";
      window.setTimeout(function () { label.textContent = "Copy"; }, 2000);
    };
    source.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.value).then(done, function () {
        document.execCommand("copy");
        done();
      });
    } else {
      document.execCommand("copy");
      done();
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
