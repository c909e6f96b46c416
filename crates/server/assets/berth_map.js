// The berth map: zoom and pan by changing the SVG's viewBox (wheel, pinch,
// drag, the + / − / Reset buttons, or the keyboard on the focused map), and a
// card with a berth's details on hover or focus. The import page: a chosen
// file is read into the form's text box.
(function () {
  "use strict";

  var fileInput = document.querySelector("[data-map-file]");
  if (fileInput) {
    fileInput.addEventListener("change", function () {
      var file = fileInput.files[0];
      if (!file) return;
      var reader = new FileReader();
      reader.onload = function () {
        var box = document.getElementById("map-svg");
        box.value = reader.result;
        box.removeAttribute("aria-invalid");
      };
      reader.readAsText(file);
    });
  }

  var frame = document.querySelector("[data-map]");
  if (!frame) return;
  var svg = frame.querySelector("[data-map-svg]");
  var card = frame.querySelector("[data-map-card]");
  var base = svg.getAttribute("viewBox").split(/[\s,]+/).map(Number);
  var view = base.slice();
  var MAX_ZOOM = 24;

  function apply() {
    svg.setAttribute("viewBox", view.map(function (v) { return v.toFixed(2); }).join(" "));
  }

  // The SVG point under a client (screen) position.
  function toMap(clientX, clientY) {
    var box = svg.getBoundingClientRect();
    // preserveAspectRatio="xMidYMid meet": one scale, the map centred.
    var scale = Math.max(view[2] / box.width, view[3] / box.height);
    var offsetX = (box.width * scale - view[2]) / 2;
    var offsetY = (box.height * scale - view[3]) / 2;
    return {
      x: view[0] - offsetX + (clientX - box.left) * scale,
      y: view[1] - offsetY + (clientY - box.top) * scale,
      scale: scale
    };
  }

  function zoom(factor, clientX, clientY) {
    var box = svg.getBoundingClientRect();
    if (clientX === undefined) {
      clientX = box.left + box.width / 2;
      clientY = box.top + box.height / 2;
    }
    var w = view[2] * factor;
    var h = view[3] * factor;
    // Not further out than twice the whole map, not further in than MAX_ZOOM.
    if (w > base[2] * 2 || w < base[2] / MAX_ZOOM) return;
    var at = toMap(clientX, clientY);
    view[0] = at.x - (at.x - view[0]) * factor;
    view[1] = at.y - (at.y - view[1]) * factor;
    view[2] = w;
    view[3] = h;
    apply();
  }

  function pan(dxMap, dyMap) {
    view[0] += dxMap;
    view[1] += dyMap;
    apply();
  }

  function reset() {
    view = base.slice();
    apply();
  }

  frame.addEventListener("wheel", function (event) {
    event.preventDefault();
    zoom(event.deltaY > 0 ? 1.15 : 1 / 1.15, event.clientX, event.clientY);
  }, { passive: false });

  // Drag to pan with one pointer, pinch to zoom with two.
  var pointers = {};
  var moved = false;
  var pinch = null;

  frame.addEventListener("pointerdown", function (event) {
    if (event.button !== 0 && event.pointerType === "mouse") return;
    pointers[event.pointerId] = { x: event.clientX, y: event.clientY };
    moved = false;
    var ids = Object.keys(pointers);
    if (ids.length === 2) {
      var a = pointers[ids[0]], b = pointers[ids[1]];
      pinch = Math.hypot(a.x - b.x, a.y - b.y);
    }
  });

  frame.addEventListener("pointermove", function (event) {
    var last = pointers[event.pointerId];
    if (!last) return;
    var ids = Object.keys(pointers);
    if (ids.length === 1) {
      var dx = event.clientX - last.x;
      var dy = event.clientY - last.y;
      if (!moved && Math.abs(dx) + Math.abs(dy) < 4) return;
      if (!moved) frame.setPointerCapture(event.pointerId);
      moved = true;
      frame.classList.add("is-panning");
      var scale = toMap(0, 0).scale;
      pan(-dx * scale, -dy * scale);
    } else if (ids.length === 2 && pinch) {
      pointers[event.pointerId] = { x: event.clientX, y: event.clientY };
      var a = pointers[ids[0]], b = pointers[ids[1]];
      var distance = Math.hypot(a.x - b.x, a.y - b.y);
      if (distance > 0) {
        zoom(pinch / distance, (a.x + b.x) / 2, (a.y + b.y) / 2);
        pinch = distance;
      }
      moved = true;
      return;
    }
    pointers[event.pointerId] = { x: event.clientX, y: event.clientY };
  });

  function release(event) {
    delete pointers[event.pointerId];
    if (Object.keys(pointers).length < 2) pinch = null;
    frame.classList.remove("is-panning");
  }
  frame.addEventListener("pointerup", release);
  frame.addEventListener("pointercancel", release);

  // A drag that ends on a berth is not a click on it.
  frame.addEventListener("click", function (event) {
    if (moved && event.target.closest("a")) {
      event.preventDefault();
    }
    moved = false;
  }, true);

  document.querySelectorAll("[data-map-zoom]").forEach(function (button) {
    button.addEventListener("click", function () {
      var what = button.getAttribute("data-map-zoom");
      if (what === "in") zoom(1 / 1.4);
      else if (what === "out") zoom(1.4);
      else reset();
    });
  });

  frame.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var step = view[2] / 10;
    var handled = true;
    switch (event.key) {
      case "+": case "=": zoom(1 / 1.4); break;
      case "-": case "_": zoom(1.4); break;
      case "0": reset(); break;
      case "ArrowLeft": pan(-step, 0); break;
      case "ArrowRight": pan(step, 0); break;
      case "ArrowUp": pan(0, -step); break;
      case "ArrowDown": pan(0, step); break;
      default: handled = false;
    }
    if (handled) event.preventDefault();
  });

  // The details card.
  function row(label, value) {
    var dt = document.createElement("dt");
    dt.textContent = label;
    var dd = document.createElement("dd");
    dd.textContent = value;
    return [dt, dd];
  }

  function show(link, clientX, clientY) {
    var d = link.dataset;
    card.textContent = "";
    var title = document.createElement("p");
    title.className = "map-card-title";
    title.textContent = "Berth " + d.mooring;
    var list = document.createElement("dl");
    [["Area", d.area], ["Size", d.size], ["Status", d.status], ["Price", d.price], ["Stage", d.stage]]
      .forEach(function (pair) { row(pair[0], pair[1]).forEach(function (el) { list.appendChild(el); }); });
    card.appendChild(title);
    card.appendChild(list);
    card.hidden = false;
    var box = frame.getBoundingClientRect();
    if (clientX === undefined) {
      var shape = link.getBoundingClientRect();
      clientX = shape.right;
      clientY = shape.top + shape.height / 2;
    }
    var x = clientX - box.left + 14;
    var y = clientY - box.top + 14;
    if (x + card.offsetWidth > box.width - 8) x = clientX - box.left - card.offsetWidth - 14;
    if (y + card.offsetHeight > box.height - 8) y = box.height - card.offsetHeight - 8;
    card.style.left = Math.max(8, x) + "px";
    card.style.top = Math.max(8, y) + "px";
  }

  function hide() {
    card.hidden = true;
  }

  svg.addEventListener("pointermove", function (event) {
    if (frame.classList.contains("is-panning")) return hide();
    var link = event.target.closest("a.map-berth-link");
    if (link) show(link, event.clientX, event.clientY);
    else hide();
  });
  svg.addEventListener("pointerleave", hide);
  svg.addEventListener("focusin", function (event) {
    var link = event.target.closest("a.map-berth-link");
    if (link) show(link);
  });
  svg.addEventListener("focusout", hide);
})();
