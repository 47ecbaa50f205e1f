"""Demo and benchmark data: realistic declarations at scale, with every status and anomaly.

Rows are generated a chunk at a time with numpy (one vectorised draw per column),
formatted as COPY text, and written with PostgreSQL ``COPY`` (or ``executemany``
on SQLite). Generation and writing are timed apart, so one run reports both the
seed rate and the rate of a plain COPY of the very same rows into the same
indexed tables.

Only the declarations themselves are written here (with their duplicate flags, which
the generated rows really carry: shared waybills, IMEIs and trucks), and, through ``ClosedCases``
(``casework.demo.CLOSED_CASES``), the ended judicial case of each one closed («مختومه»), in the
same chunk: a declaration is closed only after a judicial case on it ended. The evidence summary
(plate reads, scans, comparisons, permits) is left empty: the demo evidence of each app
(``anpr.demo``, ``scans.demo``, ``casework.demo``, ``reports.demo``, ``permits_demo`` below)
makes the real rows through that app's services, which keep the summary.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from unittest import mock

import numpy as np
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import CustomsOffice
from core import dates

from . import covered
from .covered_data import ensure_covered_goods
from .identifiers import iso6346_check_digit, luhn_check_digit, national_id_check_digit
from .models import (
    Driver,
    GoodsItem,
    GoodsSerial,
    RoadDistance,
    RouteTimeLimit,
    TransitDeclaration,
    TransportCompany,
    UnsettledReason,
    Vehicle,
)
from .plates import PLATE_LETTERS
from .road_distances import ensure_road_distances

NULL = "\\N"
FOREIGN = ["TR", "AZ", "AM", "AF", "PK", "IQ", "TM", "RU", "KZ", "UZ", "GE", "TJ"]
FOREIGN_P = np.array([22, 14, 8, 12, 8, 12, 8, 5, 4, 3, 2, 2], float)
GOODS = [
    ("851713", "گوشی تلفن همراه", "عدد", True),
    ("847130", "رایانه قابل حمل", "عدد", True),
    ("390110", "پلی‌اتیلن گرید فیلم", "کیلوگرم", False),
    ("252329", "سیمان پرتلند", "تن", False),
    ("080510", "پرتقال تازه", "کیلوگرم", False),
    ("720839", "ورق فولادی گرم‌نورد", "تن", False),
    ("640399", "کفش چرمی", "جفت", False),
    ("870899", "قطعات یدکی خودرو", "کیلوگرم", False),
    ("300490", "دارو", "بسته", False),
    ("520512", "نخ پنبه‌ای", "کیلوگرم", False),
    ("271019", "روغن موتور", "لیتر", False),
    ("940360", "مبلمان چوبی", "عدد", False),
]
FIRST = ["علی", "محمد", "حسین", "رضا", "مهدی", "احمد", "حسن", "جواد", "سعید", "مجید", "امیر", "یوسف"]
LAST = ["رضایی", "احمدی", "محمدی", "حسینی", "کریمی", "موسوی", "جعفری", "قاسمی", "نوری", "صادقی", "اکبری"]
FOREIGN_NAMES = ["Mehmet Yilmaz", "Ali Aliyev", "Armen Petrosyan", "Ahmad Karimi", "Murat Kaya", "Rustam Nazarov"]
COMPANY_WORDS = ["ترابر", "حمل‌ونقل بین‌المللی", "ترانزیت", "کالارسان", "باربری", "لجستیک"]
# Office clerks' names, as their records name them (the actor of an office's demo evidence).
CLERK_NAMES = [
    ("علی", "رضایی"),
    ("زهرا", "محمدی"),
    ("حسین", "کاظمی"),
    ("فاطمه", "حسینی"),
    ("مهدی", "جعفری"),
    ("مریم", "نوری"),
    ("امیر", "صادقی"),
    ("لیلا", "موسوی"),
    ("محمد", "قاسمی"),
    ("نرگس", "اکبری"),
    ("سعید", "رحیمی"),
]
COMPANY_NAMES = ["آریا", "پارس", "البرز", "زاگرس", "خزر", "سپهر", "ایرانیان", "کوهستان", "دریا", "ستاره"]
REASONS = list(UnsettledReason.values)


class _Rollback(Exception):
    pass


@dataclass
class Timing:
    generate: float = 0.0
    write: float = 0.0
    rebuild: float = 0.0
    baseline_rows: int = 0
    baseline_copy: float = 0.0
    rows: dict[str, int] = field(default_factory=dict)

    def add_rows(self, table: str, n: int) -> None:
        self.rows[table] = self.rows.get(table, 0) + n


def _ts(seconds: np.ndarray) -> np.ndarray:
    """Epoch seconds (float, NaN = null) to COPY text timestamps in UTC."""
    out = np.full(seconds.shape, NULL, dtype=object)
    ok = ~np.isnan(seconds)
    if ok.any():
        s = np.datetime_as_string(seconds[ok].astype("int64").astype("datetime64[s]"), unit="s")
        out[ok] = np.char.add(s, "+00:00")
    return out


def _copy_text(columns: list[str], data: dict[str, object], n: int) -> str:
    cols = []
    for c in columns:
        v = data[c]
        cols.append([v] * n if isinstance(v, str) else (v.tolist() if isinstance(v, np.ndarray) else v))
    return "\n".join(map("\t".join, zip(*cols))) + "\n"


def _sqlite_value(v: str):
    """COPY text to what Django's SQLite backend stores: NULL, 0/1, naive UTC 'YYYY-MM-DD HH:MM:SS'."""
    if v == NULL:
        return None
    if v in ("true", "false"):
        return int(v == "true")
    if len(v) == 25 and v[10] == "T" and v.endswith("+00:00"):
        return f"{v[:10]} {v[11:19]}"
    return v


class Writer:
    """COPY on PostgreSQL, executemany elsewhere; records write time."""

    def __init__(self, timing: Timing):
        self.timing = timing
        self.pg = connection.vendor == "postgresql"

    def write(self, model, columns: list[str], text: str, n: int) -> None:
        table = model._meta.db_table
        names = ", ".join(f'"{c}"' for c in columns)  # quoted: a column may be a keyword («on» of a case action)
        t0 = time.perf_counter()
        with connection.cursor() as cur:
            if self.pg:
                cur.cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", io.StringIO(text))
            else:
                rows = [[_sqlite_value(v) for v in line.split("\t")] for line in text.rstrip("\n").split("\n")]
                marks = ", ".join(["%s"] * len(columns))
                # table and column names come from model metadata, never from input
                cur.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)  # noqa: S608
        self.timing.write += time.perf_counter() - t0
        self.timing.add_rows(table, n)


BULK_MODELS = [TransitDeclaration, GoodsItem, GoodsSerial]
# A declaration closed in the history was overdue for at least this long: its case opened past the
# deadline and ended before the closing. One too recent for that is still on the road.
CASE_MIN_DAYS = 20


@dataclass
class Closed:
    """The declarations of one chunk closed after a judicial case: ids, origin office ids, and the
    deadline and closing instants (epoch seconds)."""

    ids: np.ndarray
    origin_ids: np.ndarray
    deadline: np.ndarray
    closed_at: np.ndarray


@dataclass
class ClosedCases:
    """Writes the ended judicial case of each closed declaration, for an app above this one
    (``casework.demo.CLOSED_CASES``): ``write(builder, closed)`` once a chunk, in its transaction, with
    the builder's generator and writer; ``models``: the tables it fills (their id sequences are reset
    after the load)."""

    write: Callable[[DemoBuilder, Closed], None]
    models: list = field(default_factory=list)


def _drop_secondary(models) -> list[str]:
    """Drop non-constraint indexes and foreign keys of ``models``; return the SQL that recreates them."""
    restore: list[str] = []
    if not models:
        return restore
    with connection.cursor() as cur:
        for model in models:
            table = model._meta.db_table
            cur.execute(
                """SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c
                   WHERE c.conrelid = %s::regclass AND c.contype = 'f'""",
                [table],
            )
            for name, definition in cur.fetchall():
                cur.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
                restore.append(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition}')
            cur.execute(
                """SELECT i.indexname, i.indexdef FROM pg_indexes i
                   WHERE i.tablename = %s AND NOT EXISTS (
                     SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""",
                [table],
            )
            for name, definition in cur.fetchall():
                cur.execute(f'DROP INDEX "{name}"')
                restore.insert(0, definition)  # indexes first, then the foreign keys
    return restore


def _restore_secondary(statements: list[str]) -> None:
    if not statements:
        return
    with connection.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '1GB'")
        for sql in statements:
            cur.execute(sql)


def _next_id(model) -> int:
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def _reset_sequences(models) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        for model in models:
            table = model._meta.db_table
            # table name from model metadata, never from input
            sql = f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE(MAX(id), 1)) FROM {table}"  # noqa: S608
            cur.execute(sql)


def _plates(rng: np.random.Generator, n: int) -> list[str]:
    letters = np.array(list(PLATE_LETTERS.replace("ژ", "")))
    a = rng.integers(10, 100, n)
    letter = letters[rng.integers(0, len(letters), n)]
    b = rng.integers(100, 1000, n)
    region = rng.integers(10, 100, n)
    return [f"{x}{y}{z}{r}" for x, y, z, r in zip(a.tolist(), letter.tolist(), b.tolist(), region.tolist())]


def _foreign_plate(rng: np.random.Generator, country: str) -> str:
    letters = "ABCDEFGHJKLMNPRSTUVXYZ"
    if country == "TR":
        return f"{rng.integers(1, 82):02d}{''.join(rng.choice(list(letters), 2))}{rng.integers(100, 9999)}"
    return f"{''.join(rng.choice(list(letters), 2))}{rng.integers(1000, 99999)}"


class DemoBuilder:
    """Builds the data set. ``progress`` gets (done, total) after each chunk. ``closed_cases`` writes the
    judicial cases of the declarations closed after one; without it none is closed (they stay in transit)."""

    def __init__(
        self,
        *,
        seed: int = 1404,
        months: int = 18,
        now: dt.datetime | None = None,
        closed_cases: ClosedCases | None = None,
    ):
        self.closed_cases = closed_cases
        self.rng = np.random.default_rng(seed)
        self.months = months
        self.now = now or timezone.now()
        self.timing = Timing()
        self.writer = Writer(self.timing)

    # -- reference data ------------------------------------------------------------------
    def prepare(self, n_declarations: int) -> None:
        rng = self.rng
        self.offices = list(CustomsOffice.objects.order_by("code"))
        if len(self.offices) < 2:
            raise RuntimeError("no offices: run ensure_offices() first")
        self.office_ids = np.array([o.pk for o in self.offices])
        self.office_codes = np.array([o.code for o in self.offices])
        self.office_anpr = np.array([o.has_anpr for o in self.offices])
        self.office_scanner = np.array([o.has_scanner for o in self.offices])
        weights = np.array([3.0 if o.kind in ("border", "port") else 1.0 for o in self.offices])
        self.office_p = weights / weights.sum()
        # Allowed transit hours between offices: 48 h within a province, 72–120 h across.
        k = len(self.offices)
        prov = np.array([o.province_id for o in self.offices])
        hours = np.where(prov[:, None] == prov[None, :], 48, rng.choice([72, 96, 120], (k, k)))
        self.hours = hours
        if not RouteTimeLimit.objects.exists():
            RouteTimeLimit.objects.bulk_create(
                RouteTimeLimit(origin_id=self.office_ids[i], destination_id=self.office_ids[j], hours=int(hours[i, j]))
                for i in range(k)
                for j in range(k)
                if i != j
            )
        # The least trip of each pair, as the arrival service measures it (``services.shortest_trip``), on the
        # shipped road distances (stored here, before any arrival: make run's evidence would store them later).
        ensure_road_distances()
        self.min_trip_h = self._shortest_trips()
        # Covered goods (issue 15 §2): for each kind of GOODS, the first instant its serials are mandatory
        # (epoch seconds; inf when not covered) and whether its serials are IMEIs.
        ensure_covered_goods()  # a test database flushed since its migration has none
        table = covered.rules()
        rules = [covered.rule_for(code, table) for code, _d, _u, _e in GOODS]
        self.covered_from = np.array([r.starts.timestamp() if r else np.inf for r in rules])
        self._companies(max(50, min(5000, n_declarations // 2000)))
        self._vehicles(max(500, min(400_000, n_declarations // 20)))
        self._drivers(max(500, min(400_000, n_declarations // 20)))

    def _shortest_trips(self) -> np.ndarray:
        """Hours of the shortest trip between each pair of offices (``services.shortest_trip``, vectorised):
        ``TRANSIT_MIN_TRIP_MINUTES``, or the stored road distance at ``PERMIT_MAX_AVG_KMH`` where longer."""
        index = {pk: i for i, pk in enumerate(self.office_ids.tolist())}
        hours = np.full((len(index), len(index)), settings.TRANSIT_MIN_TRIP_MINUTES / 60)
        if settings.PERMIT_MAX_AVG_KMH > 0:
            for a, b, km in RoadDistance.objects.values_list("office_a_id", "office_b_id", "km"):
                if a in index and b in index:
                    i, j = index[a], index[b]
                    hours[i, j] = hours[j, i] = max(hours[i, j], km / settings.PERMIT_MAX_AVG_KMH)
        return hours

    def _timed_write(self, model, columns, make: Callable[[], tuple[str, int]]) -> None:
        t0 = time.perf_counter()
        text, n = make()
        self.timing.generate += time.perf_counter() - t0
        self.writer.write(model, columns, text, n)

    def _companies(self, n: int) -> None:
        rng, start = self.rng, _next_id(TransportCompany)
        ids = np.arange(start, start + n)

        def make():
            names = [
                f"{COMPANY_WORDS[a]} {COMPANY_NAMES[b]} {dates.persian_digits(i)}"
                for i, a, b in zip(ids.tolist(), rng.integers(0, 6, n).tolist(), rng.integers(0, 10, n).tolist())
            ]
            data = {
                "id": ids.astype(str),
                "name": names,
                "registration_no": [f"D{i:07d}" for i in ids.tolist()],
                "country": "IR",
                # Legal-entity national ID (11 digits) and postal code: the person file's search keys.
                "national_id": [f"1010{i:07d}" for i in ids.tolist()],
                "postal_code": [f"{x:010d}" for x in rng.integers(1_000_000_000, 9_999_999_999, n).tolist()],
            }
            return _copy_text(list(data), data, n), n

        columns = ["id", "name", "registration_no", "country", "national_id", "postal_code"]
        self._timed_write(TransportCompany, columns, make)
        self.company_ids = ids

    def _vehicles(self, n: int) -> None:
        rng, start = self.rng, _next_id(Vehicle)
        existing = set(Vehicle.objects.values_list("plate", flat=True)[:1_000_000])
        foreign = rng.random(n) < 0.25
        countries = np.where(
            foreign, np.array(FOREIGN)[rng.choice(len(FOREIGN), n, p=FOREIGN_P / FOREIGN_P.sum())], "IR"
        )
        plates, seen = [], set(existing)
        iranian = iter(_plates(rng, n * 2))
        for c in countries.tolist():
            while True:
                p = next(iranian) if c == "IR" else _foreign_plate(rng, c)
                if p not in seen:
                    break
            seen.add(p)
            plates.append(p)
        ids = np.arange(start, start + n)
        company = self.company_ids[rng.integers(0, len(self.company_ids), n)]

        def make():
            data = {
                "id": ids.astype(str),
                "plate": plates,
                "country": countries,
                "trailer_plate": "",
                "company_id": company.astype(str),
            }
            return _copy_text(list(data), data, n), n

        self._timed_write(Vehicle, ["id", "plate", "country", "trailer_plate", "company_id"], make)
        self.vehicle_ids, self.vehicle_country = ids, countries

    def _drivers(self, n: int) -> None:
        rng, start = self.rng, _next_id(Driver)
        ids = np.arange(start, start + n)

        def make():
            first9 = rng.integers(1, 999_999_999, n)
            nids = [f"{x:09d}" for x in first9.tolist()]
            nids = [x + national_id_check_digit(x) for x in nids]
            names = [
                f"{FIRST[a]} {LAST[b]}"
                for a, b in zip(rng.integers(0, 12, n).tolist(), rng.integers(0, 11, n).tolist())
            ]
            # One driver in twenty a foreign national: the foreign-national number instead of a national ID.
            foreign = (ids % 20 == 7).tolist()
            data = {
                "id": ids.astype(str),
                "name": names,
                "national_id": ["" if f else x for f, x in zip(foreign, nids)],
                "passport_no": "",
                "country": ["AF" if f else "IR" for f in foreign],
                "foreign_national_no": [f"1002{i:08d}" if f else "" for f, i in zip(foreign, ids.tolist())],
                "postal_code": [f"{x:010d}" for x in rng.integers(1_000_000_000, 9_999_999_999, n).tolist()],
            }
            return _copy_text(list(data), data, n), n

        columns = ["id", "name", "national_id", "passport_no", "country", "foreign_national_no", "postal_code"]
        self._timed_write(Driver, columns, make)
        self.driver_ids = ids

    # -- declarations ------------------------------------------------------------------
    def build(
        self,
        n: int,
        *,
        chunk: int = 50_000,
        progress: Callable[[int, int], None] | None = None,
        bulk_indexes: bool | None = None,
        baseline_rows: int = 0,
    ) -> Timing:
        """Seed ``n`` declarations. On PostgreSQL into empty tables (``bulk_indexes``), secondary indexes
        and foreign keys are dropped for the load and rebuilt after it, as pg_restore does.
        ``baseline_rows`` > 0 then also times a plain COPY of that many more generated rows into the
        finished, indexed tables (rolled back), for the ratio asked of the seed."""
        self.prepare(n)
        decl_start = _next_id(TransitDeclaration)
        goods_start = _next_id(GoodsItem)
        serial_start = _next_id(GoodsSerial)
        pg = connection.vendor == "postgresql"
        if bulk_indexes is None:
            bulk_indexes = pg and decl_start == 1 and n >= 100_000
        bulk = BULK_MODELS if bulk_indexes and pg else []
        saved = _drop_secondary(bulk)
        try:
            done = 0
            while done < n:
                m = min(chunk, n - done)
                with transaction.atomic():
                    goods_start, serial_start = self._chunk(decl_start + done, m, goods_start, serial_start)
                done += m
                if progress:
                    progress(done, n)
        finally:
            t0 = time.perf_counter()
            _restore_secondary(saved)
            self.timing.rebuild = time.perf_counter() - t0
        case_models = self.closed_cases.models if self.closed_cases else []
        _reset_sequences([TransportCompany, Vehicle, Driver, TransitDeclaration, GoodsItem, GoodsSerial, *case_models])
        if pg:
            with connection.cursor() as cur:
                cur.execute("ANALYZE")
        if pg and baseline_rows:
            self._baseline(decl_start + n, baseline_rows, goods_start, serial_start)
        return self.timing

    def _baseline(self, first_id: int, rows: int, goods_start: int, serial_start: int) -> None:
        """Plain COPY of freshly generated rows into the full, indexed tables, FKs checked, then rolled back."""
        copy_before, gen_before = self.timing.write, self.timing.generate
        rows_before = dict(self.timing.rows)
        try:
            with transaction.atomic():
                with connection.cursor() as cur:
                    cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
                self._chunk(first_id, rows, goods_start, serial_start)
                raise _Rollback
        except _Rollback:
            pass
        self.timing.baseline_rows = rows
        self.timing.baseline_copy = self.timing.write - copy_before
        self.timing.write, self.timing.generate = copy_before, gen_before
        self.timing.rows = rows_before

    def _chunk(self, first_id: int, n: int, goods_start: int, serial_start: int) -> tuple[int, int]:
        t0 = time.perf_counter()
        rng = self.rng
        H = 3600.0
        now = self.now.timestamp()
        ids = np.arange(first_id, first_id + n)
        span = self.months * 30.4 * 86400
        declared = now - rng.random(n) ** 0.9 * span  # a little busier lately
        k = len(self.offices)
        o = rng.choice(k, n, p=self.office_p)
        d = rng.choice(k, n, p=self.office_p)
        same = o == d
        d[same] = (d[same] + 1 + rng.integers(0, k - 1, same.sum())) % k
        limit_h = self.hours[o, d].astype(float)
        departed = declared + rng.uniform(0.5, 12, n) * H
        deadline = departed + limit_h * H
        # Never sooner than the arrival service allows (``check_time``): a far pair takes its road at the most.
        pace = rng.uniform(0.25, 1.2, n)
        travel = np.maximum(limit_h * pace, self.min_trip_h[o, d] * (1 + pace / 2)) * H
        arrived = departed + travel
        settled = arrived + rng.uniform(1, 240, n) * H
        age = now - declared

        # Status by what would have happened by now, then the long tail of problems.
        status = np.full(n, "settled", dtype=object)
        u = rng.random(n)
        status[(u < 0.05)] = "unsettled"
        status[(u >= 0.05) & (u < 0.08)] = "cancelled"
        status[(u >= 0.08) & (u < 0.095)] = "closed"
        status[(u >= 0.095) & (u < 0.11)] = "in_transit"  # never arrived: overdue
        status[(u >= 0.11) & (u < 0.13)] = "arrived"  # arrived, not settled
        status[settled > now] = "arrived"
        status[arrived > now - 60] = "in_transit"  # an arrival is stored a minute before now at the latest
        status[departed > now] = "registered"
        recent = age < 2 * 86400
        status[recent & (rng.random(n) < 0.3)] = "registered"

        st = status
        is_reg, is_transit = st == "registered", st == "in_transit"
        is_arr, is_set, is_uns = st == "arrived", st == "settled", st == "unsettled"
        is_can, is_closed = st == "cancelled", st == "closed"
        arrived_any = is_arr | is_set | is_uns
        nan = np.nan
        dep_col = np.where(is_reg | is_can, nan, departed)
        dl_col = np.where(is_reg | is_can, nan, deadline)
        arr_col = np.where(arrived_any, np.minimum(arrived, now - 60), nan)
        set_col = np.where(is_set, np.minimum(settled, now - 30), nan)
        can_col = np.where(is_can, declared + rng.uniform(1, 48, n) * H, nan)
        can_col = np.minimum(can_col, now - 10)
        closed_col = np.where(is_closed, np.minimum(deadline + rng.uniform(30, 200, n) * 86400, now - 10), nan)
        # Closed only after a judicial case on it ended (``services.close_refusal``): one overdue too briefly
        # for a case to open and end, or with nobody to write its case, is still on the road.
        not_yet = is_closed & ((closed_col - deadline < CASE_MIN_DAYS * 86400) | (self.closed_cases is None))
        st[not_yet] = "in_transit"
        is_closed &= ~not_yet
        is_transit |= not_yet
        closed_col[not_yet] = nan
        uns_col = np.where(is_uns, np.minimum(arrived + rng.uniform(24, 400, n) * H, now - 20), nan)
        changed = np.fmax.reduce([declared, dep_col, arr_col, set_col, can_col, closed_col, uns_col])

        # Carriers.
        veh_idx = rng.integers(0, len(self.vehicle_ids), n)
        # A truck on two declarations at once: give a few in-transit rows the vehicle of another.
        transit_idx = np.flatnonzero(is_transit)
        dup_vehicle = np.zeros(n, bool)
        if len(transit_idx) > 4:
            pick = transit_idx[rng.random(len(transit_idx)) < 0.03]
            if not len(pick):  # a small data set still shows one
                pick = transit_idx[:1]
            other = transit_idx[rng.integers(0, len(transit_idx), len(pick))]
            keep = pick != other
            pick, other = pick[keep], other[keep]
            veh_idx[other] = veh_idx[pick]
            dup_vehicle[pick] = dup_vehicle[other] = True
        vehicle = self.vehicle_ids[veh_idx]
        vcountry = self.vehicle_country[veh_idx]
        driver = self.driver_ids[rng.integers(0, len(self.driver_ids), n)]
        company = self.company_ids[rng.integers(0, len(self.company_ids), n)]

        # Identifiers.
        jy = _jalali_years(declared)  # the serial's year is the Jalali year it was declared in
        codes = self.office_codes[o]
        serial = [f"{y}-{c}-{i:08d}" for y, c, i in zip(jy.tolist(), codes.tolist(), ids.tolist())]
        waybill = np.array([f"WB{i:09d}" for i in ids.tolist()], dtype=object)
        dup_wb = np.zeros(n, bool)
        # a waybill entered twice, mostly on declarations still open (where the signal looks)
        still_open = np.flatnonzero(~(is_set | is_can | is_closed)[:-1]) if n > 1 else np.array([], int)
        pick = still_open[rng.random(len(still_open)) < 0.03]
        waybill[pick + 1] = waybill[pick]
        dup_wb[pick] = dup_wb[pick + 1] = True
        seals = [f'["S{a}", "S{a + 1}"]' for a in rng.integers(1_000_000, 9_000_000, n).tolist()]
        route = [f'["{a}", "{b}"]' for a, b in zip(codes.tolist(), self.office_codes[d].tolist())]
        port = rng.random(n) < 0.15
        containers = []
        for flag, i in zip(port.tolist(), ids.tolist()):
            if flag:
                body = f"IRSU{i % 1_000_000:06d}"
                containers.append(f'["{body}{iso6346_check_digit(body)}"]')
            else:
                containers.append("[]")
        reason = np.where(is_uns, np.array(REASONS)[rng.integers(0, len(REASONS), n)], "")
        note = np.where(reason == "other", "راننده در دسترس نیست", "")
        source_ref = "داده نمایشی"

        # Goods lines (1–3), a few with phone IMEIs; some IMEIs shared by two open declarations.
        n_goods = rng.choice([1, 1, 1, 2, 2, 3], n)
        g_decl = np.repeat(ids, n_goods)
        g_line = np.concatenate([np.arange(1, c + 1) for c in n_goods]) if n else np.array([], int)
        g = len(g_decl)
        kind = rng.integers(0, len(GOODS), g)
        electronics = np.array([GOODS[x][3] for x in kind.tolist()])
        qty = rng.integers(1, 2000, g)
        weight = qty * rng.uniform(0.2, 30, g)
        value = weight * rng.uniform(1, 20, g)
        goods_ids = np.arange(goods_start, goods_start + g)
        serial_rows = []
        open_mask = ~(is_set | is_can | is_closed)
        g_open = open_mask[g_decl - first_id]
        serial_lists = ["[]"] * g
        dup_serial_decls = set()
        sid = serial_start
        last_shared = None
        # Phones are covered goods (group ب): nearly all carry their IMEIs; other electronics now and then.
        is_phone = kind == 0
        bad_imei_decls = set()
        for j in np.flatnonzero(electronics & (rng.random(g) < np.where(is_phone, 0.97, 0.3))).tolist():
            decl = int(g_decl[j])
            imeis = []
            for _ in range(2):
                body = f"35{rng.integers(0, 10**12):012d}"
                imeis.append(body + luhn_check_digit(body))
            if g_open[j] and rng.random() < 0.5:
                if last_shared and last_shared[1] != decl:
                    imeis[0] = last_shared[0]
                    dup_serial_decls.update({decl, last_shared[1]})
                    last_shared = None
                else:
                    last_shared = (imeis[0], decl)
            if rng.random() < 0.01:
                imeis[1] = imeis[1][:-1] + str((int(imeis[1][-1]) + 1) % 10)  # fails its check digit
                bad_imei_decls.add(decl)
            serial_lists[j] = json.dumps(imeis)
            for value_ in imeis:
                serial_rows.append((str(sid), value_, "true", str(decl), str(goods_ids[j])))
                sid += 1
        dup_serial = np.isin(ids, list(dup_serial_decls))
        # The two summary columns an import would set (``covered.goods_flags``), vectorised.
        no_serials = np.array([x == "[]" for x in serial_lists], bool)
        uncovered_line = no_serials & (declared[g_decl - first_id] >= self.covered_from[kind])
        uncovered = np.isin(ids, g_decl[uncovered_line])
        bad_imei = np.isin(ids, list(bad_imei_decls))

        created = np.full(n, now)
        data = {
            "id": ids.astype(str),
            "serial": serial,
            "declared_at": _ts(declared),
            "origin_id": self.office_ids[o].astype(str),
            "destination_id": self.office_ids[d].astype(str),
            "route": route,
            "vehicle_id": vehicle.astype(str),
            "vehicle_country": vcountry,
            "trailer_plate": "",
            "driver_id": driver.astype(str),
            "company_id": company.astype(str),
            "waybill_no": waybill,
            "seal_numbers": seals,
            "container_numbers": containers,
            "mrn": "",
            "guarantee_ref": [f"G{i}" for i in ids.tolist()],
            "guarantee_amount": (rng.integers(50, 5000, n) * 10_000_000).astype(str),
            "deadline": _ts(dl_col),
            "status": st,
            "departed_at": _ts(dep_col),
            "arrived_at": _ts(arr_col),
            "settled_at": _ts(set_col),
            "cancelled_at": _ts(can_col),
            "closed_at": _ts(closed_col),
            "unsettled_reason": reason,
            "unsettled_note": note,
            "unsettled_note_msgid": "",  # the bulk history's notes are written text, as an import's are
            "unsettled_note_params": "{}",
            "unsettled_at": _ts(uns_col),
            "status_source": "seed",
            "status_source_ref": source_ref,
            "status_changed_at": _ts(changed),
            "status_changed_by_id": NULL,
            "dest_first_read_at": NULL,
            "last_read_at": NULL,
            "last_read_office_id": NULL,
            "off_route_read_at": NULL,
            "origin_scan_at": NULL,
            "dest_scan_at": NULL,
            "comparison_verdict": "",
            "comparison_review": "",
            "scan_escalated": "false",  # set by the scans' demo, which escalates comparisons (``scans.demo``)
            "dup_waybill": np.where(dup_wb, "true", "false"),
            "dup_goods_serial": np.where(dup_serial, "true", "false"),
            "dup_vehicle": np.where(dup_vehicle, "true", "false"),
            "scan_reused": "false",  # set by the scans' demo, which reuses an image (``scans.demo``)
            "arrival_read_explained": "false",  # set by the reviews' demo (``demo_arrival_reads``)
            "permit_expires_at": NULL,
            "covered_without_serials": np.where(uncovered, "true", "false"),
            "invalid_imei": np.where(bad_imei, "true", "false"),
            "permit_no": "",  # foreign trucks on the road get theirs from ``permits_demo``
            "permit_overdrive_at": NULL,
            "permit_gap_at": NULL,
            "permit_goods_mismatch": "false",
            "created_at": _ts(created),
            "updated_at": _ts(created),
        }
        columns = [f.column for f in TransitDeclaration._meta.concrete_fields]
        decl_text = _copy_text(columns, data, n)
        gdata = {
            "id": goods_ids.astype(str),
            "declaration_id": g_decl.astype(str),
            "line_no": g_line.astype(str),
            "hs_code": np.array([GOODS[x][0] for x in kind.tolist()]),
            "description": [GOODS[x][1] for x in kind.tolist()],
            "quantity": qty.astype(str),
            "unit": [GOODS[x][2] for x in kind.tolist()],
            "gross_weight_kg": np.char.mod("%.3f", weight),
            "value": np.char.mod("%.2f", value),
            "serials": serial_lists,
        }
        gcolumns = [f.column for f in GoodsItem._meta.concrete_fields]
        goods_text = _copy_text(gcolumns, gdata, g)
        serial_text = "".join("\t".join(r) + "\n" for r in serial_rows)
        self.timing.generate += time.perf_counter() - t0

        self.writer.write(TransitDeclaration, columns, decl_text, n)
        if self.closed_cases is not None and is_closed.any():
            at = np.flatnonzero(is_closed)
            self.closed_cases.write(self, Closed(ids[at], self.office_ids[o][at], deadline[at], closed_col[at]))
        self.writer.write(GoodsItem, gcolumns, goods_text, g)
        if serial_rows:
            self.writer.write(
                GoodsSerial,
                ["id", "value", "is_imei", "declaration_id", "goods_item_id"],
                serial_text,
                len(serial_rows),
            )
        return goods_start + g, sid


# -- evidence of this app: staff, traffic permits, arrival confirmations -----------------------------


def _jalali_years(epoch_seconds: np.ndarray) -> np.ndarray:
    """The Jalali year of each instant (seconds since the epoch), vectorised over Nowruz in Tehran."""
    years = np.arange(1390, 1431)
    nowruz = np.array([dates.jalali_month_bounds(int(y), 1)[0].timestamp() for y in years])
    return years[np.searchsorted(nowruz, epoch_seconds, side="right") - 1]


@contextlib.contextmanager
def demo_clock(at: dt.datetime) -> Iterator[None]:
    """Run the app's services as at ``at``, the clock going on from there, for the demo only: a service that
    records the moment it runs (a registration by hand: its timeline entry, ``created_at``, its audit entry)
    then records the moment the demo's story has it, as a clerk typing it in then would have, not the seed's
    run time (a truck registered hours after it left)."""
    real = timezone.now
    offset = at - real()
    with mock.patch.object(timezone, "now", lambda: real() + offset):
        yield


def demo_clerk(office: CustomsOffice):
    """The office's demo user ('bazargan', 'tehran') when it exists, else a clerk account that cannot
    log in (``clerk-<code>``): the actor of the office's demo evidence."""
    from accounts.models import Role, User

    user = User.objects.filter(role=Role.OFFICE, office=office, is_active=True).order_by("pk").first()
    if user is None:
        first, last = CLERK_NAMES[sum(map(ord, office.code)) % len(CLERK_NAMES)]
        user = User(
            username=f"clerk-{office.code.lower()}",
            first_name=first,
            last_name=last,
            role=Role.OFFICE,
            office=office,
            title="کارشناس ترانزیت",
        )
        user.set_unusable_password()
        user.save()
    return user


def equipment_go_live(now: dt.datetime, rng: np.random.Generator) -> dt.datetime:
    """When an office's plate reader or scanner went into service in the demo: one to four days before
    the month of the demo's return (the last whole Jalali month, ``reports.demo``), so that the return
    counts its plate evidence and origin scans; each app then moves it no earlier than the office's own
    few latest arrivals or departures, so that a large data set pays the same."""
    year, month = dates.previous_jalali_month(*dates.jalali_month_of(now))
    start, _end = dates.jalali_month_bounds(year, month)
    return start - dt.timedelta(days=float(rng.uniform(1, 4)))


def demo_staff(username: str, role: str, *, province_code: str | None = None):
    """A demo user by name (made by seed_demo's user list), or an account of that role that cannot log in."""
    from accounts.models import Province, User

    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, role=role, is_staff=role in ("hq", "it"))
        if province_code:
            user.province = Province.objects.get(code=province_code)
        user.set_unusable_password()
        user.save()
    return user


def evidence_png(title: str, lines: list[str], seed: int = 0) -> bytes:
    """A small scanned-document-like PNG (an arrival receipt, an inspection photo)."""
    from PIL import Image, ImageDraw

    rng = np.random.default_rng(seed)
    img = Image.new("L", (420, 300), 246)
    draw = ImageDraw.Draw(img)
    draw.rectangle((10, 10, 410, 290), outline=40, width=3)
    draw.text((24, 22), title, fill=0)
    for i, line in enumerate(lines):
        draw.text((24, 60 + 22 * i), line, fill=30)
    noise = (rng.normal(0, 6, (300, 420))).astype(np.int16)
    arr = np.clip(np.asarray(img, np.int16) + noise, 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "PNG")
    return buf.getvalue()


def evidence_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with a few lines of ASCII text, written by hand (no PDF library needed)."""
    text = " ".join(f"({line.replace('(', '[').replace(')', ']')}) Tj 0 -16 Td" for line in lines)
    content = f"BT /F1 11 Tf 40 780 Td {text} ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def _ids(qs, k: int, rng: np.random.Generator) -> list[int]:
    """Up to ``k`` ids of ``qs``, a seeded random sample (the newest first among equals)."""
    ids = list(qs.order_by("-declared_at").values_list("pk", flat=True)[: max(k * 4, k)])
    if len(ids) > k:
        ids = sorted(rng.choice(ids, k, replace=False).tolist(), key=ids.index)
    return ids


# The foreign trucks of the rules' demo (``anpr.demo.foreign_trucks_demo`` posts their sightings):
# (serial suffix, plate, country, origin, destination, route, status, hours since departure, permit hours)
FOREIGN_SCENARIOS = [
    ("GATE", "34TR9001", "TR", "BZG", "THR", ["BZG", "THR"], "registered", 0, 0),
    ("WAIVED", "34TR9002", "TR", "BZG", "THR", ["BZG", "THR"], "registered", 0, 0),
    ("OFFROUTE", "AM90031", "AM", "BZG", "THR", ["BZG", "TBZ", "THR"], "in_transit", 40, 120),
    ("DRIVING", "AZ90041", "AZ", "BZG", "THR", ["BZG", "TBZ", "THR"], "in_transit", 30, 120),
    ("UNSEEN", "GE90051", "GE", "BZG", "THR", ["BZG", "TBZ", "THR"], "in_transit", 70, 168),
    ("TIRPARK", "TR90061", "TR", "BZG", "THR", ["BZG", "TBZ", "THR"], "in_transit", 30, 120),
    ("EXPIRED", "RU90071", "RU", "JLF", "THR", ["JLF", "TBZ", "THR"], "in_transit", 100, 72),
    ("GOODS", "TR90081", "TR", "NWD", "THR", ["NWD", "TBZ", "THR"], "in_transit", 10, 120),
]
FOREIGN_SERIAL = "DEMO-FT-"


def _exit_border(d: TransitDeclaration) -> CustomsOffice:
    """Where a foreign truck leaves the country: a border or port, never an inland office. Its
    destination when that is one, else the last border on its route, else back through its entry."""
    codes = [d.destination.code, *reversed(d.route or []), d.origin.code]
    kinds = dict(CustomsOffice.objects.filter(code__in=codes).values_list("code", "kind"))
    for code in codes:
        if kinds.get(code, "inland") != "inland":
            return CustomsOffice.objects.get(code=code)
    return CustomsOffice.objects.exclude(kind="inland").order_by("code").first() or d.destination


def _entry_border(d: TransitDeclaration) -> CustomsOffice:
    """Where a foreign truck came in: its origin when that is a border or port, else the first one on its
    route, else where it leaves (``permits.check_border_offices`` refuses an inland office)."""
    codes = [d.origin.code, *(d.route or [])]
    kinds = dict(CustomsOffice.objects.filter(code__in=codes).values_list("code", "kind"))
    for code in codes:
        if kinds.get(code, "inland") != "inland":
            return CustomsOffice.objects.get(code=code)
    return _exit_border(d)


def _foreign_scenarios(now: dt.datetime) -> list[TransitDeclaration]:
    """The scenario trucks, imported as an ICS export would bring them (``import_rows``)."""
    from .importer import import_rows

    rows = []
    for n, (name, plate, country, origin, dest, route, status, hours, _permit) in enumerate(FOREIGN_SCENARIOS, 2):
        declared = now - dt.timedelta(hours=hours + 3)
        rows.append(
            (
                n,
                {
                    "serial": f"{FOREIGN_SERIAL}{name}",
                    "declared_at": declared.isoformat(),
                    "origin": origin,
                    "destination": dest,
                    "route": ";".join(route),
                    "plate": plate,
                    "plate_country": country,
                    "waybill_no": f"WB-FT-{n:03d}",
                    "status": status,
                    "status_at": (now - dt.timedelta(hours=hours)).isoformat() if status == "in_transit" else "",
                    "hs_code": "252329",
                    "description": "سیمان",
                    "quantity": "24",
                    "unit": "تن",
                    "gross_weight_kg": "24000",
                },
            )
        )
    # An identifier-like reference, as a file name would be: the same on English and Persian pages (the batch's
    # reference is stored as written and shown inside «import batch N: …» in the page's language).
    import_rows(rows, source_ref="demo-foreign-trucks")
    return list(
        TransitDeclaration.objects.filter(serial__startswith=FOREIGN_SERIAL).select_related("origin", "destination")
    )


def permits_demo(*, rng: np.random.Generator, now: dt.datetime, scale: float = 1.0) -> dict[str, int]:
    """Traffic permits of foreign trucks through ``permits``: for the trucks in transit (some past
    expiry, a third seen leaving already) and those waiting to depart, each with its fuel receipt and
    documents; one waiting truck has none and is stopped at the gate when its office departs it, and
    one is let through by the province's inspector. The shipped road distances are stored first."""
    from decimal import Decimal

    from accounts.models import Role

    from .permit_checks import PermitRequired, permit_waive
    from .permits import least_allowed_hours, route_length_km, traffic_permit_exit, traffic_permit_record
    from .road_distances import ensure_road_distances
    from .services import declaration_depart

    ensure_road_distances()
    foreign = TransitDeclaration.objects.exclude(vehicle_country="IR")
    counts = {"permits": 0, "permits_expired": 0, "permits_exited": 0, "permits_stopped_at_gate": 0}
    # A permit is recorded while the truck is in the country (the service refuses it later): the
    # bulk history's arrived and settled trucks got theirs before this system held them.
    in_transit = _ids(foreign.filter(status="in_transit", departed_at__isnull=False), int(400 * scale) + 8, rng)
    waiting = _ids(foreign.filter(status="registered"), int(120 * scale) + 4, rng)
    held_back = waiting[:2]  # no permit: one stopped at the gate, one let through on a waiver
    groups = [("in_transit", in_transit), ("registered", waiting[2:])]
    for group, ids in groups:
        for d in TransitDeclaration.objects.filter(pk__in=ids).select_related("origin", "destination", "vehicle"):
            issued = (d.departed_at or now) - dt.timedelta(hours=6)
            hours = int(rng.choice([96, 120, 168]))
            if group == "in_transit" and rng.random() < 0.35:  # stayed past the permit
                hours = max(1, int((now - issued).total_seconds() // 3600) - int(rng.integers(2, 200)))
            elif group == "in_transit":
                hours = max(hours, int((now - issued).total_seconds() // 3600) + int(rng.integers(12, 96)))
            exit_office = _exit_border(d)
            # No shorter than the route allows (``permits.least_allowed_hours``): such a truck is simply not
            # past its permit yet.
            km = route_length_km(list(d.route or []) or [d.origin.code, exit_office.code])
            hours = min(max(hours, least_allowed_hours(km)), 24 * 60)
            permit = traffic_permit_record(
                declaration=d,
                permit_no=f"TP-{d.vehicle_country}-{d.pk:08d}",
                entry_office=_entry_border(d),
                exit_office=exit_office,
                allowed_hours=hours,
                issued_at=issued,
                route=list(d.route or []),
                drivers=1 + int(rng.random() < 0.3),
                fuel_receipt_no=f"FD-{d.pk:07d}",
                fuel_receipt_date=timezone.localtime(issued).date() - dt.timedelta(days=int(rng.integers(0, 3))),
                fuel_receipt_amount=Decimal(int(rng.integers(40, 160)) * 100_000),
                has_international_licence=True,
                has_insurance_card=True,
                has_tax_booklet=bool(rng.random() < 0.97),
                by=demo_clerk(d.origin),
            )
            counts["permits"] += 1
            counts["permits_expired"] += group == "in_transit" and permit.expires_at < now
            # Every third, and the first that can: the demo shows an exit however few permits it draws.
            leaves = counts["permits"] % 3 == 2 or not counts["permits_exited"]
            if group == "in_transit" and leaves and exit_office == d.destination:
                # Seen leaving at its exit border an hour ago; the destination's arrival paperwork follows.
                traffic_permit_exit(permit=permit, at=now - dt.timedelta(hours=1), by=demo_clerk(exit_office))
                counts["permits_exited"] += 1
    scenarios = {d.serial.removeprefix(FOREIGN_SERIAL): d for d in _foreign_scenarios(now)}
    for name, *_rest, permit_hours in FOREIGN_SCENARIOS:
        d = scenarios.get(name)
        if d is None or d.departed_at is None or not permit_hours:
            continue
        issued = d.departed_at - dt.timedelta(hours=2)
        traffic_permit_record(
            declaration=d,
            permit_no=f"TP-{d.vehicle_country}-{name}",
            entry_office=_entry_border(d),
            exit_office=_exit_border(d),
            allowed_hours=permit_hours,
            issued_at=issued,
            route=list(d.route),
            fuel_receipt_no=f"FD-{name}",
            fuel_receipt_date=timezone.localtime(issued).date(),
            fuel_receipt_amount=Decimal(9_600_000),
            has_international_licence=True,
            has_insurance_card=True,
            has_tax_booklet=True,
            goods_description="سیمان",
            goods_weight_kg=Decimal(16_000 if name == "GOODS" else 24_000),  # 8 t more on board than permitted
            by=demo_clerk(d.origin),
        )
        counts["permits"] += 1
    waive = {scenarios["WAIVED"].pk} if "WAIVED" in scenarios else set()
    waive |= set(held_back[1:2])
    held_back += [scenarios[k].pk for k in ("GATE", "WAIVED") if k in scenarios]
    for d in TransitDeclaration.objects.filter(pk__in=held_back).select_related("origin"):
        if d.pk in waive:
            permit_waive(
                declaration=d,
                by=demo_staff("hq", Role.HQ),
                reason="سامانهٔ صدور پروانه قطع است؛ پروانهٔ کاغذی دیده شد و پس از وصل شدن ثبت می‌شود.",
            )
        try:
            declaration_depart(declaration=d, by=demo_clerk(d.origin))
        except PermitRequired:
            counts["permits_stopped_at_gate"] += 1
    return counts


def arrivals_demo(*, rng: np.random.Generator, now: dt.datetime, scale: float = 1.0) -> dict[str, int]:
    """Arrival confirmations with their evidence file, through ``declaration_confirm_arrival``.

    The bulk rows of arrived declarations carry their arrival time; for a sample the truck is put
    back on the road (the status it had before that time) and the destination confirms the
    arrival at that time, with a receipt (PNG or PDF) as evidence."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .models import Source
    from .services import declaration_confirm_arrival, shortest_trip

    ids = _ids(TransitDeclaration.objects.filter(status="arrived", arrived_at__isnull=False), int(40 * scale) + 4, rng)
    done = 0
    for i, d in enumerate(TransitDeclaration.objects.filter(pk__in=ids).select_related("destination", "origin")):
        at = d.arrived_at
        if d.departed_at and at - d.departed_at < shortest_trip(d):  # a bulk row faster than the road allows
            continue
        TransitDeclaration.objects.filter(pk=d.pk).update(status="in_transit", arrived_at=None)
        d.refresh_from_db()
        lines = [f"Arrival receipt {d.serial}", f"Office {d.destination.code}", f"Seals {', '.join(d.seal_numbers)}"]
        if i % 3 == 0:
            evidence = SimpleUploadedFile(f"receipt-{d.pk}.pdf", evidence_pdf(lines))
        else:
            evidence = SimpleUploadedFile(f"receipt-{d.pk}.png", evidence_png("اعلام وصول", lines, seed=d.pk))
        declaration_confirm_arrival(
            declaration=d,
            by=demo_clerk(d.destination),
            at=at,
            seals_intact=i % 7 != 0,
            seal_numbers_found=list(d.seal_numbers),
            remarks="" if i % 7 else "یکی از پلمب‌ها آسیب دیده است.",
            source=Source.OUTSIDE if i % 2 else Source.USER,
            evidence=evidence,
        )
        done += 1
    return {"arrival_confirmations": done}
