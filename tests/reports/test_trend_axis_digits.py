"""The trend charts' y axis drew zero as a Latin «0» among Persian ticks (Chart.js's number formatter answers
"0" for zero before it looks at the locale): every tick is formatted by the page's own number formatter.
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
require(page.script);
setTimeout(() => {
  console.log(JSON.stringify(charts.map((c) => [0, 5, 1250].map((v) => c.options.scales.y.ticks.callback(v)))));
}, 0);
"""


@pytest.mark.parametrize(("lang", "ticks"), [("fa", ["۰", "۵", "۱٬۲۵۰"]), ("en", ["0", "5", "1,250"])])
def test_every_y_tick_zero_included_is_in_the_pages_digits(tmp_path, lang, ticks):
    harness = tmp_path / "harness.js"
    harness.write_text(HARNESS)
    script = str(Path(settings.BASE_DIR) / "static" / "reports" / "trend.js")
    run = subprocess.run(
        ["node", str(harness), json.dumps({"lang": lang, "script": script})], capture_output=True, check=True
    )
    assert json.loads(run.stdout) == [ticks, ticks]  # the balance chart and the over-40-days chart
