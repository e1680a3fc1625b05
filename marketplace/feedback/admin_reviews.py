"""The bureau's review queue (R1) and its sensitive-word list in the Wagtail admin.

The queue lists reviews waiting for a person (held by a word, reported, or every new review
when ``R1_MODERATE_ALL_REVIEWS`` is on) first. Officers decide through ``services.reviews.moderate``:
publish, reject or hide, with a reason the family sees. Nobody, superusers included, adds,
deletes or rewrites a review here (``RefusingPolicy(DECIDE_ONLY)``; the model is append-only)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permissions import register_permission_policy

from accounts.groups import FUNERAL_SECTION
from core.admin_audit import AuditedEditView
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

from .models import Review, ReviewStatus, SensitiveWord
from .services.reviews import ReviewRefused, moderate

RS = ReviewStatus

register_permission_policy(Review, RefusingPolicy(Review, DECIDE_ONLY))

# R1 sets no moderation deadline, so the queue has none either (no number is invented here):
# the reviews waiting for a person (pending, held by a word, reported) are listed in order of
# arrival, oldest first, each marked "未设期限"; nothing counts as due soon or overdue.
REVIEWS = register_queue(
    UndatedQueue(
        key="feedback_review",
        label=_("服务评价审核"),
        model=Review,
        section=FUNERAL_SECTION,
        permission="feedback.change_review",
        open_states=tuple(Review.QUEUE),
        due_field="queue_no_due",
        received_field="submitted_at",
        decided_field="decided_at",
        district_field="provider__district",
        district_choices=lambda: District.choices,
        extra_filters={
            "overall": django_filters.ChoiceFilter(
                label=_("总体评价"),
                field_name="overall",
                choices=[(score, _("%(n)d 星") % {"n": score}) for score in range(1, 6)],
            )
        },
    )
)


class ReviewIndexView(ComputedExportMixin, QueueIndexView):
    export_computed = {"queue_no_due": lambda review: _("未设期限") if REVIEWS.is_open(review) else ""}
    queryset = Review.objects.select_related("provider")


class ReviewDecisionForm(WagtailAdminModelForm):
    decision = forms.ChoiceField(
        label=_("审核决定"),
        choices=[
            (RS.PUBLISHED, _("发布（被举报的评价：举报不成立，继续显示）")),
            (RS.REJECTED, _("不通过（须写明理由）")),
            (RS.HIDDEN, _("举报成立，隐藏（须写明理由）")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("理由"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("不通过或隐藏时必填，评价人在“我的评价”中可以看到。"),
    )

    class Meta:
        model = Review
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        review = self.instance
        reports = list(review.reports.filter(resolved_at__isnull=True).values_list("reason", flat=True))
        facts = [
            _("状态：%(status)s") % {"status": review.get_status_display()},
            _("内容：%(text)s") % {"text": review.text},
        ]
        if review.held_words:
            facts.append(_("命中的敏感词：%(words)s") % {"words": review.held_words})
        if reports:
            facts.append(_("举报理由：%(reasons)s") % {"reasons": "；".join(reports)})
        self.fields["decision"].help_text = " · ".join(str(fact) for fact in facts)

    def clean(self):
        cleaned = super().clean()
        decision = cleaned.get("decision")
        if decision and (self.instance.status, decision) not in Review.TRANSITIONS:
            self.add_error("decision", _("该评价当前状态下不能作此决定。"))
        if decision in Review.NEEDS_REASON and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("不通过或隐藏评价时必须写明理由，评价人会看到该理由。"))
        return cleaned

    def save(self, commit=True):
        try:
            return moderate(
                self.instance,
                self.cleaned_data["decision"],
                user=self.for_user,
                reason=self.cleaned_data["reason"],
            )
        except ReviewRefused as error:  # a concurrent decision got there first
            raise forms.ValidationError(error.messages) from error


class ReviewViewSet(QueueViewSetMixin, ModelViewSet):
    model = Review
    queue = REVIEWS
    index_view_class = ReviewIndexView
    icon = "comment"
    menu_label = _("服务评价审核")
    list_display = [
        "__str__",
        "provider",
        "overall",
        "status",
        "held_words",
        DeadlineColumn(REVIEWS, label=_("审核期限")),
        "submitted_at",
    ]
    list_export = [
        "pk",
        "provider.name",
        "provider.get_district_display",
        "overall",
        "get_status_display",
        "held_words",
        "text",
        "queue_no_due",
        "submitted_at",
        "decided_at",
        "decision_reason",
    ]
    export_headings = {
        "pk": _("编号"),
        "provider.name": _("机构"),
        "provider.get_district_display": _("所在区"),
        "overall": _("总体评分"),
        "get_status_display": _("状态"),
        "held_words": _("命中的敏感词"),
        "text": _("评价内容"),
        "queue_no_due": _("审核期限"),
        "submitted_at": _("提交时间（北京时间）"),
        "decided_at": _("审核时间（北京时间）"),
        "decision_reason": _("审核理由"),
    }
    export_filename = "reviews"
    search_fields = ["text", "provider__name"]
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_fields = [
        "provider",
        "order",
        "display_name",
        "order_month",
        "services",
        "overall",
        "price_transparency",
        "service_attitude",
        "facilities",
        "text",
        "status",
        "held_words",
        "decision_reason",
        "decided_by",
        "decided_at",
        "submitted_at",
        "published_at",
    ]
    panels = [FieldPanel("decision"), FieldPanel("reason")]
    add_to_reference_index = False

    def get_form_class(self, for_update=False):
        return ReviewDecisionForm


class SensitiveWordViewSet(ModelViewSet):
    model = SensitiveWord
    edit_view_class = AuditedEditView  # logged field by field (core.admin_audit)
    icon = "warning"
    menu_label = _("评价敏感词")
    index_view_class = SafeExportIndexView
    list_display = ["word", "note", "created_at"]
    list_export = ["word", "note", "created_at"]
    export_headings = {"word": _("敏感词"), "note": _("说明"), "created_at": _("添加时间（北京时间）")}
    export_filename = "sensitive-words"
    search_fields = ["word", "note"]
    form_fields = ["word", "note"]
    copy_view_enabled = False


class ReviewAdminGroup(ModelViewSetGroup):
    menu_label = _("服务评价")
    menu_icon = "comment"
    menu_order = 215
    items = (ReviewViewSet("feedback_review"), SensitiveWordViewSet("feedback_sensitive_word"))


@hooks.register("register_admin_viewset")
def register_review_admin():
    return ReviewAdminGroup()
