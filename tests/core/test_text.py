"""Spreadsheet tab names (``core.text.sheet_title``); text cut short around isolated identifiers
(``core.text.truncate_isolated``)."""

from core.text import sheet_title, truncate_isolated

LRI, RLI, PDI = "\u2066", "\u2067", "\u2069"


def test_a_sheet_name_is_cut_to_excels_31_characters_at_a_word_not_inside_one():
    assert sheet_title("Plate reads corrected by people, per camera") == "Plate reads corrected by people"
    persian = sheet_title("ورودهایی که شواهد پلاک دارند به تفکیک گمرک")
    assert len(persian) <= 31 and persian == "ورودهایی که شواهد پلاک دارند"  # no cut word, no dangling «به»
    assert sheet_title("a/b:c [d]") == "a b c d"  # characters Excel refuses in a name
    assert sheet_title("short") == "short"


def test_a_cut_never_leaves_an_identifier_half_or_an_isolate_open():
    text = f"Serials {LRI}T1404-0001{PDI}, {LRI}T1404-0002{PDI} and more"
    assert truncate_isolated(text, 100) == text  # short enough: as it is
    assert truncate_isolated(text, 30) == f"Serials {LRI}T1404-0001{PDI},…"  # the second serial dropped whole
    # A serial inside a quoted right-to-left piece: the serial dropped, the piece closed, within the limit.
    nested = f"Note {RLI}گفته شد {LRI}T1404-0001{PDI} و {LRI}T1404-0002{PDI}{PDI} end"
    cut = truncate_isolated(nested, 30)
    assert cut == f"Note {RLI}گفته شد {LRI}T1404-0001{PDI} و{PDI}…" and len(cut) <= 30


def test_digits_in_persian_leave_an_isolated_identifier_as_issued():
    """A sentence's numbers are written in Persian digits; a waybill or serial quoted in it (isolated
    by its filter) keeps the digits it was issued with, as it is printed everywhere else."""
    from core.text import LRI, PDI, digits, isolate

    sentence = "Waybill " + isolate("WB-2024/77.5") + " is on 2 declarations, 3.5 t"
    assert digits(sentence, persian=True) == "Waybill " + LRI + "WB-2024/77.5" + PDI + " is on ۲ declarations, ۳٫۵ t"
    nested = "x 1 " + isolate("A " + isolate("9", "rtl") + " 8") + " 7"
    assert digits(nested, persian=True) == "x ۱ " + isolate("A " + isolate("9", "rtl") + " 8") + " ۷"
    assert digits("no isolate 12", persian=True) == "no isolate ۱۲"
    assert digits(sentence, persian=False) == sentence
