"""Who keeps users and roles: the system administrator (a superuser, the first made by ``ensure_admin``:
docs/operations.md, docs/security.md), in the admin. The IT office may open the admin's index but not its
users, so a refusal never sends anyone to the IT office to fix a role."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_refusal_sends_the_person_to_the_system_administrator(client, origin_clerk):
    client.force_login(origin_clerk)
    response = client.get(reverse("reports:inspection_new"))  # the inspectors' form: not the clerk's role
    assert response.status_code == 403
    page = response.content.decode()
    assert "ask the system administrator, who keeps the users, their roles and offices in the admin" in page
    assert "IT office" not in page


def test_the_it_office_does_not_keep_users_the_administrator_does(client, it_officer, hq):
    users = reverse("admin:accounts_user_changelist")
    it_officer.is_staff = True  # the demo's it: the admin's index, no permission on users
    it_officer.save(update_fields=["is_staff"])
    client.force_login(it_officer)
    refused = client.get(users)
    assert refused.status_code == 403
    assert "ask the system administrator" in refused.content.decode()

    hq.is_superuser = hq.is_staff = True  # as ensure_admin makes them
    hq.save(update_fields=["is_superuser", "is_staff"])
    client.force_login(hq)
    assert client.get(users).status_code == 200


@pytest.mark.persian
def test_the_refusal_names_the_administrator_in_persian(client, origin_clerk):
    client.force_login(origin_clerk)
    page = client.get(reverse("reports:inspection_new")).content.decode()
    assert "از مدیر سامانه" in page and "دفتر فاوا" not in page


def test_an_account_without_e_mail_is_told_to_ask_the_administrator(client, origin_clerk):
    origin_clerk.email = ""
    origin_clerk.save(update_fields=["email"])
    client.force_login(origin_clerk)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "ask the system administrator to add one" in page


@pytest.mark.parametrize("path", ["/admin/", "/admin/login/", "/admin/declarations/transitdeclaration/"])
def test_a_person_the_admin_is_not_for_is_refused_there_not_sent_to_a_missing_page(client, inspector, path):
    """/admin/ sent the inspector to /admin/login/, which answered «Not found»: a signed-in person is told
    the admin is not theirs and who keeps access (the 403 page), and is not sent anywhere."""
    client.force_login(inspector)
    response = client.get(path)
    assert response.status_code == 403
    page = response.content.decode()
    assert "The admin is for headquarters and the IT office." in page
    assert "ask the system administrator, who keeps the users, their roles and offices in the admin" in page
    client.logout()  # nobody signed in: still sent to sign in (the app's login, through the admin's)
    assert client.get(path, follow=True).redirect_chain[-1][0].startswith("/login/")


@pytest.mark.persian
def test_the_admin_refusal_reads_in_persian(client, origin_clerk):
    client.force_login(origin_clerk)
    response = client.get("/admin/")
    assert response.status_code == 403
    assert "پنل مدیریت ویژه ستاد و دفتر فاوا است." in response.content.decode()
