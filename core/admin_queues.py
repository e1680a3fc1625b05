"""The bureau's work queues in the admin (issue 23, points 1 and 9): one pattern for every queue.

A queue is a listing of items that wait for an officer's decision, each with a deadline. Price
flags, annual-report reviews, credit proposals, objections, complaints and memorial reports
are queues; so is every queue a new app adds. Each is described once, as a :class:`Queue`, and
the admin pieces follow from that description:

* the listing opens on the **open** items, sorted by deadline (items without one last);
* each row says "剩余 N 个工作日", "今日到期" or "已超期 N 天" (:func:`countdown`, from the
  working-day calendar in ``core.dates``);
* filters for the queue (open, overdue, closed, all), district, type and state;
* CSV and XLSX exports of the filtered listing, in Beijing time and safe to open in a
  spreadsheet (:class:`SafeExportMixin`, which every admin listing uses);
* the dashboard panel of each section: due and overdue counts per queue, and monthly
  statistics (decisions made, the median working days to decide, the share on time).

A viewset becomes a queue with the mixin and a description::

    PROPOSALS = register_queue(Queue(key="credit_proposals", model=Proposal, ...))

    class ProposalViewSet(QueueViewSetMixin, ModelViewSet):
        queue = PROPOSALS
        list_display = [..., DeadlineColumn(PROPOSALS)]

``core`` knows no app's models: the apps describe their queues and register them.
"""

from __future__ import annotations

import datetime
import statistics
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import django_filters
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import Promise, cached_property, classproperty
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import BaseColumn, BooleanColumn, Column
from wagtail.admin.views.bulk_action import BulkAction
from wagtail.admin.views.generic import IndexView
from wagtail.coreutils import multigetattr

from .dates import add_months, add_working_days, special_days, working_days_between
from .opendata import safe_cell

# Items without a deadline sort after every dated item, on every database.
NO_DEADLINE = datetime.date(9999, 12, 31)

OPEN, OVERDUE, DUE_SOON, CLOSED, ALL = "open", "overdue", "due_soon", "closed", "all"
QUEUE_VIEWS = [
    (OPEN, _("待办")),
    (DUE_SOON, _("即将到期")),
    (OVERDUE, _("已超期")),
    (CLOSED, _("已办结")),
    (ALL, _("全部")),
]


def due_soon_working_days() -> int:
    """How many working days ahead an item counts as due soon (``QUEUE_DUE_SOON_WORKING_DAYS``)."""
    return settings.QUEUE_DUE_SOON_WORKING_DAYS


def due_soon_horizon(today: datetime.date) -> datetime.date:
    """The last day an item due from ``today`` on counts as due soon."""
    return add_working_days(today, due_soon_working_days())


def _as_date(value) -> datetime.date | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


@dataclass(frozen=True)
class Countdown:
    """Where an item stands against its deadline, as an officer reads it."""

    state: str  # "none", "remaining", "today" or "overdue"
    days: int = 0  # working days left, or calendar days past the deadline

    @property
    def overdue(self) -> bool:
        return self.state == "overdue"

    @property
    def label(self) -> str:
        if self.state == "remaining":
            return ngettext("剩余 %(n)d 个工作日", "剩余 %(n)d 个工作日", self.days) % {"n": self.days}
        if self.state == "today":
            return str(_("今日到期"))
        if self.state == "overdue":
            return ngettext("已超期 %(n)d 天", "已超期 %(n)d 天", self.days) % {"n": self.days}
        return str(_("未设期限"))


def countdown(due, today: datetime.date | None = None, calendar: dict | None = None) -> Countdown:
    """The countdown to ``due``: working days left (the calendar's holidays and make-up days
    count as they fall), ``today`` on the day itself, and calendar days once it has passed.
    ``calendar`` (``core.dates.special_days`` over the span) saves a lookup per item."""
    due = _as_date(due)
    if due is None:
        return Countdown("none")
    today = today or timezone.localdate()
    if due == today:
        return Countdown("today")
    if due < today:
        return Countdown("overdue", (today - due).days)
    return Countdown("remaining", working_days_between(today, due, calendar))


@dataclass(frozen=True)
class Queue:
    """One queue of decisions: what an item is, when it is open, and when it is due.

    Field names are ORM paths on ``model``. ``received_field`` and ``decided_field`` (a date or
    a datetime) give the monthly statistics; ``section`` is the bureau group whose dashboard
    shows the queue, and ``permission`` who may see it there.
    """

    key: str  # the viewset's name: its listing is ``<key>:index``
    label: str | Promise
    model: type[models.Model]
    section: str
    permission: str
    open_states: tuple[str, ...]
    due_field: str
    received_field: str
    decided_field: str | None = None
    state_field: str = "status"
    district_field: str | None = None
    district_choices: Callable[[], Iterable[tuple[str, str]]] | None = None
    type_field: str | None = None
    type_label: str | Promise = _("类型")
    extra_filters: dict = field(default_factory=dict, hash=False, compare=False)

    # -- querysets -----------------------------------------------------------------------

    def base_queryset(self) -> models.QuerySet:
        return self.model._default_manager.all()

    def with_due(self, queryset: models.QuerySet) -> models.QuerySet:
        """``queue_due``: the deadline, or a far date for items without one (they sort last)."""
        return queryset.annotate(
            queue_due=Coalesce(
                models.F(self.due_field), models.Value(NO_DEADLINE), output_field=models.DateField()
            )
        )

    def open_items(self, queryset: models.QuerySet | None = None) -> models.QuerySet:
        queryset = self.base_queryset() if queryset is None else queryset
        return queryset.filter(**{f"{self.state_field}__in": self.open_states})

    def closed_items(self, queryset: models.QuerySet | None = None) -> models.QuerySet:
        queryset = self.base_queryset() if queryset is None else queryset
        return queryset.exclude(**{f"{self.state_field}__in": self.open_states})

    def overdue_items(self, queryset=None, today=None) -> models.QuerySet:
        today = today or timezone.localdate()
        return self.open_items(queryset).filter(**{f"{self.due_field}__lt": today})

    def due_soon_items(self, queryset=None, today=None) -> models.QuerySet:
        """Open items due from today up to ``QUEUE_DUE_SOON_WORKING_DAYS`` working days ahead."""
        today = today or timezone.localdate()
        horizon = due_soon_horizon(today)
        return self.open_items(queryset).filter(
            **{f"{self.due_field}__gte": today, f"{self.due_field}__lte": horizon}
        )

    def is_open(self, item) -> bool:
        return _resolve(item, self.state_field) in self.open_states

    def countdown_for(self, item, today=None, calendar=None) -> Countdown | None:
        """The item's countdown, or ``None`` once it is decided (a closed item has no clock)."""
        if not self.is_open(item):
            return None
        return countdown(_resolve(item, self.due_field), today, calendar)

    # -- the dashboard ---------------------------------------------------------------------

    def counts(self, today=None, horizon=None) -> dict[str, int]:
        """Open, due-soon and overdue items, in one query (plus the calendar for the due-soon
        ``horizon``, unless the caller, counting several queues, has it already)."""
        today = today or timezone.localdate()
        horizon = horizon or due_soon_horizon(today)
        due = self.due_field
        return self.open_items().aggregate(
            **{
                OPEN: models.Count("pk"),
                DUE_SOON: models.Count(
                    "pk", filter=models.Q(**{f"{due}__gte": today, f"{due}__lte": horizon})
                ),
                OVERDUE: models.Count("pk", filter=models.Q(**{f"{due}__lt": today})),
            }
        )

    def monthly_statistics(self, months: int = 6, today=None) -> list[dict]:
        """Per calendar month (newest first): decisions made, the median working days from
        arrival to decision, and the share decided on or before the deadline."""
        if not self.decided_field:
            return []
        today = today or timezone.localdate()
        first = add_months(today.replace(day=1), -(months - 1))
        start = timezone.make_aware(datetime.datetime.combine(first, datetime.time()))
        decided_model_field = _model_field(self.model, self.decided_field)
        lower = start if isinstance(decided_model_field, models.DateTimeField) else first
        rows = [
            (_as_date(received), _as_date(decided), _as_date(due))
            for received, decided, due in self.base_queryset()
            .filter(**{f"{self.decided_field}__gte": lower})
            .values_list(self.received_field, self.decided_field, self.due_field)
        ]
        rows = [row for row in rows if row[0] is not None and row[1] is not None]
        # The holiday calendar over the whole span, read once: not a query per decision.
        calendar = special_days(min(row[0] for row in rows), today) if rows else {}
        buckets: dict[datetime.date, list[tuple[int, bool | None]]] = {}
        for received_on, decided_on, due in rows:
            on_time = None if due is None else decided_on <= due
            buckets.setdefault(decided_on.replace(day=1), []).append(
                (max(working_days_between(received_on, decided_on, calendar), 0), on_time)
            )
        result = []
        month = today.replace(day=1)
        for _i in range(months):
            items = buckets.get(month, [])
            timed = [on_time for _days, on_time in items if on_time is not None]
            result.append(
                {
                    "month": month,
                    "decided": len(items),
                    "median_days": statistics.median(days for days, _t in items) if items else None,
                    "on_time_share": (sum(timed) / len(timed)) if timed else None,
                }
            )
            month = add_months(month, -1)
        return result


def _resolve(item, path: str):
    value = item
    for part in path.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def _model_field(model, path: str):
    parts = path.split("__")
    for part in parts[:-1]:
        model = model._meta.get_field(part).related_model
    return model._meta.get_field(parts[-1])


# --- Queues whose deadline is computed, or that have none -----------------------------------


class AnnotatedDueQueue(Queue):
    """A queue whose deadline is an annotation (``due_field`` names it), not a column:
    :meth:`due_expression` gives it, and every queryset the queue builds carries it."""

    def due_expression(self):
        return models.Value(None, output_field=models.DateField())

    def annotated(self, queryset):
        if self.due_field not in queryset.query.annotations:
            queryset = queryset.annotate(**{self.due_field: self.due_expression()})
        return queryset

    def base_queryset(self):
        return self.annotated(super().base_queryset())

    def with_due(self, queryset):
        return super().with_due(self.annotated(queryset))

    def open_items(self, queryset=None):
        return super().open_items(None if queryset is None else self.annotated(queryset))

    def closed_items(self, queryset=None):
        return super().closed_items(None if queryset is None else self.annotated(queryset))


class UndatedQueue(AnnotatedDueQueue):
    """A queue without a deadline rule: items sort by arrival and show "未设期限"; nothing is
    ever due soon or overdue. Pass ``due_field="queue_no_due"``."""


# A listing reads the holiday calendar this far ahead, once; a deadline beyond it is looked up.
CALENDAR_MONTHS = 24


def listing_calendar(today: datetime.date) -> tuple[datetime.date, dict]:
    """``today`` and the special days of the next ``CALENDAR_MONTHS`` months, in one query."""
    return today, special_days(today, add_months(today, CALENDAR_MONTHS))


def listing_countdown(queue, item, today, calendar):
    """``queue.countdown_for(item)`` over a calendar a listing or export read once."""
    due = _as_date(_resolve(item, queue.due_field))
    if due and due > add_months(today, CALENDAR_MONTHS):
        calendar = None
    return queue.countdown_for(item, today, calendar)


class ComputedExportMixin:
    """``export_computed`` maps a ``list_export`` name to a function of the row's item, for
    cells that are not attributes (the countdown text, a label across an optional relation).
    A function marked ``takes_view`` is called with the export's view too (for what the export
    reads once, such as ``export_calendar``)."""

    export_computed: dict = {}

    @cached_property
    def export_calendar(self):
        return listing_calendar(timezone.localdate())

    def computed(self, name, item):
        function = self.export_computed[name]
        return function(item, self) if getattr(function, "takes_view", False) else function(item)

    def to_row_dict(self, item):
        return OrderedDict(
            (name, self.computed(name, item) if name in self.export_computed else multigetattr(item, name))
            for name in self.list_export
        )


def countdown_text(queue):
    """The export's countdown cell for ``queue``: "剩余 N 个工作日" / "已超期 N 天" / "", over
    the calendar the export reads once (not a query per row)."""

    def text(item, view):
        state = listing_countdown(queue, item, *view.export_calendar)
        return state.label if state else ""

    text.takes_view = True
    return text


# --- Bulk decisions ----------------------------------------------------------------------------


class QueueBulkAction(BulkAction):
    """A decision taken on several items of a queue at once (issue 23, point 2), in Wagtail's
    bulk-action idiom: the listing's checkboxes, a confirmation page, then the action.

    What every queue's bulk action shares is here: the permission (the queue's, checked before
    anything is shown or done, and for each item), ids that are numbers only, the items in
    deadline order, and "select all" meaning the open items. A subclass sets ``queue`` (and
    ``related`` for ``select_related``), its form and template, and decides each item through
    the same service as the single decision page, so every rule check and audit entry happens
    per item."""

    queue: Queue = None
    related: tuple[str, ...] = ()

    @classproperty
    def models(cls):
        return [cls.queue.model]

    @classmethod
    def get_queryset(cls, model, object_ids):
        ids = [pk for pk in object_ids if str(pk).isdigit()]
        items = cls.queue.with_due(cls.queue.model._default_manager.filter(pk__in=ids))
        return list(items.select_related(*cls.related).order_by("queue_due", "pk"))

    def get_all_objects_in_listing_query(self, parent_id):
        return self.queue.open_items().values_list("pk", flat=True)

    def check_perm(self, obj):
        return self.request.user.has_perm(self.queue.permission)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(self.queue.permission):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


# --- The registry ---------------------------------------------------------------------------

_queues: dict[str, Queue] = {}


def register_queue(queue: Queue) -> Queue:
    """Register a queue for the dashboards; returns it, so it can be a module constant."""
    _queues[queue.key] = queue
    return queue


def registered_queues() -> list[Queue]:
    return list(_queues.values())


def queues_for(user, section: str | None = None) -> list[Queue]:
    """The queues ``user`` may see, of one section or of all."""
    return [
        queue
        for queue in _queues.values()
        if (section is None or queue.section == section) and user.has_perm(queue.permission)
    ]


# --- Exports: every admin listing ---------------------------------------------------------


def _local_naive(value: datetime.datetime):
    """An aware datetime as Beijing wall-clock time (spreadsheets have no time zones)."""
    return timezone.make_naive(value) if timezone.is_aware(value) else value


class ReadableColumn(Column):
    """A listing cell that shows nothing as "—", not as Python's "None"."""

    empty_value_display = "—"

    def get_value(self, instance):
        value = super().get_value(instance)
        return "" if value is None else value


class ReadableColumnsMixin:
    """Listing columns built from ``list_display`` names read as officers expect: a boolean
    field as 是/否 (Wagtail's ``BooleanColumn``), an empty value as "—"."""

    def _get_custom_column(self, field_name, column_class=Column, **kwargs):
        if column_class is Column:
            try:
                field = _model_field(self.model, field_name)
            except (AttributeError, LookupError, FieldDoesNotExist):
                field = None
            column_class = BooleanColumn if isinstance(field, models.BooleanField) else ReadableColumn
        return super()._get_custom_column(field_name, column_class=column_class, **kwargs)


class SafeExportMixin(ReadableColumnsMixin):
    """CSV and XLSX exports (``?export=csv|xlsx``) in Beijing time, safe to open in Excel.

    Wagtail's own export writes aware datetimes in UTC, and a CSV cell that starts with
    ``=`` as it is. Here a datetime is converted to the platform's zone first, and every CSV
    text cell goes through ``core.opendata.safe_cell`` (the open data's CSV-injection guard).
    An XLSX cell is never a formula: Wagtail writes formula-looking text as text."""

    def preprocess_field_value(self, field, value, export_format):
        if isinstance(value, datetime.datetime):
            value = _local_naive(value)
        if isinstance(value, bool):
            value = _("是") if value else _("否")
        elif value is None:
            value = ""
        value = super().preprocess_field_value(field, value, export_format)
        if export_format == self.FORMAT_CSV:
            return safe_cell(value)
        return value


# --- The listing ----------------------------------------------------------------------------


class DeadlineColumn(Column):
    """Shows "剩余 N 个工作日" / "今日到期" / "已超期 N 天" for an open item, sortable by deadline."""

    def __init__(self, queue: Queue, name="queue_due", label=None, **kwargs):
        self.queue = queue
        label = label or _("办理期限")
        kwargs.setdefault("sort_key", "queue_due")
        super().__init__(name, label=label, **kwargs)

    def get_cell_context_data(self, instance, parent_context):
        # The calendar is read once per listing and kept on the request: a page of rows costs
        # one calendar query, not one per row.
        request = parent_context.get("request")
        if request is None:
            today, calendar = listing_calendar(timezone.localdate())
        else:
            if not hasattr(request, "_queue_calendar"):
                request._queue_calendar = listing_calendar(timezone.localdate())
            today, calendar = request._queue_calendar
        context = BaseColumn.get_cell_context_data(self, instance, parent_context)
        context["raw_value"] = context["value"] = self.render_countdown(instance, today, calendar)
        return context

    def render_countdown(self, instance, today, calendar):
        due = _as_date(_resolve(instance, self.queue.due_field))
        state = listing_countdown(self.queue, instance, today, calendar)
        date_text = due.isoformat() if due else ""
        if state is None:
            return format_html('<span class="queue-closed">{}</span>', date_text or "—")
        css = {"overdue": "w-status w-status--label", "today": "w-status w-status--primary"}.get(
            state.state, ""
        )
        return format_html(
            '<span class="{}" data-countdown="{}">{}</span>{}',
            css,
            state.state,
            state.label,
            format_html("<br><small>{}</small>", date_text) if date_text else "",
        )


def queue_filterset(queue: Queue) -> type[WagtailFilterSet]:
    """A filter set for ``queue``: the queue view (open by default), district, type and state."""

    def filter_view(self, queryset, name, value):
        if value == OPEN:
            return queue.open_items(queryset)
        if value == DUE_SOON:
            return queue.due_soon_items(queryset)
        if value == OVERDUE:
            return queue.overdue_items(queryset)
        if value == CLOSED:
            return queue.closed_items(queryset)
        return queryset

    attrs = {
        "view": django_filters.ChoiceFilter(
            label=_("队列"), choices=QUEUE_VIEWS, method="filter_view", empty_label=None, initial=OPEN
        ),
        "filter_view": filter_view,
    }
    state_field = _model_field(queue.model, queue.state_field)
    attrs["state"] = django_filters.ChoiceFilter(
        label=_("状态"), field_name=queue.state_field, choices=state_field.choices
    )
    fields = ["view", "state"]
    if queue.type_field:
        type_field = _model_field(queue.model, queue.type_field)
        if type_field.choices:
            attrs["kind"] = django_filters.ChoiceFilter(
                label=queue.type_label, field_name=queue.type_field, choices=type_field.choices
            )
        else:
            attrs["kind"] = django_filters.ModelChoiceFilter(
                label=queue.type_label,
                field_name=queue.type_field,
                queryset=type_field.related_model._default_manager.all(),
            )
        fields.append("kind")
    if queue.district_field:
        choices = queue.district_choices or (lambda: _model_field(queue.model, queue.district_field).choices)
        attrs["district"] = django_filters.ChoiceFilter(
            label=_("区"), field_name=queue.district_field, choices=choices
        )
        fields.append("district")
    for name, filter_ in queue.extra_filters.items():
        attrs[name] = filter_
        fields.append(name)

    def __init__(self, data=None, *args, **kwargs):
        # No choice yet means the open items: a queue opens on what is left to do.
        if data is not None and not data.get("view"):
            data = data.copy()
            data["view"] = OPEN
        super(filterset, self).__init__(data, *args, **kwargs)

    attrs["__init__"] = __init__
    attrs["Meta"] = type("Meta", (), {"model": queue.model, "fields": fields})
    filterset = type(f"{queue.model.__name__}QueueFilterSet", (WagtailFilterSet,), attrs)
    return filterset


class QueueIndexViewMixin(SafeExportMixin):
    """The listing of a queue: deadlines annotated, sorted by deadline, then by arrival."""

    queue: Queue = None
    default_ordering = "queue_due"

    def get_base_queryset(self):
        return self.queue.with_due(super().get_base_queryset())

    def order_queryset(self, queryset):
        queryset = super().order_queryset(queryset)
        return queryset.order_by(*queryset.query.order_by, "pk")


class QueueIndexView(QueueIndexViewMixin, IndexView):
    pass


class SafeExportIndexView(SafeExportMixin, IndexView):
    """The index view for a listing that is not a queue: safe exports, nothing else."""


class QueueViewSetMixin:
    """Makes a ``ModelViewSet`` a queue: set ``queue`` and put a :class:`DeadlineColumn` in
    ``list_display``. The index view, its filters and its default order come from the queue."""

    queue: Queue = None
    index_view_class = QueueIndexView
    ordering = "queue_due"

    @cached_property
    def filterset_class(self):
        return queue_filterset(self.queue)

    def get_index_view_kwargs(self, **kwargs):
        view_class = self.index_view_class
        if not issubclass(view_class, QueueIndexViewMixin):
            raise TypeError(f"{type(self).__name__}.index_view_class must use QueueIndexViewMixin")
        return super().get_index_view_kwargs(queue=self.queue, **kwargs)
