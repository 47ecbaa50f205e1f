"""A Persian API error named some fields by their code name: «containers: …», «unseen_reason: …»,
«اقلام کالا، مورد ۱، gross_weight_kg: …». Every field the API's input serializers take is named in words."""

import importlib
import inspect
import re

import pytest
from django.utils import timezone
from rest_framework import serializers
from rest_framework.test import APIClient

from core.api import field_label
from declarations import services
from tests.declarations.test_register import _api_body

pytestmark = [pytest.mark.persian]

MODULES = (
    "declarations.serializers", "declarations.serializers_arrival_reads", "declarations.serializers_serials",
    "declarations.api", "scans.serializers", "anpr.serializers", "anpr.api", "reports.api",
)  # fmt: skip


def _fields(serializer, seen):
    for name, field in serializer.fields.items():
        if field.read_only:
            continue
        seen.add(name)
        child = getattr(field, "child", None)
        for inner in (field, child):
            if isinstance(inner, serializers.Serializer):
                _fields(inner, seen)
            elif isinstance(inner, serializers.ListSerializer) and isinstance(inner.child, serializers.Serializer):
                _fields(inner.child, seen)


def _input_field_names() -> set[str]:
    names: set[str] = set()
    for module_name in MODULES:
        module = importlib.import_module(module_name)
        for cls in vars(module).values():
            if (
                inspect.isclass(cls)
                and issubclass(cls, serializers.Serializer)
                and cls.__module__ == module.__name__
                and not cls.__name__.endswith("Out")
            ):
                _fields(cls(), names)
    return names


def test_every_input_field_has_a_persian_label():
    names = _input_field_names()
    assert {"containers", "unseen_reason", "gross_weight_kg", "goods"} <= names  # the loop reaches nested fields
    unnamed = sorted(name for name in names if field_label(name) == name)
    assert unnamed == []


def _message(response) -> str:
    assert response.status_code == 400, response.content
    return re.sub("[\u2066-\u2069]", "", response.json()["error"]["message"])


@pytest.mark.django_db
def test_a_bad_containers_list_and_goods_weight_are_named_in_persian(origin_clerk, bazargan, tehran):
    api = APIClient()
    api.force_authenticate(origin_clerk)
    body = _api_body(containers="ABCU1234567", plate_country="IRAN")
    body["goods"][0]["gross_weight_kg"] = ["x"]
    message = _message(api.post("/api/declarations/", body, format="json"))
    assert "containers" not in message and "plate_country" not in message and "gross_weight_kg" not in message
    assert "شماره کانتینرها: " in message and "کشور پلاک: " in message and "وزن ناخالص (کیلوگرم): " in message


@pytest.mark.django_db
def test_a_too_long_unseen_reason_is_named_in_persian(dest_clerk, origin_clerk, declaration):
    services.declaration_depart(declaration=declaration, by=origin_clerk, at=timezone.now())
    api = APIClient()
    api.force_authenticate(dest_clerk)
    url = f"/api/declarations/{declaration.pk}/confirm-arrival/"
    message = _message(api.post(url, {"unseen_reason": "x" * 501}, format="json"))
    assert message.startswith("علت دیده‌نشدن کامیون در ورودی: ") and "unseen_reason" not in message
