"""The covered goods the app ships with: the groups of the household-appliance anti-smuggling rules, the
date each became mandatory (1402/07/01, 1403/01/01, 1404/01/01 in the Jalali calendar) and plausible HS
prefixes of each. Headquarters edit them afterwards (``covered``); the migration that made the tables
(``declarations.0013``) and the demo write them with ``ensure_covered_goods`` (idempotent)."""

from __future__ import annotations

import datetime as dt

GROUPS = [
    # code, name, mandatory from
    ("alef", "گروه الف", dt.date(2023, 9, 23)),
    ("be", "گروه ب", dt.date(2024, 3, 20)),
    ("jim", "گروه ج", dt.date(2025, 3, 21)),
]
CODES = [
    # group, HS prefix, description, identifier
    ("alef", "8418", "یخچال و فریزر", "serial"),
    ("alef", "8450", "ماشین لباسشویی", "serial"),
    ("alef", "8528", "تلویزیون و نمایشگر", "serial"),
    ("alef", "8415", "کولر گازی", "serial"),
    ("be", "851713", "گوشی تلفن همراه", "imei"),
    ("be", "851714", "سایر گوشی‌های شبکهٔ بی‌سیم", "imei"),
    ("be", "8508", "جاروبرقی", "serial"),
    ("be", "851650", "اجاق مایکروویو", "serial"),
    ("jim", "842211", "ماشین ظرفشویی خانگی", "serial"),
    ("jim", "851610", "آبگرمکن برقی", "serial"),
    ("jim", "732111", "اجاق گاز", "serial"),
]


def ensure_covered_goods(group_model=None, goods_model=None) -> None:
    """Create the groups and codes above when missing; never changes what headquarters edited.
    The migration passes its historical models."""
    if group_model is None or goods_model is None:
        from .models import CoveredGoods, CoveredGroup

        group_model, goods_model = CoveredGroup, CoveredGoods
    groups = {}
    for code, name, date in GROUPS:
        groups[code], _created = group_model.objects.get_or_create(
            code=code, defaults={"name": name, "mandatory_from": date}
        )
    for group, prefix, description, identifier in CODES:
        goods_model.objects.get_or_create(
            hs_prefix=prefix, defaults={"group": groups[group], "description": description, "identifier": identifier}
        )
