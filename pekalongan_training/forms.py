from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Django's login form, refusing an overlong username before anything tries to log it.

    AuthenticationForm only sets the input's maxlength; an overlong name would reach the lock-out
    records (django-axes), whose column is 255 characters.
    """

    def clean_username(self):
        username = self.cleaned_data["username"]
        if len(username) > 150:
            raise forms.ValidationError(_("A username has at most 150 characters."))
        return username


class AdminLoginForm(LoginForm, AdminAuthenticationForm):
    """The admin's login form (staff accounts only), with the same limit on the username."""


# Dates are typed into HTML5 date inputs: the browser sends ISO dates, so no day/month ambiguity.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# The first line of a select that asks about a person: no answer yet.
CHOOSE = _("— choose —")


def unanswered(field: forms.ChoiceField, message) -> forms.ChoiceField:
    """A question about a person that starts with no choice made, and says what to choose if left so.

    Required, with `message` for both a blank and an unknown answer. A select gets one empty first
    line ("— choose —"); radio buttons get none, so none of them is checked (Django would add a
    checked "---------" radio for a model field without a default). A form on a stored record still
    shows the stored answer (the form's initial data). Returns the field.
    """
    field.required = True
    field.initial = None  # a model default (e.g. job seeker) is no answer the person gave
    field.error_messages = {**field.error_messages, "required": message, "invalid_choice": message}
    answers = [choice for choice in field.choices if choice[0] not in ("", None)]
    field.choices = answers if isinstance(field.widget, forms.RadioSelect) else [("", CHOOSE), *answers]
    return field


class SecondFactorForm(forms.Form):
    """The six digits an authenticator app shows, or a recovery code; spaces and dashes ignored."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        error_messages={"required": _("Type the code.")},
    )

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split()).replace("-", "").lower()
        if not code.isalnum() or not code.isascii():
            raise forms.ValidationError(_("A code has only digits and letters."))
        return code
