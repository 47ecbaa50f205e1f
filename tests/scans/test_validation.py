"""Content checks on their own: what is accepted and what the stored bytes are."""

import io

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageFile

from scans.validation import ScanRejected, check_bytes, check_upload
from tests.scans import images


@pytest.mark.parametrize(
    ("case", "name", "data", "code"), images.hostile_files(), ids=[h[0] for h in images.hostile_files()]
)
def test_it_refuses_each_hostile_file(case, name, data, code, settings):
    with pytest.raises(ScanRejected) as info:
        check_bytes(data)
    assert info.value.code == (code if code != "invalid" else "empty")
    assert 400 <= info.value.status < 500 and info.value.message


def test_it_reads_no_more_than_the_cap(settings):
    settings.SCANS_MAX_UPLOAD_BYTES = 1000

    class Endless:
        size = None  # a stream that does not say its size

        def seek(self, pos):
            pass

        def read(self, n):
            assert n <= 1001
            return b"\x89PNG" + b"0" * (n - 4)

    with pytest.raises(ScanRejected) as info:
        check_upload(Endless())
    assert info.value.status == 413


@pytest.mark.parametrize("fmt", ["PNG", "TIFF"])
def test_it_keeps_16_bit_greyscale(fmt):
    arr = (np.arange(120 * 80, dtype=np.uint32).reshape(80, 120) * 7 % 65535).astype(np.uint16)
    checked = check_bytes(images.encode(arr, fmt))
    assert checked.bit_depth == 16 and checked.format == fmt
    assert np.array_equal(np.array(Image.open(io.BytesIO(checked.data))), arr)


def test_it_accepts_progressive_and_opencv_jpegs():
    import cv2

    arr = images.scan_array()
    for data in (images.encode(arr, "JPEG", progressive=True), cv2.imencode(".jpg", arr)[1].tobytes()):
        assert check_bytes(data).format == "JPEG"


def test_tiff_tags_do_not_survive():
    arr = images.scan_array()
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "TIFF", tiffinfo={270: "operator secret-name", 315: "secret-name"})
    raw = buf.getvalue()
    assert b"secret-name" in raw
    checked = check_bytes(raw)
    assert b"secret-name" not in checked.data
    assert np.array_equal(np.array(Image.open(io.BytesIO(checked.data))), arr)


def test_the_file_name_does_not_matter():
    assert check_upload(SimpleUploadedFile("evil.exe", images.png())).format == "PNG"


def test_a_truncated_file_is_refused_even_after_weasyprint_relaxed_pillow(monkeypatch):
    import weasyprint  # noqa: F401 - its import sets ImageFile.LOAD_TRUNCATED_IMAGES = True

    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    with pytest.raises(ScanRejected):
        check_bytes(images.png()[:-40])
