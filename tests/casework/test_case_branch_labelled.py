"""A case page read «مرجع قضایی: دادگاه انقلاب ماکو ۲»: the branch's number with no «شعبه» before it."""

import pytest

from casework.models import JudicialCase
from tests.casework.test_casework_cases import _open, unsettled  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.mark.persian
def test_the_branch_is_labelled_on_the_case_page_and_the_list(client, unsettled, inspector):  # noqa: F811
    case = _open(unsettled, inspector, authority="دادگاه انقلاب ماکو", branch="2")
    client.force_login(inspector)
    page = client.get(f"/casework/cases/{case.pk}/").content.decode()
    assert "دادگاه انقلاب ماکو شعبهٔ ۲" in page
    assert "دادگاه انقلاب ماکو شعبهٔ ۲" in client.get("/casework/cases/").content.decode()


def test_a_branch_typed_with_its_label_is_not_labelled_twice(unsettled, inspector):  # noqa: F811
    case = _open(unsettled, inspector, branch="شعبه ۳")
    assert case.authority_shown == "تعزیرات حکومتی شعبه ۳"
    assert JudicialCase(authority="Court", branch="").authority_shown == "Court"
    assert JudicialCase(authority="Court", branch="2").authority_shown == "Court, branch 2"


@pytest.mark.persian
def test_the_declarations_timeline_names_the_branch_too(client, unsettled, inspector):  # noqa: F811
    """The timeline read «پرونده قضایی … تشکیل شد / دادگاه انقلاب ماکو», the branch left out."""
    _open(unsettled, inspector, authority="دادگاه انقلاب ماکو", branch="2")
    client.force_login(inspector)
    page = client.get(f"/declarations/{unsettled.pk}/").content.decode()
    assert "دادگاه انقلاب ماکو شعبهٔ ۲" in page


def test_in_english_the_branch_follows_the_persian_authority_after_a_comma(client, unsettled, inspector):  # noqa: F811
    """An English list read «تعزیرات حکومتی استان branch 4»: the authority's name is data (Persian), its branch the
    page's words, set apart by a comma."""
    case = _open(unsettled, inspector, authority="دادگاه انقلاب ماکو", branch="۲")
    client.force_login(inspector)
    for url in ("/casework/cases/", f"/casework/cases/{case.pk}/"):
        page = client.get(url).content.decode()
        assert "دادگاه انقلاب ماکو, branch 2" in page and "ماکو branch" not in page
