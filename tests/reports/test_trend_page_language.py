"""The trend chart's month labels are in the page's language (the user's choice), not the browser's: a Persian
page whose browser sends ``Accept-Language: en-US`` drew «1404/05» on its axis. The page's own script
(``static/reports/trend.js``, run under Node with a stand-in page) names the page's language to the API."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

from reports import services

pytestmark = [
    pytest.mark.persian,
    pytest.mark.skipif(shutil.which("node") is None, reason="runs the page's script under Node"),
]

# A stand-in for the page: the trend box's data, the page's language, a Chart that draws nothing and a fetch
# that prints what the script asked for.
HARNESS = """
const page = JSON.parse(process.argv[2]);
const box = { dataset: { url: page.url } };
globalThis.document = {
  documentElement: { lang: page.lang },
  getElementById: (id) => (id === "trend" ? box : { hidden: true }),
};
globalThis.Chart = function () {};
globalThis.Chart.defaults = { font: {} };
globalThis.fetch = (url, options) => {
  console.log(JSON.stringify({ url: url, headers: options.headers || {} }));
  return new Promise(() => {});
};
require(page.script);
"""


def test_the_chart_asks_for_its_months_in_the_pages_language(client, hq, tmp_path):
    for month in (4, 5):
        services.return_build(year=1404, month=month, province=None, by=hq)
    client.force_login(hq)
    browser = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}  # an English browser on a Persian workstation
    html = client.get("/reports/trend/", **browser).content.decode()
    lang = re.search(r'<html lang="([^"]+)"', html)[1]
    box = re.search(r"<div id=\"trend\" data-url=\"([^\"]+)\"", html)
    assert lang == "fa"

    harness = tmp_path / "harness.js"
    harness.write_text(HARNESS)
    script = str(Path(settings.BASE_DIR) / "static" / "reports" / "trend.js")
    page = {"url": box[1].replace("&amp;", "&"), "lang": lang, "script": script}
    asked = json.loads(subprocess.run(["node", str(harness), json.dumps(page)], capture_output=True, check=True).stdout)

    # What the browser sends: its own Accept-Language unless the script names one.
    sent = {"Accept-Language": browser["HTTP_ACCEPT_LANGUAGE"], **asked["headers"]}
    meta = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in sent.items()}
    trend = client.get(asked["url"], **meta).json()
    assert trend["labels"] == ["تیر ۱۴۰۴", "مرداد ۱۴۰۴"]
