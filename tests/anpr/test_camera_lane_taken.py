"""A lane watched by an active camera at an office in one direction is refused to a second camera there,
beside the lane field, naming the camera that has it; a retired camera's lane is free again."""

import pytest

from anpr import services
from anpr.models import Camera

pytestmark = pytest.mark.django_db


def _form(office, code, lane="1"):
    return {"office": office.pk, "code": code, "direction": "in", "lane": lane, "model_name": ""}


def test_a_second_camera_on_a_lane_in_service_is_refused_beside_the_lane(client, hq, bazargan):
    services.camera_register(office=bazargan, code="BZG-IN-1", direction="in", lane="1")
    client.force_login(hq)
    resp = client.post("/anpr/cameras/new/", _form(bazargan, "BZG-IN-9", lane="۱"))
    assert resp.status_code == 400
    assert set(resp.context["form"].errors) == {"lane"}
    assert "BZG-IN-1" in resp.context["form"].errors["lane"][0]
    beside = resp.content.decode().split('name="lane"', 1)[1].split('name="', 1)[0]
    assert "invalid-feedback" in beside and "BZG-IN-1" in beside
    assert not Camera.objects.filter(code="BZG-IN-9").exists()
    # Another lane, the other direction: registered.
    assert client.post("/anpr/cameras/new/", _form(bazargan, "BZG-IN-2", lane="2")).status_code == 302
    assert client.post("/anpr/cameras/new/", {**_form(bazargan, "BZG-OUT-1"), "direction": "out"}).status_code == 302


def test_a_retired_cameras_lane_is_free(client, hq, bazargan):
    old, _token = services.camera_register(office=bazargan, code="BZG-IN-1", direction="in", lane="1")
    services.camera_retire(camera=old, by=hq, reason="replaced by a new camera")
    client.force_login(hq)
    assert client.post("/anpr/cameras/new/", _form(bazargan, "BZG-IN-9")).status_code == 302


def test_a_tir_park_cameras_lane_is_the_parks_not_the_gates(bazargan):
    """A camera at the office's TIR park watches the park's lane, not the gate's: its lane 1 was refused because
    the gate's entering camera had lane 1. Two cameras on one lane of the park are still refused."""
    from core.errors import InvalidInput
    from declarations.models import TirPark

    park = TirPark.objects.create(name="تیرپارک بازرگان", office=bazargan, latitude=39.4, longitude=44.4)
    services.camera_register(office=bazargan, code="BZG-IN-1", direction="in", lane="1")
    at_park, _token = services.camera_register(
        office=bazargan, code="BZG-TIR-1", direction="in", lane="1", tir_park=park
    )
    assert at_park.lane == "1" and at_park.tir_park == park
    with pytest.raises(InvalidInput) as refused:
        services.camera_register(office=bazargan, code="BZG-TIR-2", direction="in", lane="1", tir_park=park)
    assert "BZG-TIR-1" in str(refused.value)
    with pytest.raises(InvalidInput):
        services.camera_register(office=bazargan, code="BZG-IN-2", direction="in", lane="1")


def _refused(**kwargs) -> str:
    from core.errors import InvalidInput

    with pytest.raises(InvalidInput) as refused:
        services.camera_register(direction="in", lane="1", **kwargs)
    return str(refused.value)


def test_a_lane_taken_is_said_to_be_taken_at_its_place_the_gate_or_the_park(bazargan):
    """The refusal said the lane was taken «of this office» for a clash at the office's TIR park too: it names the
    place where the lane is taken, the office's gate or the park."""
    from declarations.models import TirPark

    park = TirPark.objects.create(name="Bazargan TIR park", office=bazargan, latitude=39.4, longitude=44.4)
    services.camera_register(office=bazargan, code="BZG-IN-1", direction="in", lane="1")
    services.camera_register(office=bazargan, code="BZG-TIR-1", direction="in", lane="1", tir_park=park)

    at_park = _refused(office=bazargan, code="BZG-TIR-2", tir_park=park)
    assert "lane 1 of the TIR park “Bazargan TIR park”" in at_park and "BZG-TIR-1" in at_park
    assert "office" not in at_park and "gate" not in at_park
    at_gate = _refused(office=bazargan, code="BZG-IN-2")
    assert "lane 1 at the gate of Bazargan" in at_gate and "BZG-IN-1" in at_gate and "park" not in at_gate


@pytest.mark.persian
def test_the_persian_refusal_names_the_park_or_the_gate(bazargan):
    from declarations.models import TirPark

    park = TirPark.objects.create(name="تیرپارک بازرگان", office=bazargan, latitude=39.4, longitude=44.4)
    services.camera_register(office=bazargan, code="BZG-IN-1", direction="in", lane="1")
    services.camera_register(office=bazargan, code="BZG-TIR-1", direction="in", lane="1", tir_park=park)

    at_park = _refused(office=bazargan, code="BZG-TIR-2", tir_park=park)
    assert (
        "خط تردد ۱ در «تیرپارک بازرگان» را" in at_park
        and "تیرپارک «تیرپارک" not in at_park
        and "این گمرک" not in at_park
    )
    at_gate = _refused(office=bazargan, code="BZG-IN-2")
    assert "خط تردد ۱ ورودی گمرک بازرگان را" in at_gate and "این گمرک" not in at_gate and "تیرپارک" not in at_gate
