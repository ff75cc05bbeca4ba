"""Vehicles (Year › Make › Model › Submodel › Engine) and which parts fit them (C3)."""

from django.db import models
from django.db.models import Q

FIRST_MODEL_YEAR = 1990


class Make(models.Model):
    name = models.CharField(max_length=60, unique=True)
    slug = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class VehicleModel(models.Model):
    make = models.ForeignKey(Make, related_name="models", on_delete=models.PROTECT)
    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80)

    class Meta:
        ordering = ["make__name", "name"]
        verbose_name = "model"
        constraints = [
            models.UniqueConstraint(fields=["make", "slug"], name="model_unique_slug_per_make"),
        ]

    def __str__(self) -> str:
        return f"{self.make} {self.name}"


class Submodel(models.Model):
    name = models.CharField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Engine(models.Model):
    name = models.CharField(max_length=80, unique=True, help_text="e.g. 2.0L L4 DOHC")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Vehicle(models.Model):
    """One configuration; `make` repeats `model.make` so the finder's lists
    are covering-index scans."""

    year = models.PositiveSmallIntegerField()
    make = models.ForeignKey(Make, related_name="+", on_delete=models.PROTECT)
    model = models.ForeignKey(VehicleModel, related_name="vehicles", on_delete=models.PROTECT)
    submodel = models.ForeignKey(Submodel, related_name="+", on_delete=models.PROTECT)
    engine = models.ForeignKey(Engine, related_name="+", on_delete=models.PROTECT)

    class Meta:
        ordering = ["-year", "make__name", "model__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "model", "submodel", "engine"], name="vehicle_unique_configuration"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=FIRST_MODEL_YEAR - 60), name="vehicle_year_plausible"
            ),
        ]
        indexes = [
            models.Index(
                fields=["year", "make", "model", "submodel", "engine"], name="vehicle_finder_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.make.name} {self.model.name} {self.submodel} {self.engine}"


class Position(models.TextChoices):
    NONE = "", "—"
    FRONT = "front", "Front"
    REAR = "rear", "Rear"
    LEFT = "left", "Left"
    RIGHT = "right", "Right"
    FRONT_LEFT = "front_left", "Front left"
    FRONT_RIGHT = "front_right", "Front right"
    REAR_LEFT = "rear_left", "Rear left"
    REAR_RIGHT = "rear_right", "Rear right"
    UPPER = "upper", "Upper"
    LOWER = "lower", "Lower"


class Fitment(models.Model):
    # No index of their own: the unique constraint (part, vehicle, position)
    # and the (vehicle, part) index begin with them (migration 0002).
    part = models.ForeignKey(
        "catalog.Part", related_name="fitments", on_delete=models.CASCADE, db_index=False
    )
    vehicle = models.ForeignKey(
        Vehicle, related_name="fitments", on_delete=models.CASCADE, db_index=False
    )
    position = models.CharField(max_length=12, choices=Position.choices, blank=True, default="")
    quantity = models.PositiveSmallIntegerField(default=1, help_text="Quantity per vehicle")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["part", "vehicle", "position"], name="fitment_unique_part_vehicle_position"
            ),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="fitment_quantity_positive"),
        ]
        indexes = [models.Index(fields=["vehicle", "part"], name="fitment_vehicle_part_idx")]

    def __str__(self) -> str:
        return f"{self.part_id} fits {self.vehicle_id}"
