"""Fitment's part and vehicle columns lose their single-column indexes: the
unique (part, vehicle, position) constraint and the (vehicle, part) index
begin with them and serve the same lookups. At a million parts each cost
about 100 MB and a share of every fitment write and of the load's index
phase, and PostgreSQL weighed them when planning every fitment query.

Only the indexes are dropped (the same names on SQLite and PostgreSQL);
altering the fields the usual way would make SQLite copy the whole table."""

from django.db import migrations, models
import django.db.models.deletion

DROPPED = {
    "part": "fitment_fitment_part_id_d1420bdd",
    "vehicle": "fitment_fitment_vehicle_id_1721f275",
}


def _drop(column: str, name: str) -> migrations.RunSQL:
    return migrations.RunSQL(
        f'DROP INDEX IF EXISTS "{name}"',
        reverse_sql=f'CREATE INDEX "{name}" ON "fitment_fitment" ("{column}_id")',
    )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
        ("fitment", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[_drop(field, name) for field, name in DROPPED.items()],
            state_operations=[
                migrations.AlterField(
                    model_name="fitment",
                    name="part",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="fitments",
                        to="catalog.part",
                    ),
                ),
                migrations.AlterField(
                    model_name="fitment",
                    name="vehicle",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="fitments",
                        to="fitment.vehicle",
                    ),
                ),
            ],
        )
    ]
