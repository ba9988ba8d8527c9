"""List filters shared by the admins of both apps, each with a fixed number of queries."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from pekalongan_training.params import whole_number
from programs.models import Cohort, Program


class FiscalYearFilter(admin.SimpleListFilter):
    """Filter by program year; `year_path` is the lookup from the listed model to the year."""

    title = _("program year")
    parameter_name = "year"
    year_path = "cohort__program__fiscal_year"

    def lookups(self, request, model_admin):
        years = Program.objects.order_by("-fiscal_year").values_list("fiscal_year", flat=True).distinct()
        return [(str(year), str(year)) for year in years]

    def queryset(self, request, queryset):
        if whole_number(self.value(), digits=4) is not None:
            return queryset.filter(**{self.year_path: whole_number(self.value(), digits=4)})
        return queryset


class ProgramYearFilter(FiscalYearFilter):
    year_path = "program__fiscal_year"


class PackageYearFilter(FiscalYearFilter):
    """For rows of a package (meetings, spending): the package's program year."""

    year_path = "package__cohort__program__fiscal_year"


SessionYearFilter = PackageYearFilter


class CohortFilter(admin.SimpleListFilter):
    """Filter by wave, labelled "Gelombang 3 / 2023" with one query for all the choices."""

    title = _("wave")
    parameter_name = "wave"
    cohort_path = "cohort"

    def lookups(self, request, model_admin):
        cohorts = Cohort.objects.select_related("program").order_by("-program__fiscal_year", "number")
        return [(str(cohort.pk), f"{cohort} · {cohort.program.name}") for cohort in cohorts]

    def queryset(self, request, queryset):
        if whole_number(self.value()) is not None:
            return queryset.filter(**{self.cohort_path: whole_number(self.value())})
        return queryset
