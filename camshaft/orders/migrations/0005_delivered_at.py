"""When an order was delivered, kept on the order for the return windows
(R1, R4); orders delivered before take it from their history."""

from django.db import migrations, models


def from_history(apps, schema_editor):
    order_model = apps.get_model("orders", "Order")
    event_model = apps.get_model("orders", "OrderEvent")
    delivered = event_model.objects.filter(action="delivered").order_by("order_id", "-at")
    for order_id, at in delivered.values_list("order_id", "at").iterator():
        order_model.objects.filter(pk=order_id, delivered_at__isnull=True).update(delivered_at=at)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0004_encrypt_stored_values"),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="delivered_at",
            field=models.DateTimeField(blank=True, db_index=True, null=True),
        ),
        migrations.RunPython(from_history, migrations.RunPython.noop),
    ]
