// @-mentions in note textareas (inside [data-mentions="<autocomplete URL>"]):
// typing `@` and a few letters lists matching members of the port; arrow keys
// move, Enter or Tab picks, Escape closes. Picking inserts `@[Name](user-id)`,
// the token the server reads mentions from.
(function () {
  "use strict";

  var list = null;      // the open listbox
  var field = null;     // the textarea it serves
  var start = -1;       // where the `@` is
  var timer = null;
  var serial = 0;

  // The `@word` being typed just before the caret, if any.
  function query(textarea) {
    var upto = textarea.value.slice(0, textarea.selectionStart);
    var match = /(^|\s)@([^\s@\[\]()]{0,30})$/.exec(upto);
    if (!match) return null;
    return { at: upto.length - match[2].length - 1, q: match[2] };
  }

  function close() {
    if (list) list.remove();
    if (field) {
      field.setAttribute("aria-expanded", "false");
      field.removeAttribute("aria-activedescendant");
    }
    list = null;
    start = -1;
  }

  function options() { return list ? Array.prototype.slice.call(list.querySelectorAll("[role=option]")) : []; }

  function select(index) {
    var all = options();
    if (!all.length) return;
    index = (index + all.length) % all.length;
    all.forEach(function (o, i) { o.setAttribute("aria-selected", String(i === index)); });
    field.setAttribute("aria-activedescendant", all[index].id);
    all[index].scrollIntoView({ block: "nearest" });
  }

  function current() {
    var all = options();
    for (var i = 0; i < all.length; i++) if (all[i].getAttribute("aria-selected") === "true") return i;
    return 0;
  }

  function pick(option) {
    var textarea = field;
    var token = "@[" + option.dataset.name.replace(/[\[\]]/g, "") + "](" + option.dataset.id + ") ";
    var before = textarea.value.slice(0, start);
    var after = textarea.value.slice(textarea.selectionStart);
    textarea.value = before + token + after;
    var caret = before.length + token.length;
    textarea.setSelectionRange(caret, caret);
    close();
    textarea.focus();
  }

  function show(textarea, at, people) {
    close();
    if (!people.length) return;
    field = textarea;
    start = at;
    list = document.createElement("ul");
    list.className = "mention-list";
    list.id = (textarea.id || "note") + "-mentions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "People to mention");
    people.forEach(function (p, i) {
      var li = document.createElement("li");
      li.id = list.id + "-" + i;
      li.setAttribute("role", "option");
      li.dataset.id = p.id;
      li.dataset.name = p.name;
      var name = document.createElement("span");
      name.textContent = p.name;
      var mail = document.createElement("span");
      mail.className = "mention-email";
      mail.textContent = p.email;
      li.appendChild(name);
      li.appendChild(mail);
      // mousedown, not click: the textarea must not lose its caret first.
      li.addEventListener("mousedown", function (e) { e.preventDefault(); pick(li); });
      list.appendChild(li);
    });
    textarea.parentNode.appendChild(list);
    textarea.setAttribute("role", "combobox");
    textarea.setAttribute("aria-autocomplete", "list");
    textarea.setAttribute("aria-controls", list.id);
    textarea.setAttribute("aria-expanded", "true");
    select(0);
  }

  document.addEventListener("input", function (event) {
    var textarea = event.target;
    if (textarea.tagName !== "TEXTAREA") return;
    var box = textarea.closest("[data-mentions]");
    if (!box) return;
    var found = query(textarea);
    window.clearTimeout(timer);
    if (!found) { close(); return; }
    timer = window.setTimeout(function () {
      var mine = ++serial;
      fetch(box.dataset.mentions + "?q=" + encodeURIComponent(found.q), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (people) { if (mine === serial) show(textarea, found.at, people); })
        .catch(close);
    }, 120);
  });

  document.addEventListener("keydown", function (event) {
    if (!list || event.target !== field) return;
    if (event.key === "ArrowDown") { event.preventDefault(); select(current() + 1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); select(current() - 1); }
    else if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      event.stopImmediatePropagation();
      pick(options()[current()]);
    } else if (event.key === "Escape") { event.preventDefault(); event.stopPropagation(); close(); }
  }, true);

  document.addEventListener("focusout", function (event) {
    if (event.target === field) window.setTimeout(close, 150);
  });
})();
