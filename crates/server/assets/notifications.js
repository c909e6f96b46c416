// Live notifications: one EventSource on the user's stream keeps the bell's
// count current and shows a toast for each new notification. The counts and
// lists themselves are server-rendered fragments (htmx); this only says when
// they are stale. Without JavaScript the bell still links to the page.
(function () {
  "use strict";

  var bell = document.querySelector("[data-bell]");
  if (!bell || !window.EventSource) {
    return;
  }
  var portId = bell.dataset.portId;
  var TOAST_MS = 8000;

  // Fragments read their state again: the badge always, the panel when open.
  function refresh() {
    if (window.htmx) {
      window.htmx.trigger(document.body, "nimara:notifications-stale");
      if (bell.open) {
        window.htmx.trigger(bell, "nimara:panel-stale");
      }
    }
  }

  function setBadge(count) {
    var badge = document.getElementById("bell-badge");
    if (!badge) {
      return;
    }
    badge.dataset.count = String(count);
    badge.textContent = count > 99 ? "99+" : count > 0 ? String(count) : "";
    if (count > 0) {
      var hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = " unread";
      badge.appendChild(hidden);
    }
  }

  function toasts() {
    var box = document.querySelector(".toasts");
    if (!box) {
      box = document.createElement("div");
      box.className = "toasts";
      box.setAttribute("role", "status");
      box.setAttribute("aria-live", "polite");
      document.body.appendChild(box);
    }
    return box;
  }

  function isLocal(path) {
    return typeof path === "string" && path.charAt(0) === "/" && path.charAt(1) !== "/" && path.indexOf("\\") < 0;
  }

  // An icon of the sprite the bell's own icon comes from.
  function icon(name) {
    var NS = "http://www.w3.org/2000/svg";
    var sprite = bell.querySelector("summary use").getAttribute("href").split("#")[0];
    var svg = document.createElementNS(NS, "svg");
    svg.setAttribute("class", "icon");
    svg.setAttribute("aria-hidden", "true");
    var use = document.createElementNS(NS, "use");
    use.setAttribute("href", sprite + "#" + name);
    svg.appendChild(use);
    return svg;
  }

  // Built with textContent only: titles are user data.
  function toast(n) {
    var item = document.createElement("div");
    item.className = "toast";
    item.dataset.notification = n.id;
    var body = document.createElement("div");
    body.className = "toast-body";
    var title = document.createElement(isLocal(n.link) ? "a" : "strong");
    title.className = "toast-title";
    title.textContent = n.title;
    if (isLocal(n.link)) {
      title.href = n.link;
    }
    body.appendChild(title);
    if (n.description) {
      var text = document.createElement("p");
      text.className = "toast-text";
      text.textContent = n.description;
      body.appendChild(text);
    }
    var close = document.createElement("button");
    close.type = "button";
    close.className = "icon-button";
    close.setAttribute("aria-label", "Dismiss");
    close.appendChild(icon("x-mark"));
    close.addEventListener("click", function () {
      item.remove();
    });
    item.appendChild(body);
    item.appendChild(close);
    toasts().appendChild(item);
    window.setTimeout(function () {
      item.remove();
    }, TOAST_MS);
  }

  var source = new EventSource(bell.dataset.stream);
  var opened = false;

  // The first `ready` finds the page fresh; a later one follows a reconnect,
  // during which notifications may have arrived unseen.
  source.addEventListener("ready", function () {
    if (opened) {
      refresh();
    }
    opened = true;
  });
  source.addEventListener("resync", refresh);
  source.addEventListener("notification", function (event) {
    var n;
    try {
      n = JSON.parse(event.data);
    } catch (e) {
      return;
    }
    if (n.port_id === portId) {
      setBadge(n.unread_count);
      if (bell.open && window.htmx) {
        window.htmx.trigger(bell, "nimara:panel-stale");
      }
    }
    toast(n);
  });
  // Leaving the page closes the stream at once rather than at the next keep-alive.
  window.addEventListener("pagehide", function () {
    source.close();
  });
})();
