"""A file the server refuses, as the page's script shows it: its line's progress bar goes back to empty (nothing was
stored), the file is named once on its line, marked refused, and the reason is said once, beside the file field as
the form's other errors are (it was said again on the file's line); several refusals stand there in the files' order.
A colour photograph showed «car.jpg [full bar] car.jpg is in colour…» under the drop zone and nothing beside the
field. The script (``static/scans/upload.js``) runs under Node with a stand-in page and the server's own answer."""

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.scans.test_colour_photo import car_photo

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("node") is None, reason="runs the page's script under Node"),
]

# A stand-in page: the upload form with its capture-time and file fields (each in the form's .mb-2 box), the drop
# zone and the progress list; an XMLHttpRequest that sends the whole file, then answers with the server's answer.
HARNESS = """
const page = JSON.parse(process.argv[2]);
class El {
  constructor(tag) {
    this.tagName = tag.toUpperCase(); this.children = []; this.parentNode = null; this.className = "";
    this.dataset = {}; this.attrs = {}; this._text = ""; this.listeners = {};
    const el = this;
    this.classList = {
      add: (c) => { if (!el.className.split(" ").includes(c)) el.className = (el.className + " " + c).trim(); },
      remove: (c) => { el.className = el.className.split(" ").filter((x) => x !== c).join(" "); },
      contains: (c) => el.className.split(" ").includes(c),
    };
  }
  get textContent() { return this._text + this.children.map((c) => (typeof c === "string" ? c : c.textContent)).join(""); }
  set textContent(v) { this._text = String(v); this.children = []; }
  appendChild(c) { if (typeof c !== "string") { if (c.parentNode) c.remove(); c.parentNode = this; } this.children.push(c); return c; }
  append(...cs) { cs.forEach((c) => this.appendChild(c)); }
  prepend(...cs) { cs.reverse().forEach((c) => { if (typeof c !== "string") { if (c.parentNode) c.remove(); c.parentNode = this; } this.children.unshift(c); }); }
  insertBefore(c, ref) {
    const at = this.children.indexOf(ref);
    if (at === -1) { this.prepend(c); return c; }
    if (c.parentNode) c.remove();
    c.parentNode = this; this.children.splice(this.children.indexOf(ref), 0, c); return c;
  }
  replaceChildren(...cs) { this.children = []; this.append(...cs); }
  remove() { if (this.parentNode) { const p = this.parentNode; p.children = p.children.filter((c) => c !== this); this.parentNode = null; } }
  replaceWith(n) { const p = this.parentNode; if (p) { p.children[p.children.indexOf(this)] = n; n.parentNode = p; this.parentNode = null; } }
  setAttribute(k, v) { this.attrs[k] = String(v); }
  getAttribute(k) { return k in this.attrs ? this.attrs[k] : null; }
  removeAttribute(k) { delete this.attrs[k]; }
  addEventListener(type, fn) { (this.listeners[type] = this.listeners[type] || []).push(fn); }
  matches(sel) {
    if (sel.startsWith(".")) return sel.slice(1).split(".").every((c) => this.classList.contains(c));
    if (sel === "input[type=file]") return this.tagName === "INPUT" && this.type === "file";
    if (sel.startsWith("[data-")) return sel.slice(6, -1) in this.dataset;
    return this.tagName === sel.toUpperCase();
  }
  all() { return this.children.filter((c) => typeof c !== "string").flatMap((c) => [c, ...c.all()]); }
  querySelectorAll(sel) { const last = sel.trim().split(" ").pop(); return this.all().filter((e) => e.matches(last)); }
  querySelector(sel) { return this.querySelectorAll(sel)[0] || null; }
  closest(sel) { let e = this; while (e && !(e.matches && e.matches(sel))) e = e.parentNode; return e || null; }
}
const byId = {};
function make(tag, props, parent) {
  const e = Object.assign(new El(tag), props || {});
  if (e.id) byId[e.id] = e;
  if (parent) parent.appendChild(e);
  return e;
}
const main = make("main", { id: "main" });
const form = make("form", { id: "scan-upload-form", action: "/scans/upload/" }, main);
const timeBox = make("div", { className: "mb-2" }, form);
const time = make("input", { name: "captured_at", type: "text" }, timeBox);
const fileBox = make("div", { className: "mb-2" }, form);
const names = page.names || [page.name];
const answers = page.answers || [{ status: page.status, body: page.body }];
const input = make("input", { name: "files", type: "file", files: names.map((name) => ({ name })), value: "" }, fileBox);
form.elements = { namedItem: (n) => ({ captured_at: time, files: input })[n] || null };
form.reportValidity = () => true;
const zone = make("div", { id: "scan-dropzone" }, form);
zone.dataset.networkError = "network error";
zone.dataset.refused = "refused";
const list = make("ul", { id: "scan-upload-progress" }, form);
globalThis.document = {
  documentElement: { lang: "en" },
  body: main,
  getElementById: (id) => byId[id] || null,
  createElement: (tag) => new El(tag),
  querySelector: (sel) => main.querySelector(sel),
};
globalThis.FormData = class { append() {} delete() {} };
const sent = [];
globalThis.XMLHttpRequest = class {
  constructor() { this.listeners = {}; this.upload = { listeners: {}, addEventListener: (t, f) => { this.upload.listeners[t] = f; } }; }
  open() {}
  setRequestHeader() {}
  addEventListener(t, f) { this.listeners[t] = f; }
  send() { sent.push(this); }
};
require(page.script);
form.listeners.submit[0]({ preventDefault() {} });
// The server answers the last file first (a smaller file, a quicker check).
sent.map((xhr, i) => [xhr, answers[i]]).reverse().forEach(([xhr, answer]) => {
  xhr.upload.listeners.progress({ lengthComputable: true, loaded: 100, total: 100 });
  xhr.status = answer.status; xhr.statusText = ""; xhr.responseText = answer.body;
  xhr.listeners.load();
});
const line = list.children[0];
console.log(JSON.stringify({
  line: line.textContent,
  lines: list.children.map((l) => l.textContent),
  bar: line.querySelector("progress").value,
  beside: fileBox.querySelectorAll(".invalid-feedback").map((e) => e.textContent),
  invalid: input.getAttribute("aria-invalid"),
}));
"""


def shown(client, tmp_path, declaration, name: str, data: bytes) -> dict:
    """What the page shows after the script posted ``data`` as ``name`` and the server answered."""
    answer = client.post(
        reverse("scans:upload", args=[declaration.pk]),
        {
            "stage": "origin",
            "scanner_id": "NUC-7",
            "captured_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
            "files": SimpleUploadedFile(name, data),
        },
        HTTP_ACCEPT="application/json",
    )
    assert answer.status_code in (400, 415)
    script = str(Path(settings.BASE_DIR) / "static" / "scans" / "upload.js")
    page = {"script": script, "name": name, "status": answer.status_code, "body": answer.content.decode()}
    harness = tmp_path / "harness.js"
    harness.write_text(HARNESS)
    run = subprocess.run(["node", str(harness), json.dumps(page)], capture_output=True)
    assert run.returncode == 0, run.stderr.decode()
    return json.loads(run.stdout)


def test_a_refused_colour_photo_empties_its_bar_names_it_once_and_says_why_beside_the_field(
    client, tmp_path, declaration, origin_clerk
):
    client.force_login(origin_clerk)
    page = shown(client, tmp_path, declaration, "car.jpg", car_photo())
    assert page["bar"] == 0
    assert page["line"].count("car.jpg") == 1 and "refused" in page["line"] and "is in colour" not in page["line"]
    (beside,) = page["beside"]
    assert beside.count("car.jpg") == 1 and "is in colour" in beside and "an X-ray scan must be greyscale" in beside
    assert page["invalid"] == "true"


def test_a_file_refused_for_its_kind_is_named_once_and_beside_the_field_by_its_name(
    client, tmp_path, declaration, origin_clerk
):
    client.force_login(origin_clerk)
    page = shown(client, tmp_path, declaration, "notes.png", b"just some text, not an image\n" * 20)
    assert page["bar"] == 0
    assert page["line"].count("notes.png") == 1 and "refused" in page["line"]
    assert "not a PNG, JPEG or TIFF image" not in page["line"]
    (beside,) = page["beside"]
    assert beside.count("notes.png") == 1 and "not a PNG, JPEG or TIFF image" in beside


def _answer(client, declaration, name: str, data: bytes) -> dict:
    answer = client.post(
        reverse("scans:upload", args=[declaration.pk]),
        {
            "stage": "origin",
            "scanner_id": "NUC-7",
            "captured_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
            "files": SimpleUploadedFile(name, data),
        },
        HTTP_ACCEPT="application/json",
    )
    return {"status": answer.status_code, "body": answer.content.decode()}


def test_two_refused_files_are_listed_beside_the_field_in_the_files_order(client, tmp_path, declaration, origin_clerk):
    client.force_login(origin_clerk)
    names = ["a.png", "b.png"]
    answers = [_answer(client, declaration, n, b"just some text, not an image\n" * 20) for n in names]
    script = str(Path(settings.BASE_DIR) / "static" / "scans" / "upload.js")
    harness = tmp_path / "harness.js"
    harness.write_text(HARNESS)
    page = {"script": script, "names": names, "answers": answers}
    run = subprocess.run(["node", str(harness), json.dumps(page)], capture_output=True)
    assert run.returncode == 0, run.stderr.decode()
    shown = json.loads(run.stdout)
    assert [("a.png" in b, "b.png" in b) for b in shown["beside"]] == [(True, False), (False, True)]
    assert all("not a PNG, JPEG or TIFF image" in b for b in shown["beside"])
    assert [line.count("refused") for line in shown["lines"]] == [1, 1]
    assert not any("not a PNG, JPEG or TIFF image" in line for line in shown["lines"])
