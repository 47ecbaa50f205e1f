"""The trend charts' legend and months run right to left on a Persian page only: ``static/reports/trend.js`` set it
right to left on English pages too. Runs the page's script under Node with a stand-in page and a Chart that
keeps its options (as ``test_trend_axis_digits``)."""

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
  documentElement: { lang: page.lang, dir: page.dir },
  getElementById: (id) => (id === "trend" ? box : { hidden: true }),
};
const charts = [];
globalThis.Chart = function (canvas, config) { charts.push(config); };
globalThis.Chart.defaults = { font: {} };
const data = { labels: ["Tir 1404"], series: { opening: [0] }, over_40: [0], names: { opening: "o", over_40: "f" } };
globalThis.fetch = () => Promise.resolve({ json: () => Promise.resolve(data) });
require(page.script);
setTimeout(() => {
  console.log(JSON.stringify(charts.map((c) => [c.options.plugins.legend.rtl, c.options.plugins.tooltip.rtl,
    c.options.scales.x.reverse, c.options.scales.y.position])));
}, 0);
"""


@pytest.mark.parametrize(("lang", "direction", "rtl"), [("fa", "rtl", True), ("en", "ltr", False)])
def test_the_legend_follows_the_pages_direction(tmp_path, lang, direction, rtl):
    harness = tmp_path / "harness.js"
    harness.write_text(HARNESS)
    script = str(Path(settings.BASE_DIR) / "static" / "reports" / "trend.js")
    run = subprocess.run(
        ["node", str(harness), json.dumps({"lang": lang, "dir": direction, "script": script})],
        capture_output=True,
        check=True,
    )
    # The balance chart and the over-40-days chart; the months run in the page's direction as the dashboard's
    # chart (the newest on the left of a Persian page), the counts' axis on the page's start side.
    side = "right" if rtl else "left"
    assert json.loads(run.stdout) == [[rtl, rtl, rtl, side], [rtl, rtl, rtl, side]]
