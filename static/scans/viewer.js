// Origin | destination | change overlay, side by side, with one zoom/pan state.
// The state is in normalised origin coordinates (centre cx, cy in 0..1 and a zoom
// factor over "fit"), so panes of different pixel sizes stay in step. Changed regions
// come as JSON [[x, y, w, h, score], ...] in origin pixels (data-boxes) and are drawn on
// the origin and overlay panes; the same regions in destination pixels (data-dest-boxes, the
// destination as stored; absent for a comparison made before they were recorded) are drawn
// on the destination pane. A mirrored destination is shown flipped to match, its boxes with it.
(function () {
  "use strict";
  var root = document.getElementById("scan-viewer");
  if (!root) return;
  var originW = Number(root.dataset.originWidth) || 1;
  var originH = Number(root.dataset.originHeight) || 1;
  // Every pane in the origin scan's proportions (the CSS reads --scan-ratio), before any image loads: no black
  // bands around a wide scan, and the page does not jump when the images come. Set here, not in a style
  // attribute, which the page's CSP refuses.
  if (Number(root.dataset.originWidth) > 0 && Number(root.dataset.originHeight) > 0) {
    root.style.setProperty("--scan-ratio", originW + " / " + originH);
  }
  var destW = Number(root.dataset.destWidth) || 1;
  var destH = Number(root.dataset.destHeight) || 1;
  function parsed(json) {
    try { return JSON.parse(json || "[]"); } catch (e) { return []; }
  }
  var boxes = parsed(root.dataset.boxes);
  var destBoxes = parsed(root.dataset.destBoxes);
  var state = { zoom: 1, cx: 0.5, cy: 0.5, boxes: true };
  var panes = [];

  root.querySelectorAll("canvas[data-src]").forEach(function (canvas) {
    var dest = canvas.dataset.pane === "destination";
    var pane = {
      canvas: canvas,
      img: null,
      boxes: canvas.dataset.boxesOn === "1",
      // the boxes in the pixels of the image this pane shows, and that image's full size
      boxList: dest ? destBoxes : boxes,
      fullW: dest ? destW : originW,
      fullH: dest ? destH : originH,
      mirror: dest && root.dataset.mirrored === "1",
    };
    var img = new Image();
    img.addEventListener("load", function () { pane.img = img; draw(pane); });
    img.src = canvas.dataset.src;
    panes.push(pane);
    attach(pane);
  });

  function scaleOf(pane) {
    var w = pane.canvas.clientWidth, h = pane.canvas.clientHeight;
    return Math.min(w / pane.img.naturalWidth, h / pane.img.naturalHeight) * state.zoom;
  }

  function draw(pane) {
    var c = pane.canvas, dpr = window.devicePixelRatio || 1;
    var w = c.clientWidth, h = c.clientHeight;
    if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
      c.width = Math.round(w * dpr);
      c.height = Math.round(h * dpr);
    }
    var ctx = c.getContext("2d");
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, c.width, c.height);
    if (!pane.img) return;
    var iw = pane.img.naturalWidth, ih = pane.img.naturalHeight, s = scaleOf(pane);
    ctx.setTransform(dpr * s, 0, 0, dpr * s, dpr * (w / 2 - state.cx * iw * s), dpr * (h / 2 - state.cy * ih * s));
    ctx.imageSmoothingEnabled = state.zoom < 4;
    if (pane.mirror) {
      ctx.save();
      ctx.translate(iw, 0);
      ctx.scale(-1, 1);
      ctx.drawImage(pane.img, 0, 0);
      ctx.restore();
    } else {
      ctx.drawImage(pane.img, 0, 0);
    }
    if (pane.boxes && state.boxes) {
      var kx = iw / pane.fullW, ky = ih / pane.fullH;
      ctx.lineWidth = 2 / s;
      ctx.strokeStyle = "#ff1744";
      pane.boxList.forEach(function (b) {
        // on a flipped image a box's left edge is at iw - (x + w)
        var x = pane.mirror ? iw - (b[0] + b[2]) * kx : b[0] * kx;
        ctx.strokeRect(x, b[1] * ky, b[2] * kx, b[3] * ky);
      });
    }
  }

  function redraw() { panes.forEach(draw); }

  // The normalised point under a screen position of a pane.
  function pointAt(pane, mx, my) {
    var s = scaleOf(pane), w = pane.canvas.clientWidth, h = pane.canvas.clientHeight;
    return {
      u: state.cx + (mx - w / 2) / (s * pane.img.naturalWidth),
      v: state.cy + (my - h / 2) / (s * pane.img.naturalHeight),
    };
  }

  function zoomAt(pane, factor, mx, my) {
    var p = pointAt(pane, mx, my);
    state.zoom = Math.min(64, Math.max(1, state.zoom * factor));
    var s = scaleOf(pane), w = pane.canvas.clientWidth, h = pane.canvas.clientHeight;
    state.cx = p.u - (mx - w / 2) / (s * pane.img.naturalWidth);
    state.cy = p.v - (my - h / 2) / (s * pane.img.naturalHeight);
    if (state.zoom === 1) { state.cx = 0.5; state.cy = 0.5; }
    redraw();
  }

  function attach(pane) {
    var c = pane.canvas, drag = null;
    c.addEventListener("wheel", function (e) {
      if (!pane.img) return;
      e.preventDefault();
      var r = c.getBoundingClientRect();
      zoomAt(pane, e.deltaY < 0 ? 1.25 : 0.8, e.clientX - r.left, e.clientY - r.top);
    }, { passive: false });
    c.addEventListener("pointerdown", function (e) {
      if (!pane.img) return;
      drag = { x: e.clientX, y: e.clientY };
      c.setPointerCapture(e.pointerId);
      c.classList.add("dragging");
    });
    c.addEventListener("pointermove", function (e) {
      if (!drag) return;
      var s = scaleOf(pane);
      state.cx -= (e.clientX - drag.x) / (s * pane.img.naturalWidth);
      state.cy -= (e.clientY - drag.y) / (s * pane.img.naturalHeight);
      drag = { x: e.clientX, y: e.clientY };
      redraw();
    });
    ["pointerup", "pointercancel"].forEach(function (type) {
      c.addEventListener(type, function () { drag = null; c.classList.remove("dragging"); });
    });
  }

  document.querySelectorAll(".viewer-tools [data-action]").forEach(function (el) {
    var action = el.dataset.action;
    el.addEventListener(action === "boxes" ? "change" : "click", function () {
      var first = panes.find(function (p) { return p.img; });
      if (action === "boxes") { state.boxes = el.checked; redraw(); return; }
      if (action === "reset") { state.zoom = 1; state.cx = 0.5; state.cy = 0.5; redraw(); return; }
      if (!first) return;
      var c = first.canvas;
      zoomAt(first, action === "zoom-in" ? 1.5 : 1 / 1.5, c.clientWidth / 2, c.clientHeight / 2);
    });
  });
  window.addEventListener("resize", redraw);
})();
