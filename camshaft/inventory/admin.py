"""Back office for warehouses and stock (B1)."""

from django.contrib import admin

from camshaft.inventory.models import StockLevel, Warehouse
from camshaft.search import services as search_services


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "city", "state", "country", "is_active")
    search_fields = ("code", "name", "city")


@admin.register(StockLevel)
class StockLevelAdmin(admin.ModelAdmin):
    list_display = ("part", "warehouse", "quantity", "reserved")
    list_filter = ("warehouse",)
    raw_id_fields = ("part",)
    search_fields = ("=part__sku",)
    readonly_fields = ("reserved",)
    list_select_related = ("part", "warehouse")
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        search_services.queue_reindex([obj.part_id])  # "in stock" may have changed
