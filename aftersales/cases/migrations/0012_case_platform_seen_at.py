from django.db import migrations, models
from django.db.models import Max, OuterRef, Subquery


def seen_at_from_events(apps, schema_editor):
    """A platform case already stored was last seen when the platform's last event on it was written."""
    Case = apps.get_model("cases", "Case")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    last = (CaseEvent.objects.filter(case_id=OuterRef("pk"), actor="platform").values("case_id")
            .annotate(at=Max("created_at")).values("at"))
    Case.objects.filter(platform_case_id__isnull=False).update(platform_seen_at=Subquery(last))


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0011_case_refunded_before_receipt"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="platform_seen_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(seen_at_from_events, migrations.RunPython.noop),
    ]
