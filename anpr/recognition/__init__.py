"""Plate recognition: localise a plate in a photo and read it.

    from anpr.recognition import get_engine
    reading = get_engine().read_image(img_bgr)        # vehicle photo
    reading = get_engine("plate_crnn").read_crop(crop)  # plate crop

The default engine ``plate_crnn`` is the project's own CRNN run with onnxruntime
(weights in ``anpr/recognition/weights``); ``easyocr`` and ``tesseract`` are optional.
"""

from anpr.recognition.engines import DEFAULT_ENGINE, ENGINES, Engine, Reading, get_engine

__all__ = ["DEFAULT_ENGINE", "ENGINES", "Engine", "Reading", "get_engine"]
