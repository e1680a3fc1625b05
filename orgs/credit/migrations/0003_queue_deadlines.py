"""Issue 23, point 1: the credit queues have deadlines.

- ``Objection.due_on``: S8_OBJECTION_DECISION_WORKING_DAYS working days after filing.
- Backfill: every proposal without a deadline gets S5_LISTING_DECISION_WORKING_DAYS working
  days after its proposal date (the listing proposals never had one; removals carry their
  rule's date already), and every objection its S8 deadline from the day it was filed
  (Beijing time). Both from the working-day calendar (``core.dates``, the reports' calendar).
"""

from django.db import migrations, models


def backfill_deadlines(apps, schema_editor):
    from django.conf import settings
    from django.utils import timezone

    from core.dates import add_working_days

    Proposal = apps.get_model("credit", "Proposal")
    Objection = apps.get_model("credit", "Objection")
    listing_days = int(getattr(settings, "S5_LISTING_DECISION_WORKING_DAYS", 5))
    for pk, proposed_on in Proposal.objects.filter(due_on__isnull=True).values_list("pk", "proposed_on"):
        Proposal.objects.filter(pk=pk).update(due_on=add_working_days(proposed_on, listing_days))
    objection_days = settings.S8_OBJECTION_DECISION_WORKING_DAYS
    for pk, filed_at in Objection.objects.filter(due_on__isnull=True).values_list("pk", "filed_at"):
        due = add_working_days(timezone.localdate(filed_at), objection_days)
        Objection.objects.filter(pk=pk).update(due_on=due)


class Migration(migrations.Migration):
    dependencies = [
        ("credit", "0002_stored_file_hashes"),
        ("reports", "0002_seed_calendar"),
    ]

    operations = [
        migrations.AddField(
            model_name="objection",
            name="due_on",
            field=models.DateField(
                blank=True,
                help_text="提出之日起 S8_OBJECTION_DECISION_WORKING_DAYS 个工作日内处理（S8）。",
                null=True,
                verbose_name="处理期限",
            ),
        ),
        migrations.RunPython(backfill_deadlines, migrations.RunPython.noop),
    ]
