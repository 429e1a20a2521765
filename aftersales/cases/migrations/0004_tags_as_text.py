import aftersales.core.jsontext
from django.db import migrations, models


def rewrite_tags(apps, schema_editor):
    """Tags saved before were stored with `\\u` escapes: save them again as text."""
    Case = apps.get_model("cases", "Case")
    batch = []
    for case in Case.objects.exclude(tags=[]).only("pk", "tags").iterator(chunk_size=2000):
        batch.append(case)
        if len(batch) == 2000:
            Case.objects.bulk_update(batch, ["tags"])
            batch = []
    Case.objects.bulk_update(batch, ["tags"])


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0003_case_shop_deadline_index'),
    ]

    operations = [
        migrations.AlterField(
            model_name='case',
            name='tags',
            field=models.JSONField(blank=True, default=list, encoder=aftersales.core.jsontext.TextJSONEncoder),
        ),
        migrations.RunPython(rewrite_tags, migrations.RunPython.noop),
    ]
