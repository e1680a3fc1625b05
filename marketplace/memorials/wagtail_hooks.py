"""The bureau's moderation queue of memorial reports (M1) in the Wagtail admin.

Officers of the funeral section (``memorials.change_memorialreport``, granted in apps.py)
see open reports first (and, in a second list, messages held by a
sensitive word), with the reported message or memorial, and decide through
``services.decide_report``: dismiss, or uphold by hiding the message or the memorial. Both
require a reason and are audited (the transition log). Nobody, superusers included, adds or
deletes a report here (``RefusingPolicy(DECIDE_ONLY)``)."""

import django_filters
from django import forms
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permissions import register_permission_policy

from accounts.groups import FUNERAL_SECTION
from core.admin_policies import DECIDE_ONLY, RefusingPolicy
from core.admin_queues import (
    ComputedExportMixin,
    DeadlineColumn,
    QueueIndexView,
    QueueViewSetMixin,
    SafeExportIndexView,
    UndatedQueue,
    register_queue,
)
from marketplace.catalogue.models.choices import District

from .models import MemorialReport, ReportStatus, Tribute, TributeStatus
from .services import MemorialRefused, decide_report, moderate_tribute

register_permission_policy(MemorialReport, RefusingPolicy(MemorialReport, DECIDE_ONLY))
register_permission_policy(Tribute, RefusingPolicy(Tribute, DECIDE_ONLY))


def _filter_target(queryset, name, value):
    if value == "tribute":
        return queryset.filter(tribute__isnull=False)
    if value == "memorial":
        return queryset.filter(tribute__isnull=True)
    return queryset


# M1 sets no deadline for handling a report, so none is invented: open reports are listed by
# arrival, oldest first, each marked "未设期限" (nothing is due soon or overdue).
REPORTS = register_queue(
    UndatedQueue(
        key="memorials_report",
        label=_("纪念馆举报"),
        model=MemorialReport,
        section=FUNERAL_SECTION,
        permission="memorials.change_memorialreport",
        open_states=(ReportStatus.OPEN,),
        due_field="queue_no_due",
        received_field="created_at",
        decided_field="decided_at",
        district_field="memorial__resting_provider__district",
        district_choices=lambda: District.choices,
        extra_filters={
            "target": django_filters.ChoiceFilter(
                label=_("被举报对象"),
                choices=[("tribute", _("留言")), ("memorial", _("纪念馆"))],
                method=_filter_target,
            )
        },
    )
)


def _report_target(report):
    return _("留言") if report.tribute_id else _("纪念馆")


class ReportIndexView(ComputedExportMixin, QueueIndexView):
    export_computed = {
        "target": _report_target,
        "queue_no_due": lambda report: _("未设期限") if REPORTS.is_open(report) else "",
    }
    queryset = MemorialReport.objects.select_related("memorial", "tribute")


class ReportDecisionForm(WagtailAdminModelForm):
    decision = forms.ChoiceField(
        label=_("处理结果"),
        choices=[
            (ReportStatus.DISMISSED, _("举报不成立，继续显示")),
            (ReportStatus.UPHELD, _("举报成立，隐藏被举报的留言或纪念馆")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("理由"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("必填。隐藏纪念馆时，馆主会看到该理由。"),
    )

    class Meta:
        model = MemorialReport
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        report = self.instance
        facts = [
            _("状态：%(status)s") % {"status": report.get_status_display()},
            _("纪念馆：%(name)s（%(url)s）")
            % {"name": report.memorial.name, "url": report.memorial.get_absolute_url()},
            _("举报理由：%(reason)s") % {"reason": report.reason},
        ]
        if report.tribute_id:
            facts.append(
                _("被举报的留言（%(by)s）：%(text)s")
                % {"by": report.tribute.signed_as, "text": report.tribute.message}
            )
        self.fields["decision"].help_text = " · ".join(str(fact) for fact in facts)

    def clean(self):
        cleaned = super().clean()
        if self.instance.status != ReportStatus.OPEN:
            raise forms.ValidationError(_("该举报已处理。"))
        return cleaned

    def save(self, commit=True):
        try:
            return decide_report(
                self.instance,
                decision=self.cleaned_data["decision"],
                user=self.for_user,
                reason=self.cleaned_data["reason"],
            )
        except MemorialRefused as error:
            raise forms.ValidationError(error.messages) from error


class MemorialReportViewSet(QueueViewSetMixin, ModelViewSet):
    model = MemorialReport
    queue = REPORTS
    index_view_class = ReportIndexView
    icon = "warning"
    menu_label = _("纪念馆举报")
    list_display = [
        "__str__",
        "memorial",
        "status",
        DeadlineColumn(REPORTS, label=_("处理期限")),
        "created_at",
        "decided_at",
    ]
    list_export = [
        "pk",
        "memorial.name",
        "target",
        "reason",
        "get_status_display",
        "queue_no_due",
        "created_at",
        "decided_at",
        "decision_reason",
    ]
    export_headings = {
        "pk": _("编号"),
        "memorial.name": _("纪念馆"),
        "target": _("被举报对象"),
        "reason": _("举报理由"),
        "get_status_display": _("状态"),
        "queue_no_due": _("处理期限"),
        "created_at": _("举报时间（北京时间）"),
        "decided_at": _("处理时间（北京时间）"),
        "decision_reason": _("处理理由"),
    }
    export_filename = "memorial-reports"
    search_fields = ["reason", "memorial__name"]
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_fields = [
        "memorial",
        "tribute",
        "reason",
        "status",
        "decision_reason",
        "decided_by",
        "decided_at",
        "created_at",
    ]
    panels = [FieldPanel("decision"), FieldPanel("reason")]
    add_to_reference_index = False

    def get_form_class(self, for_update=False):
        return ReportDecisionForm


class TributeDecisionForm(WagtailAdminModelForm):
    """Messages held by a word of the bureau's list (or waiting for an absent keeper): the
    bureau publishes or declines them; a published one can be hidden. Reasons as above."""

    decision = forms.ChoiceField(label=_("审核决定"), choices=[], widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("理由"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("不发布或隐藏时必填。"),
    )

    class Meta:
        model = Tribute
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        tribute = self.instance
        labels = dict(TributeStatus.choices)
        self.fields["decision"].choices = [
            (target, labels[target]) for (source, target) in Tribute.TRANSITIONS if source == tribute.status
        ]
        facts = [
            _("状态：%(status)s") % {"status": tribute.get_status_display()},
            _("纪念馆：%(name)s（%(url)s）")
            % {"name": tribute.memorial.name, "url": tribute.memorial.get_absolute_url()},
            _("留言：%(text)s") % {"text": tribute.message},
        ]
        if tribute.held_words:
            facts.append(_("命中的敏感词：%(words)s") % {"words": tribute.held_words})
        self.fields["decision"].help_text = " · ".join(str(fact) for fact in facts)

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision and decision != TributeStatus.PUBLISHED and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("不发布或隐藏留言必须写明理由。"))
        return cleaned

    def save(self, commit=True):
        try:
            return moderate_tribute(
                self.instance,
                target=self.cleaned_data["decision"],
                user=self.for_user,
                reason=self.cleaned_data["reason"],
            )
        except MemorialRefused as error:
            raise forms.ValidationError(error.messages) from error


class HeldTributeIndexView(SafeExportIndexView):
    """Messages only (not flowers or candles), those held by a sensitive word first. (The
    viewset's old ``get_queryset(request)`` was never called by Wagtail's ModelViewSet.)"""

    queryset = (
        Tribute.objects.filter(kind="message")
        .select_related("memorial")
        .annotate(
            held_first=Case(
                When(status=TributeStatus.HELD, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
    )
    default_ordering = ["held_first", "-created_at"]


class HeldTributeViewSet(ModelViewSet):
    model = Tribute
    icon = "comment"
    menu_label = _("祭奠留言审核")
    index_view_class = HeldTributeIndexView
    list_display = ["__str__", "memorial", "status", "held_words", "created_at"]
    list_export = [
        "pk",
        "memorial.name",
        "signed_as",
        "message",
        "get_status_display",
        "held_words",
        "created_at",
    ]
    export_headings = {
        "pk": _("编号"),
        "memorial.name": _("纪念馆"),
        "signed_as": _("署名"),
        "message": _("留言"),
        "get_status_display": _("状态"),
        "held_words": _("命中的敏感词"),
        "created_at": _("留言时间（北京时间）"),
    }
    export_filename = "memorial-tributes"
    list_filter = ["status"]
    search_fields = ["message", "memorial__name", "signed_as"]
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_fields = [
        "memorial",
        "kind",
        "signed_as",
        "message",
        "status",
        "held_words",
        "decision_reason",
        "created_at",
    ]
    panels = [FieldPanel("decision"), FieldPanel("reason")]
    add_to_reference_index = False

    def get_form_class(self, for_update=False):
        return TributeDecisionForm


class MemorialAdminGroup(ModelViewSetGroup):
    menu_label = _("网上祭扫")
    menu_icon = "warning"
    menu_order = 216
    items = (MemorialReportViewSet("memorials_report"), HeldTributeViewSet("memorials_tribute"))


@hooks.register("register_admin_viewset")
def register_memorial_admin():
    return MemorialAdminGroup()
