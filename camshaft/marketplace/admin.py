"""The marketplace in the back office: seller terms, sellers, and the
store's commission and per-sale fee (M4)."""

from django.contrib import admin

from camshaft.marketplace.models import CommissionRate, SaleFee, Seller, SellerTerms


@admin.register(SellerTerms)
class SellerTermsAdmin(admin.ModelAdmin):
    list_display = ("version", "published_at")

    def has_change_permission(self, request, obj=None):
        # A version members accepted is the record of what they agreed to.
        if obj is not None and obj.sellers.exists():
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.sellers.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Seller)
class SellerAdmin(admin.ModelAdmin):
    list_display = ("public_id", "status", "terms", "accepted_at")
    list_filter = ("status",)
    search_fields = ("public_id",)
    readonly_fields = ("user", "public_id", "terms", "accepted_at")

    def has_add_permission(self, request):
        return False  # members become sellers themselves, accepting the terms


@admin.register(CommissionRate)
class CommissionRateAdmin(admin.ModelAdmin):
    list_display = ("__str__", "category", "percent")
    autocomplete_fields = ("category",)


@admin.register(SaleFee)
class SaleFeeAdmin(admin.ModelAdmin):
    list_display = ("currency", "amount")
