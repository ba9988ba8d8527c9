from django import forms
from django.utils.translation import gettext_lazy as _

from programs.models import Cohort, Kecamatan, Program, Provider, TrainingPackage, Vocation
from reports.indicators import Filters


class DashboardFilterForm(forms.Form):
    """The dashboard's filters, from the address (GET), so a filtered view can be shared as a link."""

    year = forms.TypedChoiceField(label=_("Program year"), required=False, coerce=int, empty_value=None)
    wave = forms.ModelChoiceField(label=_("Wave"), queryset=Cohort.objects.none(), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    kecamatan = forms.ModelChoiceField(
        label=_("Kecamatan"), queryset=Kecamatan.objects.order_by("code"), required=False
    )
    provider = forms.ModelChoiceField(label=_("Provider"), queryset=Provider.objects.order_by("name"), required=False)
    vocation = forms.ModelChoiceField(label=_("Vocation"), queryset=Vocation.objects.order_by("name"), required=False)
    funding = forms.ChoiceField(label=_("Funding source"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        years = Program.objects.order_by("-fiscal_year").values_list("fiscal_year", flat=True).distinct()
        everything = [("", _("All"))]
        self.fields["year"].choices = everything + [(year, str(year)) for year in years]
        self.fields["wave"].queryset = Cohort.objects.select_related("program").order_by(
            "-program__fiscal_year", "number"
        )
        self.fields["wave"].label_from_instance = lambda cohort: f"{cohort} · {cohort.program.name}"
        self.fields["category"].choices = everything + list(TrainingPackage.Category.choices)
        self.fields["funding"].choices = everything + list(Program.FundingSource.choices)
        for name in ("wave", "kecamatan", "provider", "vocation"):
            self.fields[name].empty_label = _("All")
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"

    def filters(self):
        """The valid filters; an invalid value (an edited link) is ignored, never an error page."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if value not in (None, "")}
        return Filters(
            year=data.get("year"),
            cohort=data.get("wave"),
            category=data.get("category"),
            kecamatan=data.get("kecamatan"),
            provider=data.get("provider"),
            vocation=data.get("vocation"),
            funding=data.get("funding"),
        )

    def described(self) -> list[tuple[str, str]]:
        """The active filters in words, for the top of exports and the print view."""
        out = []
        self.is_valid()
        for name, field in self.fields.items():
            value = self.cleaned_data.get(name)
            if value in (None, ""):
                continue
            if hasattr(field, "choices") and not isinstance(field, forms.ModelChoiceField):
                value = dict(field.choices).get(value, value)
            elif isinstance(field, forms.ModelChoiceField):
                value = field.label_from_instance(value)
            out.append((str(field.label), str(value)))
        return out
