"""The inspection form's follow-up action rows are optional (the help says to leave a row empty when not needed):
they show no required star and ask nothing of the browser; a row half filled is refused with the error beside the
field left empty. The form that adds one action to an inspection keeps its fields required."""

import pytest

from reports.models import Inspection
from tests.reports.test_inspection_actions import _form

pytestmark = pytest.mark.django_db


def _rows(html: str) -> str:
    return html.split('id="action-rows"', 1)[1].split("</fieldset>\n    \n  </div>", 1)[0]


def test_the_action_rows_show_no_required_star(client, inspector, bazargan):
    client.force_login(inspector)
    rows = _rows(client.get("/reports/inspections/new/").content.decode())
    assert 'name="actions-0-description"' in rows
    assert 'class="text-danger">*' not in rows
    assert " required" not in rows


def test_a_half_filled_row_is_refused_beside_the_empty_field(client, inspector, bazargan):
    client.force_login(inspector)
    response = client.post("/reports/inspections/new/", _form(bazargan, **{"actions-0-description": "نصب دوربین"}))
    assert response.status_code == 400
    row = response.context["actions"].forms[0]
    assert "responsible_office" in row.errors and "due_on" in row.errors
    assert "description" not in row.errors
    assert not Inspection.objects.exists()
    # Empty rows are skipped: the inspection is recorded.
    assert client.post("/reports/inspections/new/", _form(bazargan)).status_code == 302
