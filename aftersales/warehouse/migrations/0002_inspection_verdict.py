"""An inspection's verdict on the buyer's claim and its failure reason, beside the resale grade."""

from django.db import migrations, models

#: The reasons that claim the goods are at fault (core.choices.MERCHANT_FAULT_REASONS when this was written).
FAULT_REASONS = ("quality_defect", "not_as_described", "wrong_item", "missing_item", "damaged_in_transit")


def backfill(apps, schema_editor):
    """Earlier inspections: a pass answered the claim (a fault claim) or found the goods intact; a fail
    graded D was another item or an empty box. Other earlier fails gave no reason, and keep none."""
    Inspection = apps.get_model("warehouse", "Inspection")
    passed = Inspection.objects.filter(passed=True)
    passed.filter(case__reason__in=FAULT_REASONS).update(verdict="matches_claim")
    passed.exclude(case__reason__in=FAULT_REASONS).update(verdict="intact")
    failed = Inspection.objects.filter(passed=False)
    failed.update(verdict="failed")
    failed.filter(grade="D").update(failure_reason="not_our_item")


class Migration(migrations.Migration):

    dependencies = [
        ("warehouse", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="inspection",
            name="verdict",
            field=models.CharField(
                choices=[("matches_claim", "matches_claim"), ("intact", "intact"), ("failed", "failed")],
                default="intact", max_length=16,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="inspection",
            name="failure_reason",
            field=models.CharField(
                blank=True,
                choices=[("not_our_item", "not_our_item"), ("parts_kept", "parts_kept"),
                         ("buyer_damage", "buyer_damage"), ("used", "used")],
                max_length=16,
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
