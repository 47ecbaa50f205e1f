"""A walk: the Persian audit page showed a scan's row as «⁦same image as the scan no⁩.: ۴۵۹», the field's English
label (isolated as an untranslated label is). Every field label of the scans' and declarations' models has a
Persian translation."""

from django.apps import apps
from django.utils import translation

SAME_IN_BOTH = {"SHA-256"}  # a name written the same in Persian (its msgstr is itself)


def _untranslated(app_label: str) -> list[str]:
    missing = []
    for model in apps.get_app_config(app_label).get_models():
        for field in model._meta.get_fields():
            label = getattr(field, "_verbose_name", None) or getattr(field, "verbose_name", None)
            if not label or not hasattr(label, "_args"):  # a lazy translation only
                continue
            english = str(label._args[0])
            with translation.override("fa"):
                if str(label) == english and english not in SAME_IN_BOTH:
                    missing.append(f"{model.__name__}.{field.name}: {english}")
    return missing


def test_the_scan_repeats_label_is_persian():
    from scans.models import Scan

    with translation.override("fa"):
        assert str(Scan._meta.get_field("repeats_scan").verbose_name) != "same image as the scan no."


def test_every_scans_and_declarations_field_label_is_translated():
    assert _untranslated("scans") + _untranslated("declarations") == []
