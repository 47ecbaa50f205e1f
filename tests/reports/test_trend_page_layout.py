"""The trend page: before any return, no blank chart area above «No returns built yet.» (the charts are not on the
page); its province select and button in the app's one form style; a single month drawn centred on the x axis
(not on the y axis), its points large enough to see. The script runs under Node with a stand-in page."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from reports import services

pytestmark = pytest.mark.django_db

HARNESS = """
const page = JSON.parse(process.argv[2]);
const box = { dataset: { url: "/api/reports/trend/" } };
globalThis.document = {
  documentElement: { lang: "fa" },
  getElementById: (id) => (id === "trend" ? box : { hidden: true }),
};
const charts = [];
globalThis.Chart = function (canvas, config) { charts.push(config); };
globalThis.Chart.defaults = { font: {} };
const data = { labels: ["تیر ۱۴۰۴"], series: { opening: [3] }, over_40: [1], names: { opening: "o", over_40: "f" } };
globalThis.fetch = () => Promise.resolve({ json: () => Promise.resolve(data) });
require(page.script);
setTimeout(() => {
  console.log(JSON.stringify(charts.map((c) => ({
    offset: c.options.scales.x && c.options.scales.x.offset,
    radius: c.data.datasets[0].pointRadius,
  }))));
}, 0);
"""


def test_before_any_return_the_charts_are_not_on_the_page(client, hq):
    client.force_login(hq)
    html = client.get("/reports/trend/").content.decode()
    assert "<canvas" not in html
    empty = html.split('id="trend-empty"', 1)[1].split(">", 1)[0]
    assert "hidden" not in empty  # the words say it at once, no blank area above them


def test_with_a_return_the_charts_are_there_and_the_filter_is_styled(client, hq):
    services.return_build(year=1404, month=4, province=None, by=hq)
    client.force_login(hq)
    html = client.get("/reports/trend/").content.decode()
    assert html.count("<canvas") == 2
    form = html.split('id="trend-filters"', 1)[1].split("</form>", 1)[0]
    assert 'class="form-select form-select-sm"' in form and 'class="btn btn-sm btn-primary"' in form
    assert '<label class="form-label small mb-1" for="trend-province">' in form


@pytest.mark.skipif(shutil.which("node") is None, reason="runs the page's script under Node")
def test_one_month_is_drawn_centred_with_points_to_see(tmp_path):
    harness = tmp_path / "harness.js"
    harness.write_text(HARNESS)
    script = str(Path(settings.BASE_DIR) / "static" / "reports" / "trend.js")
    run = subprocess.run(["node", str(harness), json.dumps({"script": script})], capture_output=True, check=True)
    line, bars = json.loads(run.stdout)
    assert line["offset"] is True and line["radius"] >= 4
