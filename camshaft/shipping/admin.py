"""Back office for shipping: carriers, their rate tables (S1) and the
shipments that left (S4, read-only: shipping happens from an order)."""

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from camshaft.shipping.models import Carrier, Shipment, ShippingRate
from camshaft.shipping.selectors import carrier_payload


@admin.register(Carrier)
class CarrierAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "mode", "dim_divisor", "is_active")
    list_editable = ("dim_divisor", "is_active")


@admin.register(ShippingRate)
class ShippingRateAdmin(admin.ModelAdmin):
    """The rate tables: filter to one carrier, method and zone and edit the
    prices in the list."""

    list_display = ("carrier", "method", "zone", "max_weight_lb", "price")
    list_editable = ("price",)
    list_filter = ("carrier", "method", "zone")
    list_per_page = 50
    ordering = ("carrier__name", "method", "zone", "max_weight_lb")


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin):
    list_display = (
        "order",
        "shipped_at",
        "warehouse",
        "carrier",
        "tracking_number",
        "amount_captured",
    )
    list_filter = ("carrier", "warehouse")
    search_fields = ("=tracking_number", "=order__number")
    date_hierarchy = "shipped_at"
    list_select_related = ("order", "warehouse", "carrier")

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Shipment._meta.fields] + ["sent_to_carrier"]

    @admin.display(description="Label data for the carrier (V10)")
    def sent_to_carrier(self, shipment):
        """Exactly what the sharing register lets the carrier have."""
        rows = format_html_join(
            "", "<tr><th>{}</th><td>{}</td></tr>", carrier_payload(shipment).items()
        )
        return format_html("<table>{}</table>", rows)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
