"""The changed regions were boxed on the origin pane and the change overlay, not on the destination pane, where a
reviewer looks for the change: the destination is another capture (size, speed, offset, maybe mirrored), so the
origin's boxes do not fit it. The comparison now records each region's box in destination pixels too, carried
through its own registration, and the viewer draws those; an older comparison says its boxes are on the origin
only."""

import copy
import html
import json

import cv2
import numpy as np
import pytest
from django.urls import reverse

from scans.benchmark.pairs import (
    ScannerParams,
    _apply_geometry,
    _scanner_geometry,
    second_scanner,
    synthetic_scan,
    tamper,
    to_attenuation,
)
from scans.comparison import compare_scans, load_scan

BOX = (330, 120, 110, 90)  # where the object is added, origin pixels


def _scanner(mirrored: bool) -> ScannerParams:
    # another pitch and speed, a speed warp and an offset: the destination's boxes are not the origin's
    return ScannerParams(
        mirrored=mirrored,
        pitch=0.85,
        speed=1.12,
        warp_amp=0.012,
        settle_px=3.0,
        gain=1.15,
        offset=0.02,
        gamma=1.3,
        blur=0.8,
        noise=0.01,
        jpeg=80,
        shift=(0.02, -0.02),
    )


def _iou(a, b) -> float:
    w = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    h = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    return w * h / float(a[2] * a[3] + b[2] * b[3] - w * h)


@pytest.mark.parametrize("mirrored", [False, True])
def test_the_recorded_destination_box_is_where_the_added_object_is_in_the_destination(mirrored):
    scan = synthetic_scan(3, width=900, height=340)
    added = tamper(to_attenuation(scan), np.random.default_rng(5), "add", BOX)
    p, rng = _scanner(mirrored), np.random.default_rng(2)
    twin = copy.deepcopy(rng)  # the generator's own geometry, drawn again: where it put the object in the destination
    dest_u8 = second_scanner(added, rng, p)
    mask = np.zeros(added.shape, np.float32)
    x, y, w, h = BOX
    mask[y : y + h, x : x + w] = 1.0
    ys, xs = np.nonzero(_apply_geometry(mask, _scanner_geometry(twin, p, added.shape), p) > 0.5)
    truth = (int(xs.min()), int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1))
    dest = load_scan(cv2.imencode(".jpg", dest_u8, [cv2.IMWRITE_JPEG_QUALITY, 80])[1].tobytes())

    res = compare_scans(scan, dest)

    assert res.verdict == "suspicious" and res.details["mirrored"] is mirrored
    dest_boxes = res.details["dest_boxes"]
    assert len(dest_boxes) == len(res.boxes)  # one per region, in the same order
    top = dest_boxes[0]
    assert top[4] == res.boxes[0][4]
    assert _iou(top, truth) > 0.6, (top, truth, res.boxes[0])
    assert _iou(res.boxes[0], truth) < 0.5  # the origin's box drawn as is would have been in the wrong place
    assert json.loads(json.dumps(dest_boxes)) == dest_boxes  # stored as it is (plain JSON)


def _viewer(client, comparison, user) -> str:
    client.force_login(user)
    return client.get(reverse("scans:viewer", args=[comparison.pk])).content.decode()


def _dest_canvas(page: str) -> str:
    return page.split('data-pane="destination"', 1)[1].split(">", 1)[0]


@pytest.mark.django_db
def test_the_viewer_draws_the_recorded_destination_boxes_on_the_destination_pane(client, done_comparison, dest_clerk):
    done_comparison.details = {"mirrored": True, "dest_boxes": [[40, 25, 30, 35, 0.02], None]}
    done_comparison.save()

    page = _viewer(client, done_comparison, dest_clerk)

    root = page.split('id="scan-viewer"', 1)[1].split(">", 1)[0]
    assert f'data-dest-boxes="{html.escape(json.dumps([[40, 25, 30, 35, 0.02]]))}"' in root  # the one in the frame
    assert 'data-mirrored="1"' in root and 'data-dest-width="360" data-dest-height="140"' in root
    assert 'data-boxes-on="1"' in _dest_canvas(page)
    assert "data-dest-boxes-missing" not in page


@pytest.mark.django_db
@pytest.mark.persian
def test_an_older_comparison_marks_no_destination_boxes_and_says_so(client, done_comparison, dest_clerk):
    assert "dest_boxes" not in done_comparison.details  # made before they were recorded

    page = _viewer(client, done_comparison, dest_clerk)

    assert "data-dest-boxes=" not in page and "data-boxes-on" not in _dest_canvas(page)
    hint = page.split('<p class="hint">', 1)[1].split("</p>", 1)[0]
    assert "نواحی تغییریافته فقط روی تصویر مبدأ مشخص شده‌اند" in hint
