"""Spreadsheet tab names (``core.text.sheet_title``)."""

from core.text import sheet_title


def test_a_sheet_name_is_cut_to_excels_31_characters_at_a_word_not_inside_one():
    assert sheet_title("Plate reads corrected by people, per camera") == "Plate reads corrected by people"
    persian = sheet_title("ورودهایی که شواهد پلاک دارند به تفکیک گمرک")
    assert len(persian) <= 31 and persian == "ورودهایی که شواهد پلاک دارند"  # no cut word, no dangling «به»
    assert sheet_title("a/b:c [d]") == "a b c d"  # characters Excel refuses in a name
    assert sheet_title("short") == "short"
