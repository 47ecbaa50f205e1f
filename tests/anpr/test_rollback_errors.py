"""Rolling back to the version in use (a stale page, a second click) is refused with that reason alone: a
missing or too long «why» is no page alert, since that row has no field for it to stand beside."""

import pytest
from django.urls import reverse

from anpr import registry

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("reason", ["", "x" * 301])
def test_the_version_in_use_is_refused_for_that_alone(client, it_officer, reason):
    in_use = registry.current_model()
    client.force_login(it_officer)
    refused = client.post(reverse("anpr:model-rollback", args=[in_use.pk]), {"reason": reason})
    assert refused.status_code == 400
    html = refused.content.decode()
    alerts = [part.split("</div>", 1)[0] for part in html.split("data-rollback-refused")[1:]]
    assert len(alerts) == 1 and f"Version {in_use.version} is already in use." in alerts[0]
    assert "Say why" not in html and "300" not in "".join(alerts)
