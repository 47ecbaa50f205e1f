"""The users of the load run (``bench/load.py`` starts locust on this file; not run on its own).

Reads the plan ``bench/load.py`` wrote (``LOAD_PLAN``): session cookies of the dashboard personas
with declaration ids in their scope, camera tokens with the plates they should see, and the scan
pairs to upload with the office clerks' API tokens. Three kinds of user, in fixed numbers:

- ``DashboardUser`` (``LOAD_DASHBOARD_USERS``): an inspector's or an office's working pattern:
  the dashboard, a filtered list, a declaration, the signals panel's htmx refresh, the API list;
  1–3 s between clicks (``LOAD_THINK``, "min,max" seconds).
- ``CameraUser`` (``LOAD_CAMERAS``): one camera posting one read a second, each read unique
  (``client_event_id`` = ``load-<run>-<phase>-<camera>-<n>``), about half of them plates of declarations
  bound for the camera's office.
- ``ScanUser`` (one): uploads a scan a second, the origin scan then the destination scan of each
  planned declaration, so that every second upload queues a comparison.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import random
import threading

from locust import FastHttpUser, HttpUser, between, constant_pacing, task

PLAN = json.loads(open(os.environ["LOAD_PLAN"], encoding="utf-8").read())
RUN = PLAN["run"]
PHASE = os.environ.get("LOAD_PHASE", "run")  # "warmup" before the measured run: its own event ids
_camera_ids = itertools.count()
_persona_ids = itertools.count()
_scan_jobs = iter(PLAN["scans"])
_scan_lock = threading.Lock()
LIST_FILTERS = ["?signal=overdue", "?status=in_transit", "?nationality=foreign", "?signal=dup_waybill", "?q=1404"]


def _page(user: FastHttpUser, path: str, headers: dict, name: str) -> None:
    """A page a logged-in user expects: anything but a 200 (a redirect to the login page) is a failure."""
    with user.client.get(path, headers=headers, name=name, allow_redirects=False, catch_response=True) as r:
        if r.status_code != 200:
            r.failure(f"HTTP {r.status_code} {r.headers.get('Location', '')}")


THINK = [float(x) for x in os.environ.get("LOAD_THINK", "1,3").split(",")]


# FastHttpUser (geventhttpclient): the load generator shares the machine, so its own CPU per request
# is kept small; the scan upload needs multipart files, which only HttpUser sends.
class DashboardUser(FastHttpUser):
    fixed_count = int(os.environ.get("LOAD_DASHBOARD_USERS", "200"))
    wait_time = between(THINK[0], THINK[1])

    def on_start(self) -> None:
        persona = PLAN["personas"][next(_persona_ids) % len(PLAN["personas"])]
        self.cookie = {"Cookie": persona["cookie"]}
        self.ids = persona["ids"] or [0]
        self.token = {"Authorization": f"Token {persona['token']}"}
        self.rng = random.Random(persona["cookie"])

    @task(4)
    def dashboard(self) -> None:
        _page(self, "/", self.cookie, "/ dashboard")

    @task(2)
    def signals_panel(self) -> None:
        _page(self, "/?partial=signals", {**self.cookie, "HX-Request": "true"}, "/?partial=signals")

    @task(4)
    def filtered_list(self) -> None:
        _page(self, "/declarations/" + self.rng.choice(LIST_FILTERS), self.cookie, "/declarations/?filter")

    @task(4)
    def declaration(self) -> None:
        _page(self, f"/declarations/{self.rng.choice(self.ids)}/", self.cookie, "/declarations/<id>/")

    @task(1)
    def api_list(self) -> None:
        _page(self, "/api/declarations/?status=in_transit", self.token, "/api/declarations/")


class CameraUser(FastHttpUser):
    fixed_count = int(os.environ.get("LOAD_CAMERAS", "50"))
    wait_time = constant_pacing(1)

    def on_start(self) -> None:
        self.index = next(_camera_ids)
        camera = PLAN["cameras"][self.index % len(PLAN["cameras"])]
        self.headers = {"Authorization": f"Camera {camera['token']}"}
        self.plates = camera["plates"]
        self.rng = random.Random(self.index)
        self.n = 0

    @task
    def post_read(self) -> None:
        self.n += 1
        if self.plates and self.rng.random() < 0.5:
            plate = self.rng.choice(self.plates)
        else:
            plate = f"{self.rng.randint(10, 99)}ب{self.rng.randint(100, 999)}{self.rng.randint(10, 99)}"
        body = {
            "captured_at": dt.datetime.now(dt.UTC).isoformat(),
            "plate": plate,
            "confidence": round(self.rng.uniform(0.7, 0.99), 2),
            "client_event_id": f"load-{RUN}-{PHASE}-{self.index}-{self.n}",
        }
        self.client.post("/api/anpr/reads/", json=body, headers=self.headers, name="POST /api/anpr/reads/")


class ScanUser(HttpUser):
    fixed_count = 1 if PLAN["scans"] and PHASE == "run" else 0  # each planned pair is uploaded once
    wait_time = constant_pacing(float(os.environ.get("LOAD_SCAN_EVERY", "1")))

    @task
    def upload(self) -> None:
        with _scan_lock:
            job = next(_scan_jobs, None)
        if job is None:
            return
        with open(job["file"], "rb") as fh:
            self.client.post(
                "/api/scans/",
                data={
                    "declaration": job["declaration"],
                    "stage": job["stage"],
                    "scanner_id": job["scanner_id"],
                    "captured_at": dt.datetime.now(dt.UTC).isoformat(),
                },
                files={"file": (os.path.basename(job["file"]), fh, "image/png")},
                headers={"Authorization": f"Token {job['token']}"},
                name="POST /api/scans/",
            )
