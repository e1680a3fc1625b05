"""The bureau's moderation queue of memorial reports (M1) in the Wagtail admin.

Officers of the funeral section (``memorials.change_memorialreport``, granted in apps.py)
see open reports first (and, in a second list, messages held by a
sensitive word), with the reported message or memorial, and decide through
``services.decide_report``: dismiss, or uphold by hiding the message or the memorial. Both
require a reason and are audited (the transition log). Nobody, superusers included, adds or
deletes a report here (``RefusingPolicy(DECIDE_ONLY)``)."""

from django import forms
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permissions import register_permission_policy

from core.admin_policies import DECIDE_ONLY, RefusingPolicy

from .models import MemorialReport, ReportStatus, Tribute, TributeStatus
from .services import MemorialRefused, decide_report, moderate_tribute

register_permission_policy(MemorialReport, RefusingPolicy(MemorialReport, DECIDE_ONLY))
register_permission_policy(Tribute, RefusingPolicy(Tribute, DECIDE_ONLY))


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


class MemorialReportViewSet(ModelViewSet):
    model = MemorialReport
    icon = "warning"
    menu_label = _("纪念馆举报")
    list_display = ["__str__", "memorial", "status", "created_at", "decided_at"]
    list_filter = ["status"]
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

    def get_queryset(self, request):
        queue = Case(
            When(status=ReportStatus.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        return (
            MemorialReport.objects.select_related("memorial", "tribute")
            .annotate(queue=queue)
            .order_by("queue", "-created_at")
        )

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


class HeldTributeViewSet(ModelViewSet):
    model = Tribute
    icon = "comment"
    menu_label = _("纪念馆留言审核")
    list_display = ["__str__", "memorial", "status", "held_words", "created_at"]
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

    def get_queryset(self, request):
        held = Case(
            When(status=TributeStatus.HELD, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
        return (
            Tribute.objects.filter(kind="message")
            .select_related("memorial")
            .annotate(queue=held)
            .order_by("queue", "-created_at")
        )

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
