"""A truncated scan is refused whatever Pillow's process-wide ``LOAD_TRUNCATED_IMAGES`` is (WeasyPrint turns it on
when imported), and the setting is as found after the check: ``scans.validation`` turned it off for good, so the
PDFs WeasyPrint drew afterwards lost its tolerance of web images cut short."""

import struct
import threading
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ImageFile

from core import uploads
from scans.validation import ScanRejected, check_bytes, check_upload
from tests.scans import images


def _cut_pixels(raw: bytes) -> bytes:
    """The PNG with its pixel data cut in half, every chunk whole (lengths and checksums right): only decoding
    the pixels finds it incomplete, which Pillow tolerates when ``LOAD_TRUNCATED_IMAGES`` is on."""
    pos, out = 8, [raw[:8]]
    while pos < len(raw):
        (length,) = struct.unpack(">I", raw[pos : pos + 4])
        ctype, body = raw[pos + 4 : pos + 8], raw[pos + 8 : pos + 8 + length]
        if ctype == b"IDAT":
            body = body[: len(body) // 2]
        out.append(struct.pack(">I", len(body)) + ctype + body + struct.pack(">I", zlib.crc32(ctype + body)))
        pos += 12 + length
    return b"".join(out)


@pytest.mark.parametrize("found", [True, False])
def test_a_truncated_upload_is_refused_and_the_setting_is_left_as_found(monkeypatch, found):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", found)
    with pytest.raises(ScanRejected) as info:
        check_upload(SimpleUploadedFile("scan.png", _cut_pixels(images.png())))
    assert info.value.code == "corrupt"
    assert ImageFile.LOAD_TRUNCATED_IMAGES is found


def test_an_accepted_scan_leaves_the_setting_as_found_too(monkeypatch):
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    assert check_bytes(images.png()).format == "PNG"
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True


def test_overlapping_decodes_in_two_threads_leave_the_setting_as_found(monkeypatch):
    """Each restoring what it found: the second found it off (the first's doing) and put it back off at its end."""
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    seen: list[object] = []

    def first():
        try:
            with uploads.strict_decoding():
                first_in.set()
                second_in.wait(5)
        except Exception as exc:
            seen.append(exc)
        finally:
            first_in.set()
            first_out.set()

    def second():
        first_in.wait(5)
        try:
            with uploads.strict_decoding():
                second_in.set()
                first_out.wait(5)
                seen.append(ImageFile.LOAD_TRUNCATED_IMAGES)  # still off: a decode is running
        except Exception as exc:
            seen.append(exc)
        finally:
            second_in.set()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert seen == [False]
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
