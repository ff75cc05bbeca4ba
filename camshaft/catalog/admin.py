"""Back office for the catalogue (B1): staff edit parts, categories and brands."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from camshaft.catalog import images, services
from camshaft.catalog.models import Brand, Category, Part, PartImage
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


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one <input type=file multiple> (Django's own recipe)."""

    def __init__(self, *args, **kwargs):
        accept = "image/jpeg,image/png,image/webp,image/gif"
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": accept}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class PartForm(forms.ModelForm):
    """The part's own fields (the admin's fieldsets name them) and new pictures."""

    add_pictures = MultipleFileField(
        required=False,
        label="Add pictures",
        help_text="JPEG, PNG, WebP or GIF, up to 10 MB each; choose several at once or drop "
        "them here. The first picture of a part becomes its primary one.",
    )

    def clean_add_pictures(self):
        pictures = []
        for upload in self.cleaned_data["add_pictures"]:
            if upload.size > images.MAX_IMAGE_BYTES:
                raise ValidationError(f"{upload.name}: a picture may be at most 10 MB.")
            data = upload.read()
            try:
                images.check_image(data)
            except images.InvalidImage as problem:
                raise ValidationError(f"{upload.name}: {problem.messages[0]}") from None
            pictures.append(services.NewPicture(data))
        return pictures


class PictureFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        primary = [
            form
            for form in self.forms
            if form.cleaned_data.get("is_primary") and not form.cleaned_data.get("DELETE")
        ]
        if len(primary) > 1:
            raise ValidationError("Choose one primary picture.")


class PartImageInline(admin.TabularInline):
    """The part's pictures: reorder by position (or by dragging a row), pick
    the primary one, delete. New pictures come through "Add pictures"."""

    model = PartImage
    formset = PictureFormSet
    extra = 0
    fields = ("preview", "position", "is_primary")
    readonly_fields = ("preview",)
    classes = ("part-pictures",)

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description="Picture")
    def preview(self, obj):
        picture = images.picture(obj.image.name, images.GALLERY_WIDTH)
        return format_html(
            '<img src="{}" width="{}" height="{}" alt="Picture {}">',
            picture.src,
            picture.width,
            picture.width,
            obj.position + 1,
        )


@admin.register(Part)
class PartAdmin(admin.ModelAdmin):
    form = PartForm
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
    inlines = (PartImageInline, StockInline, FitmentInline)
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
        ("Pictures", {"fields": ("add_pictures",)}),
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
        if pictures := form.cleaned_data.get("add_pictures"):
            services.add_part_images(part=form.instance, pictures=pictures)
        services.save_part(part=form.instance)  # fitment or stock changed: rewrite the document

    def save_formset(self, request, form, formset, change):
        if formset.model is not PartImage:
            return super().save_formset(request, form, formset, change)
        # The service applies the whole arrangement at once (one primary,
        # positions 0..n); the admin's change message reads these.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        kept = [f for f in formset.forms if f.instance.pk and not f.cleaned_data.get("DELETE")]
        kept.sort(key=lambda f: f.cleaned_data.get("position", f.instance.position))
        primary = next((f.instance.pk for f in kept if f.cleaned_data.get("is_primary")), None)
        services.arrange_part_images(
            part=form.instance,
            order=[f.instance.pk for f in kept],
            primary_id=primary,
            remove=[f.instance.pk for f in formset.deleted_forms if f.instance.pk],
        )

    class Media:
        js = ("camshaft/part-pictures.js",)

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
