"""Back office for the catalogue (B1): staff edit parts, categories and brands."""

from django.contrib import admin

from camshaft.catalog import services
from camshaft.catalog.models import Brand, Category, Part
from camshaft.fitment.models import Fitment
from camshaft.inventory.models import StockLevel


class FitmentInline(admin.TabularInline):
    model = Fitment
    extra = 0
    raw_id_fields = ("vehicle",)
    fields = ("vehicle", "position", "quantity", "note")


class StockInline(admin.TabularInline):
    model = StockLevel
    extra = 0
    fields = ("warehouse", "quantity", "reserved")
    readonly_fields = ("reserved",)


@admin.register(Part)
class PartAdmin(admin.ModelAdmin):
    list_display = ("sku", "name", "brand", "mpn", "category", "price", "core_charge", "is_active")
    list_filter = (
        "is_active",
        "condition",
        "returnability",
        "freight_class",
        "is_hazardous",
        "is_performance",
        "is_special_order",
    )
    search_fields = ("=sku", "=mpn", "name")
    show_full_result_count = False  # a COUNT(*) over a million rows on every page is waste
    list_select_related = ("brand", "category")
    raw_id_fields = ("brand", "category")
    inlines = (StockInline, FitmentInline)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "sku",
                    "brand",
                    "mpn",
                    "name",
                    "description",
                    "category",
                    "attributes",
                    "is_active",
                )
            },
        ),
        ("Price", {"fields": ("price", "core_charge")}),
        (
            "Shipping",
            {
                "fields": (
                    "weight_lb",
                    "length_in",
                    "width_in",
                    "height_in",
                    "freight_class",
                    "is_hazardous",
                    "is_performance",
                )
            },
        ),
        (
            "Returns and supply",
            {
                "fields": (
                    "condition",
                    "returnability",
                    "is_special_order",
                    "is_custom_made",
                    "lead_time_days",
                )
            },
        ),
    )

    def save_model(self, request, obj, form, change):
        services.save_part(part=obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.save_part(part=form.instance)  # fitment or stock changed: rewrite the document

    def delete_model(self, request, obj):
        services.delete_part(part=obj)

    def delete_queryset(self, request, queryset):
        for part in queryset:
            services.delete_part(part=part)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("path", "name", "depth")
    search_fields = ("name", "path")
    raw_id_fields = ("parent",)
    readonly_fields = ("path", "depth")

    def save_model(self, request, obj, form, change):
        services.save_category(category=obj)


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name",)
    prepopulated_fields = {"slug": ("name",)}

    def save_model(self, request, obj, form, change):
        services.save_brand(brand=obj)
