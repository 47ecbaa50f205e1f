"""DRF's own messages read in Persian as our pages write it: with the zero-width non-joiner («نمی‌تواند»,
«نمی‌شود», our catalogue's over DRF's), a refused choice listing the values the field takes, and every
field's error named by its field."""

import pytest
from django.utils import translation
from rest_framework import serializers

pytestmark = [pytest.mark.django_db, pytest.mark.persian]

API = "/api/reports/problems/"


def _body(bazargan, **kw):
    return {
        "system": "ics",
        "symptom": "arrivals_not_visible",
        "office": bazargan.code,
        "since": "1405/09/01 10:00",
        "description": "اعلام وصول‌ها دیده نمی‌شوند",
        **kw,
    }


def test_an_empty_list_is_refused_with_the_zwnj():
    field = serializers.ListField(allow_empty=False)
    with translation.override("fa"), pytest.raises(serializers.ValidationError) as exc:
        field.run_validation([])
    assert exc.value.detail == ["این فهرست نمی‌تواند خالی باشد."]


def test_an_unsupported_media_type_is_refused_with_the_zwnj(client, origin_clerk):
    client.force_login(origin_clerk)
    response = client.post(API, "system=ics", content_type="text/csv")
    assert response.status_code == 415
    assert "پشتیبانی نمی‌شود" in response.json()["error"]["message"]
    assert "نمیشود" not in response.content.decode()


def test_a_refused_choice_lists_the_values_the_field_takes(client, origin_clerk, bazargan):
    client.force_login(origin_clerk)
    response = client.post(API, _body(bazargan, system="bogus"), content_type="application/json")
    assert response.status_code == 400
    (message,) = response.json()["error"]["fields"]["system"]
    assert message.startswith("«bogus» یک انتخاب معتبر نیست؛ یکی از سامانه جامع گمرکی (ICS) (ics), EPL")


def test_an_unknown_code_is_named_in_persian(client, origin_clerk, bazargan):
    client.force_login(origin_clerk)
    response = client.post(API, _body(bazargan, office="NOPE"), content_type="application/json")
    assert response.json()["error"]["fields"]["office"] == ["«NOPE» وجود ندارد."]  # not the field behind it (code)


def test_a_description_too_long_is_named_by_its_field(client, origin_clerk, bazargan):
    client.force_login(origin_clerk)
    response = client.post(API, _body(bazargan, description="x" * 5000), content_type="application/json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["message"].startswith("شرح: ") and "۵٬۰۰۰" in error["message"]
    assert list(error["fields"]) == ["description"]


def test_a_null_in_a_list_and_a_badly_formed_time_read_without_typos():
    """DRF's catalogue says «توهی» for «تهی» and «فرمت ها» without the zero-width non-joiner."""
    with translation.override("fa"), pytest.raises(serializers.ValidationError) as exc:
        serializers.ListField(child=serializers.IntegerField()).run_validation([1, None])
    assert exc.value.detail == {1: ["این مقدار نباید تهی باشد."]}
    for field in (serializers.DateField(), serializers.DateTimeField(), serializers.TimeField()):
        with translation.override("fa"), pytest.raises(serializers.ValidationError) as exc:
            field.run_validation("not a time")
        message = str(exc.value.detail[0])
        assert "فرمت‌ها" in message and "فرمت ها" not in message and "Datetime" not in message
