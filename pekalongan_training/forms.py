from django import forms
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


# Dates are typed into HTML5 date inputs: the browser sends ISO dates, so no day/month ambiguity.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
