"""Training shops bore "<shop> · 培训 Training" in every language; they now bear the shop's own name and the
pages mark them as training in the reader's language."""

from django.db import migrations

OLD_SUFFIX = " · 培训 Training"


def drop_suffix(apps, schema_editor):
    Shop = apps.get_model("accounts", "Shop")
    for shop in Shop.objects.filter(training_of__isnull=False, name__endswith=OLD_SUFFIX):
        shop.name = shop.name[: -len(OLD_SUFFIX)]
        shop.save(update_fields=["name"])


class Migration(migrations.Migration):

    dependencies = [
        ("training", "0002_attempt_advice"),
        ("accounts", "0002_shop_training_of_alter_apitoken_role_and_more"),
    ]

    operations = [migrations.RunPython(drop_suffix, migrations.RunPython.noop)]
