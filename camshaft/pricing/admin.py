"""Back office for exchange rates (P1): staff add rates; past rows stay as
they were, so every converted price can be explained later."""

from django.contrib import admin
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from camshaft.pricing.models import ExchangeRate


def _with_current_flag(queryset):
    """Marks each row that is the rate in effect now for its currency."""
    now = timezone.now()
    newer_in_effect = ExchangeRate.objects.filter(
        currency=OuterRef("currency"), effective_from__lte=now
    ).filter(
        Q(effective_from__gt=OuterRef("effective_from"))
        | Q(effective_from=OuterRef("effective_from"), id__gt=OuterRef("id"))
    )
    return queryset.annotate(
        in_effect=Q(effective_from__lte=now) & ~Exists(newer_in_effect),
    )


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ("currency", "rate", "effective_from", "is_current", "set_by", "created_at")
    list_filter = ("currency",)
    list_select_related = ("set_by",)
    date_hierarchy = "effective_from"
    fields = ("currency", "rate", "effective_from")

    def get_queryset(self, request):
        return _with_current_flag(super().get_queryset(request))

    @admin.display(boolean=True, description="Current rate")
    def is_current(self, obj) -> bool:
        return bool(getattr(obj, "in_effect", False))

    def has_change_permission(self, request, obj=None):
        # Rows are history: a new rate is added, an old one never rewritten.
        # Viewing a saved row still works (view permission).
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.set_by = request.user
        super().save_model(request, obj, form, change)
