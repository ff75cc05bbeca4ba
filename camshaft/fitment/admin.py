"""Back office for vehicles and fitment (B1)."""

from django.contrib import admin

from camshaft.fitment.models import Engine, Fitment, Make, Submodel, Vehicle, VehicleModel
from camshaft.search import services as search_services


@admin.register(Make)
class MakeAdmin(admin.ModelAdmin):
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}


@admin.register(VehicleModel)
class VehicleModelAdmin(admin.ModelAdmin):
    list_display = ("name", "make")
    list_filter = ("make",)
    search_fields = ("name", "make__name")
    prepopulated_fields = {"slug": ("name",)}


admin.site.register(Submodel, search_fields=("name",))
admin.site.register(Engine, search_fields=("name",))


@admin.register(Vehicle)
class VehicleAdmin(admin.ModelAdmin):
    list_display = ("year", "make", "model", "submodel", "engine")
    list_filter = ("make",)
    search_fields = ("model__name", "make__name", "=year")
    list_select_related = ("make", "model", "submodel", "engine")
    autocomplete_fields = ("make", "model", "submodel", "engine")
    show_full_result_count = False


@admin.register(Fitment)
class FitmentAdmin(admin.ModelAdmin):
    list_display = ("part", "vehicle", "position", "quantity", "note")
    raw_id_fields = ("part", "vehicle")
    search_fields = ("=part__sku",)
    list_select_related = (
        "part",
        "vehicle__make",
        "vehicle__model",
        "vehicle__submodel",
        "vehicle__engine",
    )
    show_full_result_count = False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        search_services.queue_reindex([obj.part_id])

    def delete_model(self, request, obj):
        part_id = obj.part_id
        super().delete_model(request, obj)
        search_services.queue_reindex([part_id])
