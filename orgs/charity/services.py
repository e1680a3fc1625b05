"""Charity rules: C2 deadlines, totals for disclosure (C4) and the raised-vs-spent series."""

import datetime
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import DecimalField, Exists, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from core.dates import add_months
from core.money import ZERO

from .models import (
    BasicInfoDisclosure,
    CharityProject,
    Donation,
    Expenditure,
    ProgressReport,
    ProgressReportAttachment,
    ProjectStatus,
)

MONEY = DecimalField(max_digits=14, decimal_places=2)


# --- C2 deadlines ---------------------------------------------------------------------


@dataclass(frozen=True)
class Overdue:
    """One overdue C2 item for a project."""

    rule: str  # "plan", "progress" or "final"
    key: str
    deadline: datetime.date
    reason: str
    how_to_clear: str


def plan_deadline(project):
    """C2: the fundraising plan is filed at least C2_PLAN_FILING_DAYS_BEFORE_START days before the start."""
    return project.starts_on - datetime.timedelta(days=settings.C2_PLAN_FILING_DAYS_BEFORE_START)


def is_long_project(project):
    """C2: a project lasting over C2_LONG_PROJECT_MONTHS months discloses its progress periodically."""
    return project.ends_on > add_months(project.starts_on, settings.C2_LONG_PROJECT_MONTHS)


def progress_due_dates(project):
    """The dates by which each periodic progress report is due, while the project runs."""
    if not is_long_project(project):
        return []
    dates, step = [], 1
    while True:
        due = add_months(project.starts_on, settings.C2_PROGRESS_REPORT_MONTHS * step)
        if due > project.ends_on:
            return dates
        dates.append(due)
        step += 1


def final_account_deadline(project):
    """C2: the full account is due C2_FINAL_ACCOUNT_MONTHS months after the end."""
    return add_months(project.ends_on, settings.C2_FINAL_ACCOUNT_MONTHS)


def overdue_items(project, today, reports=None):
    """Every overdue C2 item of ``project`` on ``today``.

    ``reports`` (the project's current reports) may be passed to avoid a query."""
    if reports is None:
        reports = list(project.reports.current())
    items = []
    if project.public_fundraising and project.status != ProjectStatus.COMPLETED:
        deadline = plan_deadline(project)
        if project.plan_filed_on is None and today > deadline:
            items.append(
                Overdue(
                    rule="plan",
                    key="plan",
                    deadline=deadline,
                    reason=_("募捐方案应在%(deadline)s前备案（开始前%(days)s天），目前尚未备案。")
                    % {"deadline": deadline.isoformat(), "days": settings.C2_PLAN_FILING_DAYS_BEFORE_START},
                    how_to_clear=_("向登记管理机关备案募捐方案，并填写备案号和备案日期。"),
                )
            )
        elif project.plan_filed_on is not None and project.plan_filed_on > deadline:
            items.append(
                Overdue(
                    rule="plan",
                    key="plan",
                    deadline=deadline,
                    reason=_("募捐方案于%(filed)s备案，晚于应备案日期%(deadline)s。")
                    % {"filed": project.plan_filed_on.isoformat(), "deadline": deadline.isoformat()},
                    how_to_clear=_("说明逾期备案原因；项目结项后本预警解除。"),
                )
            )
    progress = [r for r in reports if r.kind == ProgressReport.Kind.PROGRESS]
    passed = [due for due in progress_due_dates(project) if due < today]
    if passed:
        due = passed[-1]
        period_start = add_months(due, -settings.C2_PROGRESS_REPORT_MONTHS)
        if not any(r.published_on > period_start for r in progress):
            items.append(
                Overdue(
                    rule="progress",
                    key=f"progress-{due.isoformat()}",
                    deadline=due,
                    reason=_(
                        "项目持续超过%(months)s个月，应每%(every)s个月公开一次进展；截至%(due)s的进展报告尚未公开。"
                    )
                    % {
                        "months": settings.C2_LONG_PROJECT_MONTHS,
                        "every": settings.C2_PROGRESS_REPORT_MONTHS,
                        "due": due.isoformat(),
                    },
                    how_to_clear=_("在机构工作台公开本期项目进展报告。"),
                )
            )
    deadline = final_account_deadline(project)
    if today > deadline and not any(r.kind == ProgressReport.Kind.FINAL for r in reports):
        items.append(
            Overdue(
                rule="final",
                key="final",
                deadline=deadline,
                reason=_("项目已于%(end)s结束，全面报告（含资金使用情况）应在%(deadline)s前公开。")
                % {"end": project.ends_on.isoformat(), "deadline": deadline.isoformat()},
                how_to_clear=_("在机构工作台公开项目结项全面报告。"),
            )
        )
    return items


def projects_with_reports(attachments=False):
    reports = "reports__attachments" if attachments else "reports"
    return CharityProject.objects.select_related("organization").prefetch_related(reports)


# --- Disclosure files: public, served only through the hash check ----------------------------


def public_vouchers():
    """Expenditures whose voucher the public may download: those the project page shows."""
    return Expenditure.objects.current().exclude(document="")


def public_report_attachments():
    """Attachments of the progress reports the project page shows (no later report corrects them)."""
    corrected = ProgressReport.objects.filter(corrects=OuterRef("report_id"))
    return ProgressReportAttachment.objects.filter(~Exists(corrected))


def public_articles():
    """C1 disclosures with articles, of organisations whose profile shows a charity section."""
    with_projects = CharityProject.objects.filter(organization=OuterRef("organization_id"))
    return BasicInfoDisclosure.objects.exclude(articles="").filter(
        Q(organization__charity_recognized_on__isnull=False) | Exists(with_projects)
    )


FILE_VIEWS = (
    (Expenditure, "document", "charity:voucher"),
    (ProgressReportAttachment, "file", "charity:report_attachment"),
    (BasicInfoDisclosure, "articles", "charity:articles"),
)


def file_view_for_media_name(name):
    """(view name, pk) of the checking view for a file once served from public media as ``name``."""
    for model, field, view in FILE_VIEWS:
        pk = model.objects.filter(**{field: name}).order_by("pk").values_list("pk", flat=True).first()
        if pk is not None:
            return view, pk
    return None


def current_reports(project):
    """The project's reports that no later report corrects, from a prefetch."""
    corrected = {r.corrects_id for r in project.reports.all() if r.corrects_id}
    return [r for r in project.reports.all() if r.pk not in corrected]


# --- Totals ---------------------------------------------------------------------------


def _sum_subquery(model, amount="amount"):
    rows = (
        model.objects.current()
        .filter(project=OuterRef("pk"))
        .order_by()
        .values("project")
        .annotate(total=Sum(amount))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=MONEY), Value(ZERO), output_field=MONEY)


def with_totals(queryset):
    """Annotate ``raised`` and ``spent`` (current records only) in the same query."""
    return queryset.annotate(raised=_sum_subquery(Donation), spent=_sum_subquery(Expenditure))


def quantize_totals(projects):
    """Totals as money with two decimals on every database (SQLite returns bare numbers)."""
    projects = list(projects)
    for project in projects:
        project.raised = Decimal(project.raised).quantize(Decimal("0.01"))
        project.spent = Decimal(project.spent).quantize(Decimal("0.01"))
    return projects


@dataclass(frozen=True)
class SeriesPoint:
    month: str  # YYYY-MM
    raised: Decimal
    spent: Decimal


def _monthly_totals(queryset, date_field):
    """{first day of month: sum of amount}, summed by the database (one row per month)."""
    rows = (
        queryset.order_by()
        .annotate(month=TruncMonth(date_field))
        .values("month")
        .annotate(total=Sum("amount"))
        .values_list("month", "total")
    )
    return dict(rows)


def raised_vs_spent(project):
    """Cumulative raised and spent at the end of each month with any record."""
    raised_by_month = _monthly_totals(project.donations.current(), "donated_on")
    spent_by_month = _monthly_totals(project.expenditures.current(), "spent_on")
    points, raised, spent = [], ZERO, ZERO
    for month in sorted(set(raised_by_month) | set(spent_by_month)):
        raised += raised_by_month.get(month) or ZERO
        spent += spent_by_month.get(month) or ZERO
        points.append(SeriesPoint(month=month.strftime("%Y-%m"), raised=raised, spent=spent))
    return points


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    raised_points: str
    spent_points: str
    y_max: Decimal
    labels: list  # (x, text)
    raised_dots: list = ()  # (x, y) markers, so a single month still shows
    spent_dots: list = ()


def chart_for(points, width=640, height=240, margin=40):
    """SVG polyline coordinates for the series; the numbers themselves go in a table."""
    if not points:
        return None
    y_max = max(max(p.raised, p.spent) for p in points) or Decimal("1")
    inner_w, inner_h = width - 2 * margin, height - 2 * margin
    step = inner_w / max(len(points) - 1, 1)
    # One month has no line to draw: its markers stand in the middle of the chart.
    start = margin + (inner_w / 2 if len(points) == 1 else 0)

    def dots(attr):
        return [
            (
                round(start + i * step, 1),
                round(margin + inner_h - float(getattr(p, attr) / y_max) * inner_h, 1),
            )
            for i, p in enumerate(points)
        ]

    def polyline(markers):
        return " ".join(f"{x},{y}" for x, y in markers)

    raised, spent = dots("raised"), dots("spent")
    every = max(1, len(points) // 6)
    labels = [(round(start + i * step, 1), p.month) for i, p in enumerate(points) if i % every == 0]
    return Chart(width, height, polyline(raised), polyline(spent), y_max, labels, raised, spent)


# --- C1 basic information --------------------------------------------------------------


@dataclass(frozen=True)
class BasicInfoDue:
    """One C1 obligation: after recognition or a change registration, basic information is
    disclosed within C1_BASIC_INFO_DISCLOSURE_DAYS days."""

    trigger: datetime.date
    label: str
    deadline: datetime.date
    disclosed_on: datetime.date | None

    @property
    def late(self):
        return self.disclosed_on is not None and self.disclosed_on > self.deadline

    def overdue(self, today):
        return self.disclosed_on is None and today > self.deadline


def basic_info_obligations(organization, changes=None, disclosures=None):
    """Every C1 obligation of a charity, oldest first. ``changes`` and ``disclosures`` may be
    passed (e.g. from a prefetch) to avoid queries."""
    from orgs.registry.models import RegistryChange

    if not organization.is_charity:
        return []
    recognized = organization.charity_recognized_on
    if changes is None:
        changes = list(organization.changes.all())
    if disclosures is None:
        disclosures = list(organization.basic_info.all())
    labels = {recognized: [_("认定为慈善组织")]}
    for change in changes:
        if change.changed_on >= recognized and change.item != RegistryChange.Item.STATUS:
            labels.setdefault(change.changed_on, []).append(
                _("变更登记：%(item)s") % {"item": change.get_item_display()}
            )
    published = sorted(d.published_on for d in disclosures)
    days = datetime.timedelta(days=settings.C1_BASIC_INFO_DISCLOSURE_DAYS)
    return [
        BasicInfoDue(
            trigger=trigger,
            label="、".join(str(label) for label in labels[trigger]),
            deadline=trigger + days,
            disclosed_on=next((day for day in published if day >= trigger), None),
        )
        for trigger in sorted(labels)
    ]


def publish_basic_info(disclosure, *, user, today=None):
    """Publish a charity's basic information (C1). Append-only: a change is a new record."""
    from django.core.exceptions import ValidationError
    from wagtail.log_actions import log

    today = today or timezone.localdate()
    if not disclosure.organization.is_charity:
        raise ValidationError(_("只有经认定的慈善组织公开基本信息。"))
    if disclosure.changed_on and disclosure.changed_on > today:
        raise ValidationError({"changed_on": _("变更发生日期不能晚于今天。")})
    disclosure.published_on = today
    disclosure.created_by = user if user is not None and user.is_authenticated else None
    with transaction.atomic():
        disclosure.full_clean()
        disclosure.save()
        log(disclosure, "wagtail.create", user=user)
    return disclosure


def latest_basic_info(organization):
    return (
        BasicInfoDisclosure.objects.filter(organization=organization).order_by("-published_on", "-pk").first()
    )


# --- Donation tracing (C4) ------------------------------------------------------------


def normalise_receipt_number(value):
    """A receipt number as people type it: full-width characters folded (NFKC, as a Chinese input
    method types ＪＺ－０１), and the spaces around it dropped. Case is kept here and ignored by
    :func:`find_donation`, as /verify/ ignores the case of a code: online receipts are
    mixed-case payment ids, so upper-casing them for an exact match would lose them."""
    return unicodedata.normalize("NFKC", value or "").strip()


def find_donation(organization, receipt_number):
    """The current donation with that receipt number at that organisation, or None. The number
    is matched without regard to case; should two receipts of the organisation differ only in
    case, the one typed exactly is found, and neither if it was typed otherwise."""
    receipt_number = normalise_receipt_number(receipt_number)
    if not receipt_number:
        return None
    originals = Donation.objects.filter(organization=organization, corrects__isnull=True).select_related(
        "project", "project__organization"
    )
    # The exact number first, through the unique index; only a number typed in another case
    # reads the organisation's receipts case-insensitively.
    original = originals.filter(receipt_number=receipt_number).first()
    if original is None:
        matches = list(originals.filter(receipt_number__iexact=receipt_number)[:2])
        if len(matches) != 1:
            return None
        original = matches[0]
    latest = original
    while True:
        nxt = (
            Donation.objects.filter(corrects=latest)
            .select_related("project", "project__organization")
            .first()
        )
        if nxt is None:
            return latest
        latest = nxt


# --- Publishing (organisation staff) ----------------------------------------------------


def save_project(project, *, user):
    """Create or update a project; the organisation is set by the caller."""
    from wagtail.log_actions import log

    adding = project._state.adding
    project.full_clean()
    project.save()
    log(project, "wagtail.create" if adding else "wagtail.edit", user=user)
    return project


def status_actions(project):
    """(target status, button label) for every move the transition table allows now."""
    return [
        (target, label)
        for (source, target), label in CharityProject.TRANSITIONS.items()
        if source == project.status
    ]


def change_status(project, target, *, user, today=None):
    """Move a project along CharityProject.TRANSITIONS; the move is audited.

    A project cannot be closed before it has started."""
    from django.core.exceptions import ValidationError

    from core.statemachine import transition

    today = today or timezone.localdate()
    if target == ProjectStatus.COMPLETED and today < project.starts_on:
        raise ValidationError(
            _("项目%(date)s才开始，不能提前结项。") % {"date": project.starts_on.isoformat()}
        )
    return transition(project, target, user=user)


def publish(record, *, user, attachments=()):
    """Publish an append-only record (donation, expenditure or progress report); a progress
    report's uploaded ``attachments`` are published with it, in the same transaction."""
    from wagtail.log_actions import log

    with transaction.atomic():
        record.full_clean()
        record.save()
        for upload in attachments:
            # Checked by content in full_clean (the model field's validator), stored on save.
            attachment = ProgressReportAttachment(report=record, name=upload.name[:200], file=upload)
            attachment.full_clean()
            attachment.save()
        log(
            record,
            "wagtail.create",
            user=user,
            data={"corrects": record.corrects_id, "attachments": len(attachments)},
        )
    return record
