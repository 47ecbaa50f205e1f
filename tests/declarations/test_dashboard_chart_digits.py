"""The dashboard chart's numbers are grouped as the tables group them: «۱٬۲۰۰» with the Persian separator ٬, on
the y axis and in the tooltips alike, through one formatter of the page's own. A browser's number data wrote
«۱,۲۰۰» (a Latin comma between Persian digits) for fa-IR, on the axis beside a table's «۱٬۸۵۱»: the formatter
does not leave the separator to the browser. The page's script (``static/declarations/home.js``) runs under Node
with a stand-in page, a Chart that keeps its options, and such a browser's number data."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="runs the page's script under Node")

HARNESS = """
const page = JSON.parse(process.argv[2]);
// A browser whose number data groups fa-IR with a Latin comma (what the walk saw): «۱,۲۰۰».
const persian = (text) => text.replace(/[0-9]/g, (d) => "۰۱۲۳۴۵۶۷۸۹"[d]);
const english = Number.prototype.toLocaleString;
Number.prototype.toLocaleString = function (locale, options) {
  const text = english.call(this, "en-US", options);
  return String(locale || "").startsWith("fa") ? persian(text) : text;
};
const EnglishFormat = Intl.NumberFormat;
Intl.NumberFormat = function (locale, options) {
  const format = new EnglishFormat("en-US", options);
  return { format: (v) => (String(locale || "").startsWith("fa") ? persian(format.format(v)) : format.format(v)) };
};
const data = { labels: ["تیر ۱۴۰۴"], series: [{ label: "declared", data: [1200] }] };
globalThis.document = {
  documentElement: { lang: page.lang, dir: page.lang === "fa" ? "rtl" : "ltr" },
  getElementById: (id) => (id === "monthly-data" ? { textContent: JSON.stringify(data) } : {}),
};
const charts = [];
globalThis.Chart = function (canvas, config) { charts.push(config); };
globalThis.Chart.defaults = { font: {} };
page.scripts.forEach((script) => require(script));
const options = charts[0].options;
const ticks = [0, 5, 1200, 1250000].map((v) => options.scales.y.ticks.callback(v));
const label = options.plugins.tooltip.callbacks.label;
const item = { dataset: { label: "declared" }, parsed: { x: 0, y: 1200 }, raw: 1200, formattedValue: persian("1,200") };
console.log(JSON.stringify({ ticks: ticks, tooltip: label(item) }));
"""


@pytest.mark.parametrize(
    ("lang", "ticks", "tooltip"),
    [
        ("fa", ["۰", "۵", "۱٬۲۰۰", "۱٬۲۵۰٬۰۰۰"], "declared: ۱٬۲۰۰"),
        ("en", ["0", "5", "1,200", "1,250,000"], "declared: 1,200"),
    ],
)
def test_the_axis_and_the_tooltip_group_thousands_as_the_tables_do(tmp_path, lang, ticks, tooltip):
    harness = tmp_path / "harness.js"
    harness.write_text(HARNESS)
    static = Path(settings.BASE_DIR) / "static"
    scripts = [str(static / "core" / "numbers.js"), str(static / "declarations" / "home.js")]  # as the page loads them
    run = subprocess.run(
        ["node", str(harness), json.dumps({"lang": lang, "scripts": scripts})], capture_output=True, check=True
    )
    assert json.loads(run.stdout) == {"ticks": ticks, "tooltip": tooltip}
