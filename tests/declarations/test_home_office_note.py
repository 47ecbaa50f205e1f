"""On a phone (390 px) the dashboard's note under the offices table («ستون‌های «در حال ترانزیت» و …») sat in the table's
caption, inside the table's horizontal scroll box: as wide as the table, it was cut at the screen's left edge and
read only by scrolling the table. It is a paragraph of its own after the scroll box, wrapping in the panel's
width, and the table names it as its description."""

import re

import pytest
from django.urls import reverse


@pytest.mark.persian
def test_the_offices_note_is_outside_the_tables_scroll_box_and_describes_the_table(client, hq, bazargan, tehran):
    client.force_login(hq)
    html = client.get(reverse("home")).content.decode()
    section = html.split('aria-labelledby="offices-h"', 1)[1].split("</section>", 1)[0]
    scroll_box = section.split('<div class="table-wrap">', 1)[1].split("</table>", 1)[0]
    assert "<caption" not in scroll_box and "ستون‌های «در حال ترانزیت»" not in scroll_box
    note = re.search(r'<p class="[^"]*" id="office-table-note">(.*?)</p>', section, re.S)
    assert note and "ستون‌های «در حال ترانزیت»" in note[1], section
    assert section.index("</table>") < note.start()
    table = re.search(r'<table [^>]*id="office-table"[^>]*>', section)
    assert table and 'aria-describedby="office-table-note"' in table[0]
