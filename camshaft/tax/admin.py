"""Back office for tax (T1): jurisdictions with their dated rates, and the
facilities that, like warehouses, give the store nexus. Rates are added,
never edited, so the rate of any past day can still be read."""

from django import forms
from django.contrib import admin
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from camshaft.core.admin import ReadOnlyInline
from camshaft.tax.models import Facility, TaxJurisdiction, TaxRate

# The select offers only real countries; this is for a hand-made request.
COUNTRY_ERRORS = {
    "country": {
        "invalid_choice": "%(value)s is not a country code; choose the country from the list."
    }
}


class TaxJurisdictionForm(forms.ModelForm):
    class Meta:
        model = TaxJurisdiction
        fields = (
            "name",
            "country",
            "region",
            "level",
            "district",
            "postal_prefixes",
            "taxes_shipping",
            "is_active",
        )
        error_messages = COUNTRY_ERRORS


class FacilityForm(forms.ModelForm):
    class Meta:
        model = Facility
        fields = ("name", "street", "city", "region", "postal_code", "country", "is_active")
        error_messages = COUNTRY_ERRORS


class TaxRateHistoryInline(ReadOnlyInline):
    """The rates saved so far, read-only."""

    model = TaxRate
    verbose_name = "rate"
    verbose_name_plural = "rates so far (never edited: add a new rate from its date)"
    fields = readonly_fields = ("rate", "effective_from", "set_by", "created_at")
    ordering = ("-effective_from", "-id")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("set_by")


class NewTaxRateInline(admin.TabularInline):
    """Blank rows for new rates; saved rows show in the history above."""

    model = TaxRate
    verbose_name = "new rate"
    verbose_name_plural = "add a rate (a fraction: 0.0575 for 5.75 %)"
    fields = ("rate", "effective_from")
    can_delete = False
    extra = 1

    def get_queryset(self, request):
        return super().get_queryset(request).none()

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TaxJurisdiction)
class TaxJurisdictionAdmin(admin.ModelAdmin):
    form = TaxJurisdictionForm
    list_display = (
        "name",
        "country",
        "region",
        "level",
        "postal_prefixes",
        "rate_today",
        "taxes_shipping",
        "is_active",
    )
    list_filter = ("country", "level", "taxes_shipping", "is_active")
    search_fields = ("name", "region", "district", "postal_prefixes")
    inlines = (TaxRateHistoryInline, NewTaxRateInline)

    def get_queryset(self, request):
        in_force = (
            TaxRate.objects.filter(
                jurisdiction=OuterRef("pk"), effective_from__lte=timezone.localdate()
            )
            .order_by("-effective_from", "-id")
            .values("rate")[:1]
        )
        return super().get_queryset(request).annotate(rate_in_force=Subquery(in_force))

    @admin.display(description="Rate today", ordering="rate_in_force")
    def rate_today(self, obj):
        if obj.rate_in_force is None:
            return "none yet"
        return f"{obj.rate_in_force * 100:.4f}".rstrip("0").rstrip(".") + " %"

    def has_delete_permission(self, request, obj=None):
        # Deactivate instead: its rates explain the tax on past orders.
        return False

    def save_formset(self, request, form, formset, change):
        rates = formset.save(commit=False)
        for rate in rates:
            rate.set_by = request.user
            rate.save()
        formset.save_m2m()


@admin.register(Facility)
class FacilityAdmin(admin.ModelAdmin):
    form = FacilityForm
    list_display = ("name", "city", "region", "country", "is_active")
    list_filter = ("country", "is_active")
    search_fields = ("name", "city", "region", "postal_code")
