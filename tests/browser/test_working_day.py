"""A working day per role, in Chromium, on the app as `make run` starts it: `manage.py run_embedded`
(the web server, a Celery worker and Celery beat on the broker in files) over a fresh SQLite database
seeded by `seed_demo`. Each role logs in through the real pages (HQ and IT with their second factor,
from the key the seed printed) and does what its day asks, seeing what a person would see: the tile's
count is the list's, the evidence is there, the action says it was done.

Each step writes a screenshot to ``$DAY_SCREENSHOTS/<role>/NN-step.png`` (default
``var/day-screenshots``, not committed). ``DAY_SITE_URL`` + ``DAY_CREDENTIALS`` point the tests at a
site already running (while writing them); otherwise the module starts its own.
"""

from __future__ import annotations

import base64
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(sys.platform != "linux", reason="starts run_embedded as `make run` does (Linux)"),
]

ROOT = Path(__file__).resolve().parents[2]
DECLARATIONS = 2000  # enough for every tile; the demo's own "today" rows are there whatever the size
START_SECONDS = 240  # migrate + seed + start, on a loaded 2-core machine
SHOTS = Path(os.environ.get("DAY_SCREENSHOTS") or ROOT / "var" / "day-screenshots")


def _free_port() -> int:
    for port in range(8120, 8130):  # this project's range on a shared machine, else any
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/login/", timeout=5) as resp:
            return resp.status == 200
    except OSError:
        return False


def _credentials(path: Path) -> dict[str, dict[str, str]]:
    """``username password role scope [recovery=… totp=…|token=…]`` per line, as seed_demo writes them."""
    users = {}
    for line in path.read_text().splitlines():
        parts = line.split()
        extra = dict(p.split("=", 1) for p in parts[4:] if "=" in p)
        users[parts[0]] = {"password": parts[1], **extra}
    return users


@pytest.fixture(scope="module")
def site(tmp_path_factory, chromium):
    """(base URL, credentials): a fresh `make run`-like site, stopped after the module."""
    if os.environ.get("DAY_SITE_URL"):
        yield os.environ["DAY_SITE_URL"].rstrip("/"), _credentials(Path(os.environ["DAY_CREDENTIALS"]))
        return
    if not os.path.exists(CHROMIUM):
        pytest.skip("needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)")
    folder = tmp_path_factory.mktemp("day")
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CELERY_BROKER_DIR", "DATABASE_URL"}}
    env.update(
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        MEDIA_ROOT=str(folder / "media"),
        SECRET_KEY=uuid.uuid4().hex,
        HTTPS="0",  # plain http on 127.0.0.1, as under `make run`
        DJANGO_SETTINGS_MODULE="transit_monitor.settings",
        PYTHONPATH=str(ROOT),
    )
    log = folder / "site.log"
    with open(log, "ab") as out:
        for argv in (
            ["migrate", "-v0"],
            ["seed_demo", "--declarations", str(DECLARATIONS), "--credentials", str(folder / "credentials.txt")],
        ):
            subprocess.run([sys.executable, "manage.py", *argv], cwd=ROOT, env=env, check=True, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{_free_port()}"
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "run_embedded",
                url.removeprefix("http://"),
                "--noreload",
                "--broker-dir",
                str(folder / "broker"),
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + START_SECONDS
        while not _answers(url):
            assert proc.poll() is None, f"run_embedded exited:\n{log.read_text(errors='replace')[-3000:]}"
            assert time.monotonic() < deadline, "the site did not answer"
            time.sleep(0.5)
        yield url, _credentials(folder / "credentials.txt")
    finally:
        proc.terminate()  # run_embedded stops its web server, worker and beat
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()


class Day:
    """One role's browser and its numbered screenshots."""

    def __init__(self, chromium, url: str, users: dict, role: str):
        self.url, self.users, self.role = url, users, role
        self.context = chromium.new_context(viewport={"width": 1366, "height": 900}, locale="fa-IR")
        self.context.set_default_timeout(20000)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.step = 0
        self.folder = SHOTS / role
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):
            old.unlink()

    def shot(self, name: str) -> None:
        self.step += 1
        self.page.screenshot(path=str(self.folder / f"{self.step:02d}-{name}.png"), full_page=True)

    def go(self, path: str) -> None:
        self.page.goto(self.url + path)

    def login(self, username: str) -> None:
        from django_otp.oath import totp

        user = self.users[username]
        self.go("/login/")
        form = self.page.locator('form[action="/login/"]')
        form.locator("#id_username").fill(username)
        form.locator("#id_password").fill(user["password"])
        form.locator("button[type=submit]").click()
        self.page.wait_for_load_state()
        if "totp" in user:
            self.page.wait_for_url("**/accounts/two-factor/**")
            key = base64.b32decode(user["totp"] + "=" * (-len(user["totp"]) % 8))
            self.page.fill("#id_code", f"{totp(key):06d}")
            self.page.click("#two-factor-form button[type=submit]")
        self.page.wait_for_url(f"{self.url}/")
        assert self.page.locator("html").get_attribute("dir") == "rtl"

    def tile(self, signal: str) -> int:
        return int(self.page.locator(f'#signals [data-signal="{signal}"] .count').get_attribute("data-count"))

    def follow_tile(self, signal: str) -> list[str]:
        """From the dashboard, click the tile; the list it opens counts what the tile said. Returns
        the links of the rows."""
        self.go("/")
        count = self.tile(signal)
        assert count > 0, f"the demo gives {self.role} no '{signal}' to follow"
        self.page.click(f'#signals [data-signal="{signal}"]')
        self.page.wait_for_url(f"**/declarations/?signal={signal}")
        listed = int(self.page.locator("#results-count").get_attribute("data-count"))
        rows = self.page.locator("#results tbody tr[data-serial]")
        assert listed == count, f"tile '{signal}' says {count}, its list {listed}"
        assert rows.count() == min(count, 25)
        return [rows.nth(i).locator("a").first.get_attribute("href") for i in range(rows.count())]

    def fetch(self, href: str):
        """A download as the browser's session gets it."""
        response = self.context.request.get(self.url + href)
        assert response.ok, f"{href}: {response.status}"
        return response

    def fetch_when_ready(self, href: str, seconds: float = 60):
        """A file the worker is still making answers 202 "being prepared"; a person tries again."""
        deadline = time.monotonic() + seconds
        while (response := self.context.request.get(self.url + href)).status == 202:
            assert time.monotonic() < deadline, f"{href} still being prepared after {seconds} s"
            time.sleep(0.5)
        assert response.ok, f"{href}: {response.status}"
        return response

    def pdf_page(self, pdf: Path, name: str) -> None:
        """The first page of a downloaded PDF as a numbered screenshot (pdftoppm, beside pdftotext)."""
        self.step += 1
        out = self.folder / f"{self.step:02d}-{name}"
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-singlefile", "-f", "1", str(pdf), str(out)], check=True)

    def message(self) -> str:
        return " ".join(self.page.locator(".alert, .messages, [role=alert], [role=status]").all_inner_texts())

    def close(self) -> None:
        self.context.close()
        assert not self.errors, f"script errors on {self.role}'s pages: {self.errors}"


@pytest.fixture
def day(chromium, site, request):
    url, users = site
    days: list[Day] = []

    def make(role: str) -> Day:
        d = Day(chromium, url, users, role)
        days.append(d)
        return d

    yield make
    for d in days:
        d.close()


def _pdf_text(data: bytes, folder: Path, name: str) -> str:
    path = folder / f"{name}.pdf"
    path.write_bytes(data)
    assert data.startswith(b"%PDF"), f"{name} is not a PDF"
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _detail_with(d: Day, hrefs: list[str], selector: str, limit: int = 25):
    """The first declaration of the list whose page shows ``selector`` (its evidence)."""
    for href in hrefs[:limit]:
        d.go(href)
        if d.page.locator(selector).count():
            return href
    raise AssertionError(f"none of {len(hrefs[:limit])} declarations shows {selector}")


def test_the_inspector_follows_three_tiles_to_their_evidence_and_records_an_inspection(day):
    d = day("inspector")
    d.login("inspector")
    d.shot("dashboard")

    # 1. A truck read at its destination that nobody confirmed: the read and its photo.
    hrefs = d.follow_tile("read_without_arrival")
    d.shot("read-without-arrival-list")
    _detail_with(d, hrefs, '#gate-reads img[alt][src*="/anpr/reads/"]')
    assert d.page.locator('[data-signal="read_without_arrival"]').count() == 1
    d.shot("declaration-with-gate-read")
    photo = d.page.locator('#gate-reads img[src*="/anpr/reads/"]').first.get_attribute("src")
    assert d.fetch(photo).headers["content-type"].startswith("image/")
    d.go(photo)
    d.shot("plate-photo")

    # 2. A suspicious scan comparison: the declaration's scans, then the viewer with its change map.
    hrefs = d.follow_tile("scan_suspicious")
    d.shot("scan-suspicious-list")
    d.go(hrefs[0])
    assert d.page.locator('[data-signal="scan_suspicious"]').count() == 1
    d.page.click('a[href^="/scans/declaration/"]')
    d.page.wait_for_url("**/scans/declaration/**")
    d.shot("declaration-scans")
    d.page.locator('a[href^="/scans/comparison/"]').first.click()
    d.page.wait_for_url("**/scans/comparison/**")
    for pane in ("origin", "destination", "overlay"):
        assert d.page.locator(f'canvas[data-pane="{pane}"]').count() == 1
    heatmap = d.page.locator('canvas[data-pane="overlay"]').get_attribute("data-src")
    assert d.fetch(heatmap).headers["content-type"] == "image/png"
    assert d.page.locator("form[action*='/review/']").count() == 0  # the inspector watches; the office reviews
    d.page.wait_for_timeout(500)  # the canvases draw
    d.shot("scan-viewer")

    # 3. Overdue: a declaration with a follow-up letter sent, and that letter's PDF.
    hrefs = d.follow_tile("overdue")
    d.shot("overdue-list")
    _detail_with(d, hrefs, '#timeline [data-kind="letter"] a[href^="/casework/letters/"]')
    d.shot("overdue-declaration-with-letter")
    d.page.locator('#timeline [data-kind="letter"] a[href^="/casework/letters/"]').first.click()
    d.page.wait_for_url("**/casework/letters/**")
    d.shot("letter")
    pdf_link = d.page.locator('a[href$="/pdf/"]').first.get_attribute("href")
    answer = d.context.request.get(d.url + pdf_link, max_redirects=0)
    if answer.status == 302:  # a draft: its preview is an export the worker builds, followed on its page
        d.go(urlsplit(answer.headers["location"]).path)
        d.page.wait_for_selector("#export-download", timeout=60_000)
        answer = d.fetch(d.page.locator("#export-download").get_attribute("href"))
    text = _pdf_text(answer.body(), d.folder, "letter")
    assert len(text.split()) > 20, text
    d.pdf_page(d.folder / "letter.pdf", "letter-pdf-page-1")

    # 4. The inspection of an office of the province, with its checklist and a follow-up action.
    d.go("/reports/inspections/new/")
    page = d.page
    office = page.locator("#id_office option", has_text="بازرگان").get_attribute("value")
    page.select_option("#id_office", office)
    page.fill("#id_inspected_on", _jalali_today())
    for name in ("origin_scans_uploaded", "destination_checks_done", "anpr_working", "arrivals_timely"):
        page.check(f"input[name={name}][value=yes]")
    page.check("input[name=security_measures][value=no]")
    page.fill("#id_findings", "رمز عبور مشترک روی دو رایانهٔ سالن ترانزیت.")
    page.fill("textarea[name=actions-0-description]", "تعویض رمزهای مشترک و گزارش به مرکز استان")
    page.select_option("select[name=actions-0-responsible_office]", office)
    page.fill("input[name=actions-0-due_on]", _jalali_today(days=14))
    d.shot("inspection-form")
    page.locator("main button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"/reports/inspections/\d+/$"))
    main = page.locator("main").inner_text()
    assert "بازرگان" in main and "تعویض رمزهای مشترک" in main
    d.shot("inspection-recorded")


def _jalali_today(days: int = 0) -> str:
    import datetime as dt

    from django.utils import timezone

    from core.dates import format_jalali

    return format_jalali(timezone.now() + dt.timedelta(days=days), with_time=False)


def _scan_png() -> bytes:
    import io

    from PIL import Image

    from scans.benchmark.pairs import synthetic_scan

    buf = io.BytesIO()
    Image.fromarray(synthetic_scan(4242, 480, 180)).save(buf, "PNG")
    return buf.getvalue()


def test_the_origin_office_uploads_a_scan_and_sends_a_letter(day):
    d = day("bazargan")
    d.login("bazargan")
    d.shot("dashboard")

    # A truck that left this morning with no origin scan: the tile leads to it; the scan is uploaded.
    hrefs = d.follow_tile("origin_scan_missing")
    d.shot("origin-scan-missing-list")
    d.go(hrefs[0])
    assert d.page.locator('[data-signal="origin_scan_missing"]').count() == 1
    serial = d.page.locator("h1 [data-serial]").inner_text().strip()
    d.page.click('a[href^="/scans/declaration/"]')
    d.page.wait_for_url("**/scans/declaration/**")
    page = d.page
    assert page.locator('[data-stage="origin"] li[data-scan]').count() == 0
    page.select_option("#id_stage", "origin")
    page.fill("#id_scanner_id", "BZG-NUC-1")
    page.fill("#id_captured_at", _jalali_now(minutes=-30))
    page.set_input_files("#id_files", files=[{"name": "truck.png", "mimeType": "image/png", "buffer": _scan_png()}])
    d.shot("scan-upload-form")
    page.click("#scan-upload-form button[type=submit]")
    # Once every file is stored the page says so and lists it, without reloading.
    page.locator("#main > .messages .alert-success").wait_for()
    page.wait_for_selector('[data-stage="origin"] li[data-scan]')
    assert page.locator('[data-stage="origin"] li[data-scan]').count() == 1
    d.shot("scan-uploaded")
    d.page.click('h1 a[href^="/declarations/"]')
    assert d.page.locator('[data-signal="origin_scan_missing"]').count() == 0, serial
    assert d.page.locator('#timeline [data-kind="scan"]').count() >= 1
    d.shot("declaration-after-scan")

    # A follow-up letter the daily job drafted: numbered, sent, and its PDF.
    d.go("/casework/letters/?status=draft")
    d.shot("draft-letters")
    page.locator('main a[href^="/casework/letters/"]').first.click()
    page.wait_for_url(re.compile(r"/casework/letters/\d+/$"))
    d.shot("draft-letter")
    page.locator('form[action$="/send/"] button[type=submit]').click()
    page.wait_for_load_state()
    main = page.locator("main").inner_text()
    assert "پیش‌نویس" not in page.locator("h1").inner_text(), main
    assert re.search(r"BZG/", main), main  # numbered from the office's register
    d.shot("letter-sent")
    pdf = page.locator('a[href$="/pdf/"]').first.get_attribute("href")
    text = _pdf_text(d.fetch_when_ready(pdf).body(), d.folder, "letter")
    assert "BZG" in text, text
    d.pdf_page(d.folder / "letter.pdf", "letter-pdf-page-1")


def _jalali_now(minutes: int = 0) -> str:
    import datetime as dt

    from django.utils import timezone

    from core.dates import format_jalali

    return format_jalali(timezone.now() + dt.timedelta(minutes=minutes))


def test_the_destination_is_notified_reviews_a_suspicious_scan_and_confirms_an_arrival_seen_at_the_gate(day):
    d = day("tehran")
    d.login("tehran")
    page = d.page
    unread = int(page.locator("#bell [data-unread]").get_attribute("data-unread"))
    assert unread >= 1
    d.shot("dashboard-with-bell")

    # The bell: a suspicious comparison at Tehran's gate needs a look.
    page.click("#bell")
    page.wait_for_url("**/notifications/")
    item = page.locator('#notifications [data-kind="scan_suspicious"]').first
    serial = item.locator("bdi").first.inner_text().strip()
    d.shot("notifications")
    item.locator('a[href$="/open/"]').click()
    page.wait_for_url("**/scans/comparison/**")
    assert serial in page.locator("main").inner_text()
    page.wait_for_timeout(500)  # the canvases draw
    d.shot("suspicious-comparison")
    page.check("input[name=decision][value=escalate]")
    page.fill("textarea[name=remark]", "در ناحیهٔ عقب بار، بسته‌هایی دیده می‌شود که در مبدأ نبود؛ بازرسی فیزیکی لازم است.")
    d.shot("review-filled")
    page.locator("form[action$='/review/'] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator("form[action$='/review/']").count() == 0 or "escalat" in page.content()
    d.shot("reviewed")
    d.go("/notifications/")
    page.locator('#notifications [data-kind="scan_suspicious"]').first.locator("form button[type=submit]").click()
    page.wait_for_load_state()
    d.shot("notification-done")

    # A truck read at the gate hours ago, arrival not yet confirmed: the form shows the read.
    hrefs = d.follow_tile("read_without_arrival")
    d.shot("read-without-arrival-list")
    _detail_with(
        d, hrefs, 'form[data-action="confirm_arrival"] ~ * #gate-reads[data-seen="yes"], #gate-reads[data-seen="yes"]'
    )
    form = page.locator('form[data-action="confirm_arrival"]')
    assert form.count() == 1
    assert page.locator('#gate-reads[data-seen="yes"] [data-gate-read]').count() >= 1
    # The declared seals as the page lists them (each isolated, «، » between): the parser takes that separator.
    seals = re.sub("[\u2066-\u2069]", "", page.locator("[data-seals]").inner_text())
    form.locator("input[name$=seal_numbers_found]").fill(seals)
    form.locator("input[name$=seals_intact][value=intact]").check()  # the declared seals, found intact
    d.shot("confirm-arrival-with-gate-read")
    form.locator("button[type=submit]").click()
    page.wait_for_selector('[data-status="arrived"]')
    assert page.locator('[data-signal="read_without_arrival"]').count() == 0
    d.shot("arrived")


def test_headquarters_builds_last_months_return_watching_its_progress_and_opens_its_pdf(day):
    d = day("hq")
    d.login("hq")
    d.shot("dashboard")
    d.go("/reports/")
    page = d.page
    before = page.locator("#returns tbody tr").count()
    page.select_option("#id_province", label="آذربایجان غربی")
    d.shot("return-form")  # year and month default to last month
    page.locator("form.build button[type=submit]").click()
    page.wait_for_load_state()
    building = page.locator("#returns-building[data-building] [role=status]")
    assert building.count() == 1, "no word that the return is being built"
    d.shot("return-building")
    # The list reloads itself when the worker is done: the alert goes, the new return is listed.
    page.wait_for_selector("#returns-building:not([data-building])", state="attached", timeout=120000)
    page.wait_for_selector(f"#returns tbody tr:nth-child({before + 1})", timeout=30000)
    d.shot("return-built")
    row = page.locator("#returns tbody tr", has_text="آذربایجان غربی").first
    row.locator("a").first.click()
    page.wait_for_url(re.compile(r"/reports/returns/\d+/$"))
    d.shot("return-detail")
    pdf = page.locator('a[href$="/pdf/"]').first.get_attribute("href")
    text = _pdf_text(d.fetch_when_ready(pdf).body(), d.folder, "return")
    assert len(text.split()) > 50, text
    d.pdf_page(d.folder / "return.pdf", "return-pdf-page-1")  # a download: its first page, as it prints


def test_it_rotates_a_camera_token_and_acknowledges_a_problem(day):
    d = day("it")
    d.login("it")
    d.shot("dashboard")
    page = d.page
    d.go("/anpr/cameras/")
    d.shot("cameras")
    page.locator('main a[href^="/anpr/cameras/"][href$="/"]').filter(has_text=re.compile(r"-IN-")).first.click()
    page.wait_for_url(re.compile(r"/anpr/cameras/\d+/$"))
    camera_url = page.url
    old_prefix = page.locator("dl code").inner_text().strip("\u2066\u2069…")
    d.shot("camera")
    page.locator("#camera-actions form button[type=submit]").click()
    page.wait_for_selector("#camera-token")
    token = page.locator("#camera-token").inner_text().strip()
    assert len(token) > 20 and not token.startswith(old_prefix)
    d.shot("token-shown-once")
    page.goto(camera_url)
    new_prefix = page.locator("dl code").inner_text().strip("\u2066\u2069…")  # «7BpJxcd_…», isolated
    assert new_prefix and token.startswith(new_prefix) and token not in page.content()  # shown once, never again
    d.shot("camera-after-rotation")

    d.go("/reports/problems/")
    d.shot("problems")
    new = page.locator("form[action^='/reports/problems/'] input[name=action][value=acknowledge]").count()
    assert new >= 1
    page.locator("form[action^='/reports/problems/']:has(input[value=acknowledge]) button[type=submit]").first.click()
    page.wait_for_load_state()
    after = page.locator("form[action^='/reports/problems/'] input[name=action][value=acknowledge]").count()
    assert after == new - 1
    d.shot("problem-acknowledged")
