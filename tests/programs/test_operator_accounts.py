"""Dinas staff give a provider's operator a login (and nothing more), and the operator sets the password
from a link; the password pages are the site's own."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from pekalongan_training.roles import OPERATOR_GROUP
from programs.models import OperatorAccount
from tests.factories import OfficialFactory, OperatorFactory, ProviderFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()
ADD = reverse("admin:programs_operatoraccount_add")


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def test_staff_make_an_operator_account_and_its_owner_sets_the_password(client, staff_client):
    provider = ProviderFactory(name="LPK Batik Jaya")
    english(staff_client)
    response = staff_client.post(
        ADD,
        {
            "username": "sari.lpk",
            "first_name": "Sari",
            "last_name": "Wulandari",
            "email": "sari@lpkbatik.example",
            "providers": [provider.pk],
            # a forged form cannot give more than an operator's rights
            "is_staff": "on",
            "is_superuser": "on",
            "groups": [1, 2, 3],
            "password": "sandi-pilihan-staf",
        },
        follow=True,
    )
    assert response.status_code == 200
    account = User.objects.get(username="sari.lpk")
    assert (account.is_staff, account.is_superuser, account.is_active) == (False, False, True)
    assert list(account.groups.values_list("name", flat=True)) == [OPERATOR_GROUP]
    assert list(account.providers.all()) == [provider]
    assert not account.has_usable_password()
    page = response.content.decode()
    assert "The link to choose a password was sent to sari@lpkbatik.example" in page

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sari@lpkbatik.example"]
    body = mail.outbox[0].body
    assert "sari.lpk" in body and "Dinas Perindustrian dan Tenaga Kerja Kota Pekalongan" in body
    assert "testserver" not in body.splitlines()[-1]  # signed by the dinas, not by the host name
    link = re.search(r"https?://\S+", body).group(0)
    assert link in page  # the same link, to copy into WhatsApp

    staff_client.post(reverse("logout"))
    english(client)
    form_page = client.get(link, follow=True)
    assert "Choose a password for the account <strong>sari.lpk</strong>" in form_page.content.decode()
    assert "Django" not in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Batik-Pekalongan-2026", "new_password2": "Batik-Pekalongan-2026"},
        follow=True,
    )
    assert "Your password is saved" in done.content.decode()
    signed_in = client.post(reverse("login"), {"username": "sari.lpk", "password": "Batik-Pekalongan-2026"})
    assert signed_in.status_code == 302
    assert client.get(reverse("provider:package-list")).status_code == 200
    # the link works once
    assert "does not work any more" in client.get(link, follow=True).content.decode()


def test_without_an_e_mail_the_link_is_shown_to_copy(staff_client):
    provider = ProviderFactory()
    english(staff_client)
    form = {"username": "budi", "first_name": "Budi", "last_name": "", "email": "", "providers": [provider.pk]}
    response = staff_client.post(ADD, form, follow=True)
    assert "no e-mail address: send this link" in response.content.decode()
    assert len(mail.outbox) == 0
    assert re.search(r'value="http://testserver/accounts/reset/[^"]+"', response.content.decode())


def test_a_provider_and_a_name_are_required(staff_client):
    english(staff_client)
    response = staff_client.post(ADD, {"username": "tanpa", "first_name": "", "email": ""})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert errors["providers"] == ["Choose the provider this operator works for."]
    assert "first_name" in errors
    assert not User.objects.filter(username="tanpa").exists()


def test_only_operator_accounts_are_reachable(staff_client, staff_user):
    other_staff = StaffFactory(username="staf2")
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    plain = UserFactory(username="no-group")
    operator = OperatorFactory(username="op")
    listed = staff_client.get(reverse("admin:programs_operatoraccount_changelist"))
    assert [account.username for account in listed.context["cl"].result_list] == ["op"]
    for user in (other_staff, superuser, plain, staff_user):
        url = reverse("admin:programs_operatoraccount_change", args=[user.pk])
        assert staff_client.get(url).status_code == 302  # "does not exist", back to the index
        staff_client.post(url, {"username": user.username, "first_name": "X", "is_active": ""})
        user.refresh_from_db()
        assert user.is_active and user.first_name != "X"
    # the full user admin stays with superusers
    assert staff_client.get(reverse("admin:auth_user_changelist")).status_code == 403
    assert OperatorAccount.objects.filter(pk=operator.pk).exists()


def test_deactivating_an_account_ends_its_logins_and_keeps_it(client, staff_client):
    operator = OperatorFactory(username="op-lama")
    english(staff_client)
    response = staff_client.post(
        reverse("admin:programs_operatoraccount_changelist"),
        {"action": "deactivate", "_selected_action": [operator.pk]},
        follow=True,
    )
    assert "1 account deactivated." in response.content.decode()
    operator.refresh_from_db()
    assert not operator.is_active
    assert client.post(reverse("login"), {"username": "op-lama", "password": "test-pass-123"}).status_code == 200
    assert staff_client.get(reverse("admin:programs_operatoraccount_delete", args=[operator.pk])).status_code == 403


def test_changing_an_account_moves_it_to_another_provider(staff_client):
    old, new = ProviderFactory(name="LPK Lama"), ProviderFactory(name="LPK Baru")
    operator = OperatorFactory(username="pindah", first_name="Pindah")
    old.operators.add(operator)
    staff_client.post(
        reverse("admin:programs_operatoraccount_change", args=[operator.pk]),
        {
            "username": "pindah",
            "first_name": "Pindah",
            "last_name": "",
            "email": "",
            "providers": [new.pk],
            "is_active": "on",
            "is_staff": "on",
        },
    )
    operator.refresh_from_db()
    assert list(operator.providers.all()) == [new]
    assert not operator.is_staff


def test_the_password_pages_are_the_sites_own(client):
    english(client)
    page = client.get(reverse("password_reset")).content.decode()
    assert "Django" not in page and "Kota Pekalongan" in page
    client.force_login(OperatorFactory(username="op"))
    page = client.get(reverse("password_change")).content.decode()
    assert "Django" not in page and 'href="/accounts/me/"' in page
    assert 'autocomplete="new-password"' in page


def test_an_account_that_is_also_an_officials_is_not_an_operator_account_here(staff_client):
    both = OfficialFactory(username="pejabat-operator")
    both.groups.add(*OperatorFactory(username="x").groups.all())
    assert not OperatorAccount.operators.filter(pk=both.pk).exists()
    url = reverse("admin:programs_operatoraccount_change", args=[both.pk])
    assert staff_client.get(url).status_code == 302
