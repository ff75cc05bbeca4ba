"""The catalogue: brands, a category tree and parts (C1)."""

import re

from django.db import models
from django.db.models import Q


def normalize_code(value: str) -> str:
    """SKUs and MPNs compare without case, spaces, dashes or dots:
    'bp-1234 a' finds 'BP1234A'."""
    return re.sub(r"[^0-9A-Z]", "", (value or "").upper())


class Brand(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """A node of the category tree; `path` is the slug path used in URLs
    (`brakes/pads`) and keeps the whole tree sortable in one query."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120)
    parent = models.ForeignKey(
        "self", null=True, blank=True, related_name="children", on_delete=models.PROTECT
    )
    path = models.CharField(max_length=500, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        ordering = ["path"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "slug"], name="category_unique_slug_in_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.path = self.path_below(self.parent.path if self.parent_id else None, self.slug)
        self.depth = self.path.count("/")
        super().save(*args, **kwargs)

    @staticmethod
    def path_below(parent_path: str | None, slug: str) -> str:
        """The path of a node with this slug under a parent with that path
        (None for a top-level node); the bulk loaders build it here too."""
        return f"{parent_path}/{slug}" if parent_path is not None else slug


class Condition(models.TextChoices):
    NEW = "new", "New"
    USED = "used", "Used"
    REMANUFACTURED = "reman", "Remanufactured"


class Returnability(models.TextChoices):
    """R1's classes; the rule that applies them lives in the returns app."""

    STANDARD = "standard", "Returnable within 30 days of delivery, unused and complete"
    SEALED_ONLY = "sealed_only", "Returnable only while still sealed (CD-ROMs, service manuals)"
    UNOPENED_ONLY = (
        "unopened_only",
        "Not returnable once installed, plugged in or unsealed (batteries, painted, "
        "modified and electrical parts)",
    )
    NON_RETURNABLE = "non_returnable", "Not returnable (special-order or custom-made)"


class FreightClass(models.TextChoices):
    PARCEL = "parcel", "Parcel"
    TRUCK = "truck", "Truck freight"


class Part(models.Model):
    sku = models.CharField("SKU", max_length=40, unique=True)
    brand = models.ForeignKey(Brand, related_name="parts", on_delete=models.PROTECT)
    mpn = models.CharField("manufacturer part number", max_length=60)
    mpn_key = models.CharField(max_length=60, db_index=True, editable=False)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    category = models.ForeignKey(Category, related_name="parts", on_delete=models.PROTECT)
    attributes = models.JSONField(default=dict, blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=2)
    core_charge = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    weight_lb = models.DecimalField("weight (lb)", max_digits=8, decimal_places=2, default=1)
    length_in = models.DecimalField("length (in)", max_digits=7, decimal_places=2, default=1)
    width_in = models.DecimalField("width (in)", max_digits=7, decimal_places=2, default=1)
    height_in = models.DecimalField("height (in)", max_digits=7, decimal_places=2, default=1)
    condition = models.CharField(max_length=8, choices=Condition.choices, default=Condition.NEW)
    returnability = models.CharField(
        max_length=16, choices=Returnability.choices, default=Returnability.STANDARD
    )
    freight_class = models.CharField(
        max_length=8, choices=FreightClass.choices, default=FreightClass.PARCEL
    )
    is_special_order = models.BooleanField("special order", default=False)
    is_custom_made = models.BooleanField("custom made", default=False)
    is_hazardous = models.BooleanField("hazardous (battery acid)", default=False)
    is_performance = models.BooleanField("performance part", default=False)
    lead_time_days = models.PositiveSmallIntegerField(
        default=7, help_text="Business days to get the part when no warehouse has it."
    )
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sku"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="part_price_not_negative"),
            models.CheckConstraint(
                condition=Q(core_charge__isnull=True) | Q(core_charge__gte=0),
                name="part_core_charge_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"

    def save(self, *args, **kwargs):
        self.sku = self.sku.strip().upper()
        self.mpn_key = normalize_code(self.mpn)
        super().save(*args, **kwargs)

    @property
    def made_to_order(self) -> bool:
        """Special-order and custom-made parts are ordered in for each order:
        never stocked, they ship after their lead time."""
        return self.is_special_order or self.is_custom_made


class PartImage(models.Model):
    """A picture of a part (C7). A part has any number, in `position` order,
    and exactly one of them primary while it has any (services keep that).
    Many parts may share one file (the demo's drawings do): the file and its
    thumbnails are kept until no row names them."""

    part = models.ForeignKey(Part, related_name="images", on_delete=models.CASCADE)
    image = models.ImageField(max_length=200)
    width = models.PositiveIntegerField(default=0, editable=False)
    height = models.PositiveIntegerField(default=0, editable=False)
    position = models.PositiveSmallIntegerField(default=0)
    is_primary = models.BooleanField("primary", default=False)
    # The URL or file an import took it from (an import skips what it has).
    source = models.CharField(max_length=500, blank=True, editable=False)

    class Meta:
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["part", "position"], name="partimage_part_position")]
        constraints = [
            models.UniqueConstraint(
                fields=["part"], condition=Q(is_primary=True), name="partimage_one_primary"
            ),
        ]

    def __str__(self) -> str:
        return f"Picture {self.position + 1} of {self.part_id}"
