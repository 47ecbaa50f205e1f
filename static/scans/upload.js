// Drag-and-drop upload of several scans with a progress bar each.
// One request per file, so one bad file does not stop the others; the server refuses
// bad content with a clear message, shown beside the file's name.
(function () {
  "use strict";
  var form = document.getElementById("scan-upload-form");
  if (!form) return;
  var zone = document.getElementById("scan-dropzone");
  var list = document.getElementById("scan-upload-progress");
  var input = form.querySelector("input[type=file]");
  var pending = 0;
  var stored = 0;

  function fieldsOnly() {
    var data = new FormData(form);
    data.delete(input.name);
    return data;
  }

  // An error about one of the form's fields (capture time, scanner ID, the file itself, ...) is shown
  // beside that field, as the page shows it without the script; the file's line says the file was not stored.
  function clearFieldErrors() {
    form.querySelectorAll(".invalid-feedback").forEach(function (el) { el.remove(); });
    form.querySelectorAll(".is-invalid").forEach(function (el) {
      el.classList.remove("is-invalid");
      el.removeAttribute("aria-invalid");
    });
  }

  function fieldText(text) {
    return Array.isArray(text) ? text.join(" ") : String(text);
  }

  // ``order``: the file's place in its batch; the file field lists the refusals in the files' order, whichever
  // answer came first.
  function showFieldErrors(fields, order) {
    Object.keys(fields || {}).forEach(function (name) {
      var el = form.elements.namedItem(name);
      if (!el || !el.closest) return;
      var box = el.closest(".mb-2") || el.parentNode;
      var text = fieldText(fields[name]);
      // Several files: the same error once; the file field lists each refused file's own (each names its file).
      var said = Array.prototype.some.call(box.querySelectorAll(".invalid-feedback"), function (e) {
        return el !== input || e.textContent === text;
      });
      if (said) return;
      el.classList.add("is-invalid");
      el.setAttribute("aria-invalid", "true");
      var msg = document.createElement("div");
      msg.className = "invalid-feedback d-block";
      msg.setAttribute("role", "alert");
      msg.textContent = text;
      if (el === input) {
        msg.dataset.order = String(order);
        var after = Array.prototype.find.call(box.querySelectorAll(".invalid-feedback"), function (e) {
          return e.dataset.order !== undefined && +e.dataset.order > order;
        });
        if (after) {
          box.insertBefore(msg, after);
          return;
        }
      }
      box.appendChild(msg);
    });
  }

  function uploadOne(file, order) {
    var item = document.createElement("li");
    var name = document.createElement("span");
    name.textContent = file.name + " ";
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    var status = document.createElement("span");
    item.append(name, bar, status);
    list.appendChild(item);

    var data = fieldsOnly();
    data.append(input.name, file, file.name);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) bar.value = Math.round((e.loaded / e.total) * 100);
    });
    xhr.addEventListener("load", function () {
      var body = {};
      try { body = JSON.parse(xhr.responseText); } catch (err) { body = {}; }
      if (xhr.status === 201) {
        bar.value = 100;
        status.className = "done";
        status.textContent = " ✓";
        stored += 1;
      } else {
        bar.value = 0; // nothing was stored: the bar does not stay full beside the refusal
        status.className = "error";
        var fields = (body.error && body.error.fields) || {};
        if (fields[input.name]) {
          // A refusal of the file is said once, beside the file field, naming the file; its line marks it refused.
          status.textContent = " " + (zone.dataset.refused || "refused");
        } else {
          status.textContent = " " + ((body.error && body.error.message) || xhr.status + " " + xhr.statusText);
        }
        if (body.error) showFieldErrors(fields, order);
        if (body.error && body.error.duplicate_of) {
          // The same image is already stored: link to it rather than storing it twice.
          var first = document.createElement("a");
          first.href = body.error.duplicate_of.url;
          first.textContent = zone.dataset.firstUpload || "first upload";
          first.dataset.duplicateOf = body.error.duplicate_of.id;
          status.append(" ", first);
        }
      }
      finish();
    });
    xhr.addEventListener("error", function () {
      status.className = "error";
      status.textContent = " " + (zone.dataset.networkError || "network error");
      finish();
    });
    pending += 1;
    xhr.send(data);
  }

  // "۲ اسکن ذخیره شد.": the page's own sentence with the count in the page's digits.
  function storedText(n) {
    var count = String(n);
    if ((document.documentElement.lang || "").indexOf("fa") === 0) {
      count = count.replace(/[0-9]/g, function (d) { return "۰۱۲۳۴۵۶۷۸۹".charAt(+d); });
    }
    return (zone.dataset.stored || "%(n)s").replace("%(n)s", count);
  }

  // The same success message as the pages' own (base.html), at the top of the page.
  function showStored(n) {
    var main = document.getElementById("main") || document.body;
    var box = main.querySelector(".messages");
    if (!box) {
      box = document.createElement("div");
      box.className = "messages";
      box.setAttribute("role", "status");
      main.insertBefore(box, main.firstChild);
    }
    var alert = document.createElement("div");
    alert.className = "alert alert-success py-2";
    alert.dataset.uploaded = String(n);
    alert.textContent = storedText(n);
    box.replaceChildren(alert);
  }

  // The lists of scans and comparisons from the page as it is now; the file lines (and any error
  // beside a file that was not stored) stay. Without an answer, the whole page is loaded again.
  function refreshLists() {
    return fetch(window.location.pathname + window.location.search, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        [".scan-stages", "#scan-comparisons"].forEach(function (selector) {
          var now = document.querySelector(selector);
          var next = fresh.querySelector(selector);
          if (now && next) {
            now.replaceWith(next);
            if (window.htmx) window.htmx.process(next); // the comparisons poll until their verdict
          }
        });
      });
  }

  function finish() {
    pending -= 1;
    if (pending === 0 && stored > 0) {
      var n = stored;
      stored = 0;
      refreshLists().then(
        function () { showStored(n); },
        function () { window.location.reload(); }
      );
    }
  }

  function uploadAll(files) {
    if (!form.reportValidity || form.reportValidity()) {
      clearFieldErrors();
      var said = document.querySelector("#main > .messages [data-uploaded]");
      if (said) said.remove(); // a new batch: the last one's count is no longer news
      Array.prototype.forEach.call(files, uploadOne);
    }
  }

  form.addEventListener("submit", function (e) {
    if (!input.files.length) return; // let the server say what is missing
    e.preventDefault();
    uploadAll(input.files);
    input.value = "";
  });
  ["dragenter", "dragover"].forEach(function (type) {
    zone.addEventListener(type, function (e) { e.preventDefault(); zone.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (type) {
    zone.addEventListener(type, function (e) { e.preventDefault(); zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (e) {
    if (e.dataTransfer && e.dataTransfer.files.length) uploadAll(e.dataTransfer.files);
  });
  zone.addEventListener("keydown", function (e) {
    if (e.key === "Enter" || e.key === " ") { e.preventDefault(); input.click(); }
  });
})();
