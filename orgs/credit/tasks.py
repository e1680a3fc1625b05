"""The daily credit job on Django's tasks framework (schedule it once a day, e.g. from cron:
``manage.py run_credit_rules`` or enqueue ``run_credit_rules_task``)."""

import datetime

from django.tasks import task

from .services.rules import run_daily


@task
def run_credit_rules_task(today=None):
    """Compute proposals (S5, S6) and refresh the early warnings. ``today`` is an ISO date."""
    day = datetime.date.fromisoformat(today) if today else None
    rules, warnings = run_daily(day)
    return {
        "proposals_created": len(rules.created),
        "proposals_withdrawn": len(rules.withdrawn),
        "warnings_opened": len(warnings.opened),
        "warnings_kept": len(warnings.kept),
        "warnings_cleared": len(warnings.cleared),
    }
