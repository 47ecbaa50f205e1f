"""A box where an identifier is typed (a serial, a plate, seal numbers, a scanner ID, a camera code) keeps its
characters in the order they are typed on a right-to-left page: «1405-BZG-00011045» in a right-to-left box
read «BZG-00011045-1405»."""

import re

import pytest
from django.urls import reverse

from anpr.forms import CameraForm
from declarations.forms import ConfirmArrivalForm
from declarations.forms_register import RegisterForm
from reports.audit import AuditFilterForm
from reports.views import ProblemForm
from scans.forms import ScanUploadForm

pytestmark = pytest.mark.django_db


@pytest.mark.persian
def test_the_audit_trails_object_box_shows_a_serial_as_typed(client, hq):
    client.force_login(hq)
    html = client.get(reverse("reports:audit"), {"object": "1405-BZG-00011045"}).content.decode()
    box = re.search(r'<input[^>]*name="object"[^>]*>', html)
    assert box and 'dir="auto"' in box[0] and 'value="1405-BZG-00011045"' in box[0]
    actor = re.search(r'<input[^>]*name="actor"[^>]*>', html)
    assert actor and 'dir="auto"' in actor[0]


@pytest.mark.parametrize(
    ("form", "field", "direction"),
    [
        (AuditFilterForm, "object", "auto"),  # a serial or words
        (AuditFilterForm, "actor", "auto"),
        (ScanUploadForm, "scanner_id", "ltr"),
        (CameraForm, "code", "ltr"),
        (ConfirmArrivalForm, "seal_numbers_found", "ltr"),
        (ProblemForm, "serials", "ltr"),
        (RegisterForm, "plate", "auto"),  # 12ب34565 or a foreign plate
        (RegisterForm, "trailer_plate", "auto"),
        (RegisterForm, "plate_country", "ltr"),
    ],
)
def test_each_identifier_box_has_its_direction(form, field, direction):
    assert form.base_fields[field].widget.attrs.get("dir") == direction
