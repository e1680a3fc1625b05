from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.log_actions import LogFormatter

from . import admin_audit, admin_display, admin_queues
from .admin_policies import VIEW_ONLY, RefusingPolicy
from .statemachine import TRANSITION_ACTION

admin_display.register()


@hooks.register("register_log_actions")
def register_platform_actions(actions):
    @actions.register_action(TRANSITION_ACTION)
    class TransitionFormatter(LogFormatter):
        """ "状态从“待复核”变为“已认可”：理由；民政局意见：— → …" in the model's own labels."""

        label = _("状态变更")

        def format_message(self, log_entry):
            data = log_entry.data or {}
            model = log_entry.content_type.model_class() if log_entry.content_type_id else None
            field = data.get("field", "status")
            text = _("状态从“%(from)s”变为“%(to)s”") % {
                "from": admin_audit.state_label(model, field, data.get("from")),
                "to": admin_audit.state_label(model, field, data.get("to")),
            }
            if data.get("reason"):
                text = f"{text}：{data['reason']}"
            if data.get("changes"):
                text = f"{text}；{admin_audit.format_changes(model, data['changes'])}"
            return text


@hooks.register("register_log_actions", order=100)
def register_edit_formatter(actions):
    """Wagtail's "已编辑", followed by what changed when the entry carries it. Registered
    after Wagtail's own hook (``order``), so this formatter replaces its plain one."""

    @actions.register_action("wagtail.edit")
    class EditFormatter(LogFormatter):
        label = _("编辑")
        message = _("已编辑")

        def format_message(self, log_entry):
            changes = (log_entry.data or {}).get("changes")
            if not changes:
                return str(self.message)
            model = log_entry.content_type.model_class() if log_entry.content_type_id else None
            return _("已编辑：%(changes)s") % {"changes": admin_audit.format_changes(model, changes)}


# --- Early warnings (core.warnings): dashboard panel and a filterable listing ------------------

import django_filters  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402
from wagtail.admin.admin_url_finder import AdminURLFinder  # noqa: E402
from wagtail.admin.filters import WagtailFilterSet  # noqa: E402
from wagtail.admin.ui.components import Component  # noqa: E402
from wagtail.admin.ui.tables import Column  # noqa: E402
from wagtail.admin.views.generic import IndexView  # noqa: E402
from wagtail.admin.viewsets.model import ModelViewSet  # noqa: E402
from wagtail.permissions import register_permission_policy  # noqa: E402

from . import warnings as warning_registry  # noqa: E402
from .models import EarlyWarning  # noqa: E402

WARNING_STATES = [("open", _("未解除")), ("cleared", _("已解除"))]


class WarningFilterSet(WagtailFilterSet):
    state = django_filters.ChoiceFilter(label=_("状态"), choices=WARNING_STATES, method="filter_state")
    kind = django_filters.ChoiceFilter(label=_("预警类型"), choices=warning_registry.kind_choices)
    organisation_uscc = django_filters.CharFilter(label=_("统一社会信用代码"))
    deadline_before = django_filters.DateFilter(
        label=_("期限不晚于"), field_name="deadline", lookup_expr="lte"
    )

    class Meta:
        model = EarlyWarning
        fields = ["state", "kind", "organisation_uscc", "deadline_before"]

    def filter_state(self, queryset, name, value):
        return queryset.filter(cleared_on__isnull=value == "open")


class WarningIndexView(IndexView):
    def get_base_queryset(self):
        return EarlyWarning.objects.all()


class EarlyWarningViewSet(ModelViewSet):
    model = EarlyWarning
    icon = "warning"
    menu_label = _("预警")
    menu_order = 290
    add_to_admin_menu = True
    index_view_class = WarningIndexView
    copy_view_enabled = False
    inspect_view_enabled = True
    filterset_class = WarningFilterSet
    search_fields = ["subject_label", "reason", "organisation_uscc"]
    ordering = ["cleared_on", "deadline"]
    form_fields = ["reason"]
    list_display = [
        Column("subject_label", label=_("预警对象")),
        Column("kind", label=_("预警类型"), accessor="kind_label"),
        Column("reason_text", label=_("预警原因")),
        Column("deadline", label=_("期限")),
        Column("how_to_clear_text", label=_("解除方式")),
        Column("raised_on", label=_("发出日期")),
        Column("cleared_on", label=_("解除日期")),
    ]


register_permission_policy(EarlyWarning, RefusingPolicy(EarlyWarning, VIEW_ONLY))


@hooks.register("register_admin_viewset")
def register_warning_viewset():
    return EarlyWarningViewSet("early_warnings", url_prefix="warnings")


class WarningsPanel(Component):
    name = "early_warnings"
    template_name = "core/warnings/dashboard_panel.html"
    order = 50

    @staticmethod
    def with_admin_links(warnings, parent_context):
        """Each warning with ``admin_url``: the admin page of what it is about, for this
        officer (Wagtail's AdminURLFinder: edit or inspect, only where they may go)."""
        warnings = list(warnings.prefetch_related("subject"))
        finder = AdminURLFinder(parent_context["request"].user)
        for warning in warnings:
            warning.admin_url = finder.get_edit_url(warning.subject) if warning.subject is not None else None
        return warnings

    def get_context_data(self, parent_context):
        today = timezone.localdate()
        open_warnings = EarlyWarning.objects.open()
        counts = {row["kind"]: row["n"] for row in open_warnings.values("kind").annotate(n=Count("pk"))}
        return {
            "total": sum(counts.values()),
            "by_kind": [
                {"kind": kind, "label": label, "count": counts[kind]}
                for kind, label in warning_registry.kind_choices()
                if counts.get(kind)
            ],
            "soonest": self.with_admin_links(open_warnings.order_by("deadline", "pk")[:8], parent_context),
            "today": today,
        }


class QueuesPanel(Component):
    """Each section's queues: open, due-soon and overdue counts, and monthly statistics
    (decisions made, the median working days to decide, the share on time). One row per
    queue the officer may see (``core.admin_queues.register_queue``)."""

    name = "queues"
    template_name = "core/queues/dashboard_panel.html"
    order = 40
    months = 6

    def __init__(self, queues):
        self.queues = queues

    @staticmethod
    def months_to_show(statistics):
        """This month, and each earlier month of the window that had decisions: a quiet queue
        takes one row, not six rows of zeros."""
        return [row for i, row in enumerate(statistics) if i == 0 or row["decided"]]

    def get_context_data(self, parent_context):
        today = timezone.localdate()
        horizon = admin_queues.due_soon_horizon(today)  # once for every queue
        sections = {}
        for queue in self.queues:
            sections.setdefault(queue.section, []).append(
                {
                    "queue": queue,
                    "url": reverse(f"{queue.key}:index"),
                    "counts": queue.counts(today, horizon),
                    "statistics": self.months_to_show(queue.monthly_statistics(self.months, today)),
                }
            )
        return {
            # A section is a bureau group; its name is marked for translation where it is defined.
            "sections": [{"name": gettext(name), "rows": rows} for name, rows in sections.items()],
            "due_soon_days": admin_queues.due_soon_working_days(),
        }


@hooks.register("construct_homepage_panels")
def add_queues_panel(request, panels):
    queues = admin_queues.queues_for(request.user)
    if queues:
        panels.append(QueuesPanel(queues))


@hooks.register("construct_homepage_panels")
def add_warnings_panel(request, panels):
    if request.user.has_perm("core.view_earlywarning"):
        panels.append(WarningsPanel())


# --- Security events (core.models.SecurityEvent): a read-only listing for the bureau -------------

from .models import SecurityEvent  # noqa: E402


class SecurityEventViewSet(ModelViewSet):
    model = SecurityEvent
    icon = "warning"
    menu_label = _("安全事件")
    menu_order = 291
    add_to_admin_menu = True
    copy_view_enabled = False
    inspect_view_enabled = True
    list_filter = ["kind"]
    search_fields = ["subject_label", "summary"]
    ordering = ["-occurred_at"]
    form_fields = ["summary"]
    list_display = [
        Column("occurred_at", label=_("发生时间")),
        Column("kind", label=_("事件类型"), accessor="get_kind_display"),
        Column("subject_label", label=_("对象")),
        Column("summary", label=_("摘要")),
        Column("path", label=_("请求路径")),
    ]


register_permission_policy(SecurityEvent, RefusingPolicy(SecurityEvent, VIEW_ONLY))


@hooks.register("register_admin_viewset")
def register_security_event_viewset():
    return SecurityEventViewSet("security_events", url_prefix="security-events")
