"""Operator accounts, as dinas staff give them to a provider: an account with no password yet, in the
operator group and linked to the provider, and a link with which its owner sets the password.

Nothing here can give staff or superuser rights or another group: the account is made plain and
OperatorAccount's manager never returns an account that has them.
"""

from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from pekalongan_training.roles import OPERATOR_GROUP
from programs.models import OperatorAccount, Provider


@transaction.atomic
def operator_account_create(
    *, username: str, first_name: str, last_name: str, email: str, providers: list[Provider]
) -> OperatorAccount:
    """A new operator account for these providers; it has no password until its owner sets one."""
    account = OperatorAccount(
        username=username, first_name=first_name, last_name=last_name, email=email, is_staff=False, is_superuser=False
    )
    account.set_unusable_password()
    account.save()
    account.groups.set([Group.objects.get(name=OPERATOR_GROUP)])
    account.providers.set(providers)
    return account


@transaction.atomic
def operator_account_update(*, account: OperatorAccount, providers: list[Provider], is_active: bool) -> None:
    """Save the names, e-mail and active flag edited on the form, and the providers the account serves."""
    account.is_staff = account.is_superuser = False
    account.is_active = is_active
    account.save()
    account.providers.set(providers)


def password_set_link(request, account) -> str:
    """The address at which the account's owner chooses a password (valid PASSWORD_RESET_TIMEOUT, and
    only until a password is set or the account logs in)."""
    uid = urlsafe_base64_encode(force_bytes(account.pk))
    token = default_token_generator.make_token(account)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return request.build_absolute_uri(path)


def password_set_send(*, account, link: str) -> bool:
    """E-mail the link to the account's address; False when it has none (staff copy the link instead)."""
    if not account.email:
        return False
    context = {"account": account, "link": link}
    send_mail(
        _("Your account for the Kota Pekalongan job-training system"),
        render_to_string("registration/operator_welcome_email.txt", context),
        None,
        [account.email],
    )
    return True
