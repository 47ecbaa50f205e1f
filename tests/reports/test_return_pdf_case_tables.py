"""The monthly return's PDF gives its two judicial-case tables in one order, oldest first (day, then file number):
the cases opened ran newest first above the actions running oldest first. The actions' table names at most
``PDF_CASE_LIMIT`` actions, as the cases' does, and says how many of how many (the XLSX lists them all); and neither
table starts with a lone row at a page's foot, its heading and first rows on one page and the rest on the next."""

import subprocess

import pytest

from reports import exports, returns
from tests.pdftext import norm, pdf_text

pytestmark = pytest.mark.django_db

ACTIONS_HEADING = "اقدامات انجام‌شده روی پرونده‌های قضایی"


def _pages(pdf: bytes) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout
    return [norm(page) for page in out.decode().split("\f")]


def _case(n: int, day: str) -> dict:
    return {
        "file_number": f"1405-MAK-{n:03d}",
        "authority": "تعزیرات",
        "branch": "",
        "serial": f"1405-BZG-{n:08d}",
        "opened_on": day,
        "goods_value": "1000",
    }


def _action(n: int, day: str) -> dict:
    return {"file_number": f"1405-ACT-{n:03d}", "serial": f"1405-BZG-9{n:07d}", "on": day, "action": "جلسه رسیدگی"}


def _figures(base: dict, opened: list[dict], actions: list[dict]) -> dict:
    cases = {**base["cases"], "opened_list": opened, "opened": len(opened), "actions_list": actions}
    return {**base, "cases": {**cases, "actions": len(actions)}}


def _order(text: str, idents: list[str]) -> list[str]:
    return sorted(idents, key=text.index)


def test_both_case_tables_run_oldest_first(west_az):
    # as a return built before kept its cases: newest first
    opened = [_case(3, "2026-10-28"), _case(2, "2026-10-26"), _case(1, "2026-10-26")]
    actions = [_action(2, "2026-11-02"), _action(1, "2026-11-02"), _action(0, "2026-10-30")]
    figures = _figures(returns.build_figures(1405, 8, west_az), opened, actions)
    text = "\n".join(_pages(exports.render_pdf(figures, version=1, serials=[])))
    cases = ["1405-MAK-001", "1405-MAK-002", "1405-MAK-003"]
    assert _order(text, cases) == cases
    acts = ["1405-ACT-000", "1405-ACT-001", "1405-ACT-002"]
    assert _order(text, acts) == acts


def test_the_actions_table_names_at_most_its_limit_and_says_where_the_rest_are(west_az, monkeypatch):
    monkeypatch.setattr(exports, "PDF_CASE_LIMIT", 2)
    actions = [_action(n, f"2026-10-{25 + n}") for n in range(3)]
    figures = _figures(returns.build_figures(1405, 8, west_az), [], actions)
    pdf = exports.render_pdf(figures, version=1, serials=[])
    text = "\n".join(_pages(pdf))
    assert [f"1405-ACT-00{n}" in text for n in range(3)] == [True, True, False]  # the oldest two
    # the sentence in reading order; pdftotext moves a number's space to its other side
    sentence = "".join(norm("در این سند ۲ اقدام از ۳ اقدام آمده است؛ فهرست آن‌ها در پیوست XLSX همین گزارش است").split())
    assert sentence in "".join(norm(pdf_text(pdf)).split())


def test_the_actions_table_never_starts_with_a_lone_row_at_a_pages_foot(west_az):
    # As many cases opened above it as move its start down a page's length, past the foot of a page.
    base = returns.build_figures(1405, 8, west_az)
    actions = [_action(n, "2026-10-30") for n in range(3)]
    seen_pages = set()
    for k in range(16, 34):
        pages = _pages(exports.render_pdf(_figures(base, [_case(n, "2026-10-25") for n in range(k)], actions)))
        on = [
            next(i for i, page in enumerate(pages) if what in page)
            for what in (norm(ACTIONS_HEADING), "1405-ACT-000", "1405-ACT-001")
        ]
        assert on[0] == on[1] == on[2], f"{k} cases above: heading and first rows on pages {on}"
        seen_pages.add(on[0])
    assert len(seen_pages) == 2, "the table's start crossed a page's foot"
