"""The bureau's review queue (R1) and its sensitive-word list in the Wagtail admin.

The queue lists reviews waiting for a person (held by a word, reported, or every new review
when ``R1_MODERATE_ALL_REVIEWS`` is on) first. Officers decide through ``services.reviews.moderate``:
publish, reject or hide, with a reason the family sees. Nobody, superusers included, adds,
deletes or rewrites a review here (``RefusingPolicy(DECIDE_ONLY)``; the model is append-only)."""

from django import forms
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permissions import register_permission_policy

from core.admin_policies import DECIDE_ONLY, RefusingPolicy

from .models import Review, ReviewStatus, SensitiveWord
from .services.reviews import ReviewRefused, moderate

RS = ReviewStatus

register_permission_policy(Review, RefusingPolicy(Review, DECIDE_ONLY))


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


class ReviewViewSet(ModelViewSet):
    model = Review
    icon = "comment"
    menu_label = _("评价审核")
    list_display = ["__str__", "provider", "overall", "status", "held_words", "submitted_at"]
    list_filter = ["status", "provider"]
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

    def get_queryset(self, request):
        queue = Case(
            *[When(status=status, then=Value(rank)) for rank, status in enumerate(Review.QUEUE)],
            default=Value(len(Review.QUEUE)),
            output_field=IntegerField(),
        )
        return (
            Review.objects.select_related("provider").annotate(queue=queue).order_by("queue", "-submitted_at")
        )

    def get_form_class(self, for_update=False):
        return ReviewDecisionForm


class SensitiveWordViewSet(ModelViewSet):
    model = SensitiveWord
    icon = "warning"
    menu_label = _("评价敏感词")
    list_display = ["word", "note", "created_at"]
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
