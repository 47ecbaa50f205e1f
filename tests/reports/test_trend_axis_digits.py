"""The trend charts' y axis drew zero as a Latin «0» among Persian ticks (Chart.js's number formatter answers
"0" for zero before it looks at the locale), and left the thousands separator to the browser's number data, one of
which groups fa-IR with a Latin comma («۱,۲۵۰»): every tick and tooltip goes through the pages' one formatter.
The page's script (``static/reports/trend.js``) runs under Node with a stand-in page and a Chart that keeps
its options."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="runs the page's script under Node")

HARNESS = """
const page = JSON.parse(process.argv[2]);
// A browser whose number data groups fa-IR with a Latin comma (what a walk saw on the dashboard): «۱,۲۵۰».
const persian = (text) => text.replace(/[0-9]/g, (d) => "۰۱۲۳۴۵۶۷۸۹"[d]);
const EnglishFormat = Intl.NumberFormat;
Intl.NumberFormat = function (locale, options) {
  const format = new EnglishFormat("en-US", options);
  return { format: (v) => (String(locale || "").startsWith("fa") ? persian(format.format(v)) : format.format(v)) };
};
const box = { dataset: { url: "/api/reports/trend/", labels: "{}" } };
globalThis.document = {
  documentElement: { lang: page.lang },
  getElementById: (id) => (id === "trend" ? box : { hidden: true }),
};
const charts = [];
globalThis.Chart = function (canvas, config) { charts.push(config); };
globalThis.Chart.defaults = { font: {} };
const data = { labels: ["تیر ۱۴۰۴"], series: { opening: [0] }, over_40: [0], names: { opening: "o", over_40: "f" } };
globalThis.fetch = () => Promise.resolve({ json: () => Promise.resolve(data) });
page.scripts.forEach((script) => require(script));
const item = { dataset: { label: "o" }, parsed: { x: 0, y: 1250 }, raw: 1250, formattedValue: persian("1,250") };
setTimeout(() => {
  console.log(JSON.stringify(charts.map((c) => [
    [0, 5, 1250].map((v) => c.options.scales.y.ticks.callback(v)),
    c.options.plugins.tooltip.callbacks.label(item),
  ])));
}, 0);
"""


@pytest.mark.parametrize(
    ("lang", "ticks", "tooltip"),
    [("fa", ["۰", "۵", "۱٬۲۵۰"], "o: ۱٬۲۵۰"), ("en", ["0", "5", "1,250"], "o: 1,250")],
)
def test_every_y_tick_and_tooltip_is_in_the_pages_digits(tmp_path, lang, ticks, tooltip):
    harness = tmp_path / "harness.js"
    harness.write_text(HARNESS)
    static = Path(settings.BASE_DIR) / "static"
    scripts = [str(static / "core" / "numbers.js"), str(static / "reports" / "trend.js")]  # as the page loads them
    run = subprocess.run(
        ["node", str(harness), json.dumps({"lang": lang, "scripts": scripts})], capture_output=True, check=True
    )
    # the balance chart and the over-40-days chart; a Persian page groups with ٬ whatever the browser's number data
    assert json.loads(run.stdout) == [[ticks, tooltip], [ticks, tooltip]]
