"""A Jalali date inside a message is written in the digits of the message's language: Persian on a Persian
page, Latin in English text (the API's refusals, a proposed reason's evidence, a refused deletion)."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone, translation
from rest_framework.test import APIClient

from core.dates import TEHRAN, format_jalali
from core.errors import InvalidInput
from declarations import detection, retention, transport_docs
from declarations.models import Status, UnsettledReason
from reports import services as reports
from reports.models import Symptom, System
from tests.factories import DeclarationFactory, GoodsFactory

PERSIAN_DIGIT = re.compile("[۰-۹]")


def test_the_api_names_the_registration_time_in_latin_digits_in_english(origin_clerk, declaration):
    api = APIClient()
    api.force_authenticate(origin_clerk)
    early = declaration.declared_at - dt.timedelta(days=1)
    body = api.post(f"/api/declarations/{declaration.pk}/depart/", {"at": early.isoformat()}, format="json").json()
    assert list(body["error"]["fields"]) == ["at"]
    message = body["error"]["message"]
    assert body["error"]["fields"]["at"] == [message]
    assert f"({format_jalali(declaration.declared_at, persian=False)})" in message
    assert not PERSIAN_DIGIT.search(message)


@pytest.mark.parametrize("language", ["en", "fa"])
def test_a_transport_documents_evidence_dates_it_in_the_readers_digits(declaration, origin_clerk, language):
    GoodsFactory(declaration=declaration, line_no=1, quantity=Decimal(100))
    transport_docs.transport_document_record(
        declaration=declaration,
        by=origin_clerk,
        number="CMR-1",
        issued_on=dt.date(2025, 8, 1),
        origin="BZG",
        destination="SRK",
        route=[],
        goods_description="x",
        quantity=Decimal(100),
        gross_weight_kg=Decimal(250),
    )
    with translation.override(language):
        (evidence,) = [
            p.evidence
            for p in detection.propose_reasons(declaration)
            if p.reason == UnsettledReason.DOCUMENT_DISCREPANCY
        ]
    assert ("۱۴۰۴/۰۵/۱۰" if language == "fa" else "1404/05/10") in evidence


def test_a_refused_deletion_says_until_when_in_latin_digits_in_english(bazargan, tehran):
    settled = DeclarationFactory(
        origin=bazargan, destination=tehran, status=Status.SETTLED, settled_at=timezone.now() - dt.timedelta(days=30)
    )
    with pytest.raises(retention.RetentionRefused, match="kept until") as refused, transaction.atomic():
        settled.delete()
    assert not PERSIAN_DIGIT.search(str(refused.value))


def test_a_problem_since_before_1390_is_refused_in_latin_digits_in_english(origin_clerk, bazargan):
    with pytest.raises(InvalidInput, match="out of range") as refused:
        reports.problem_report(
            by=origin_clerk,
            system=System.ICS,
            symptom=Symptom.ARRIVALS_NOT_VISIBLE,
            office=bazargan,
            since=dt.datetime(2000, 1, 1, tzinfo=TEHRAN),
            description="ICS shows no arrivals since morning",
        )
    assert "'\u20661378/10/11 00:00\u2069'" in str(refused.value)
