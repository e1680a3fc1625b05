"""The scheduled jobs (``site/crontab``) and how they run once per cluster (``core.scheduling``)."""

from .environment import env

# Scheduled jobs (site/crontab: `manage.py run_scheduled <job>` on every node) and their periods
# in seconds, each dividing a day: a job runs once per cluster and period (core.scheduling).
SCHEDULED_JOB_PERIODS = {
    "run_credit_rules": 24 * 3600,
    "reconcile_payments": 5 * 60,
    "publish_price_chain_heads": 24 * 3600,
    "verify_price_chain": 24 * 3600,
    "purge_attempt_counters": 24 * 3600,
    "send_memorial_reminders": 24 * 3600,
    "record_visit_no_shows": 3600,
    "expire_slot_holds": 5 * 60,
    "settle_benefit_waivers": 3600,
}
# How long the record of a scheduled run is kept (core.ScheduledRun), in days.
SCHEDULED_RUNS_KEPT_DAYS = int(env("SCHEDULED_RUNS_KEPT_DAYS", "90"))
# This node's name in those records (default: the host name).
NODE_NAME = env("NODE_NAME", "")
