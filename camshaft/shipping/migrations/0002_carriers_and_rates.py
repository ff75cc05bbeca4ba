"""The carriers of S1 and starting rate tables (camshaft/shipping/defaults.py)."""

from django.db import migrations

from camshaft.shipping.defaults import CARRIERS, install_default_rates


def add_carriers(apps, schema_editor):
    install_default_rates(apps.get_model("shipping", "Carrier"), apps.get_model("shipping", "ShippingRate"))


def remove_carriers(apps, schema_editor):
    Carrier = apps.get_model("shipping", "Carrier")
    Carrier.objects.filter(code__in=[c[0] for c in CARRIERS], shipments__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("shipping", "0001_initial")]

    operations = [migrations.RunPython(add_carriers, remove_carriers)]
