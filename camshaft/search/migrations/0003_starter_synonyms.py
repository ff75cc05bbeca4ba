"""Load Camshaft's starter list of automotive synonyms (data/starter_synonyms.txt).

Reversing removes only the starter rules staff have not changed since."""

from django.db import migrations


def load(apps, schema_editor):
    from camshaft.search.synonyms import starter_rules

    SynonymRule = apps.get_model("search", "SynonymRule")
    SynonymRule.objects.bulk_create(
        [SynonymRule(rule=rule, source="starter") for rule in starter_rules()]
    )


def unload(apps, schema_editor):
    from camshaft.search.synonyms import starter_rules

    SynonymRule = apps.get_model("search", "SynonymRule")
    SynonymRule.objects.filter(source="starter", rule__in=starter_rules()).delete()


class Migration(migrations.Migration):
    dependencies = [("search", "0002_synonym_rules")]

    operations = [migrations.RunPython(load, unload)]
