from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from core.forms import SpecificErrorsMixin

from .models import LIST_CRITERIA, Offer, Programme

CRITERIA_FIELDS = [
    "org_types",
    "districts",
    "service_fields",
    "min_months_registered",
    "max_months_registered",
    "no_abnormal_listing",
    "no_serious_listing",
    "accepted_report_years",
    "min_rating",
    "c3_within_limits",
]


class CriteriaForm(SpecificErrorsMixin, WagtailAdminModelForm):
    """The criteria lists (JSON) are edited as checkboxes of their choices; empty means "any"."""

    org_types = forms.MultipleChoiceField(
        label=_("组织类型"),
        choices=LIST_CRITERIA["org_types"].choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示不限。"),
    )
    districts = forms.MultipleChoiceField(
        label=_("所在区"),
        choices=LIST_CRITERIA["districts"].choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示不限。"),
    )
    service_fields = forms.MultipleChoiceField(
        label=_("服务领域"),
        choices=LIST_CRITERIA["service_fields"].choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示不限。"),
    )


class ProgrammeForm(CriteriaForm):
    class Meta:
        model = Programme
        fields = [
            "title",
            "kind",
            "operator",
            "operator_contract",
            "district",
            "summary",
            "office_space_sqm",
            "mentoring_hours",
            "training_hours",
            "seed_funding",
            "capacity",
            "opens_on",
            "closes_on",
            "incubation_months",
            *CRITERIA_FIELDS,
            "accepts_founding_groups",
            "panel_min_reviewers",
            "admission_min_score",
            "published",
        ]


class OfferForm(CriteriaForm):
    class Meta:
        model = Offer
        fields = [
            "kind",
            "title",
            "provider_name",
            "funder",
            "description",
            "deliverables",
            "field",
            "district",
            "budget",
            "min_income",
            "max_income",
            "opens_on",
            "deadline",
            *CRITERIA_FIELDS,
            "published",
        ]


class DecisionForm(SpecificErrorsMixin, forms.Form):
    """A bureau decision on an application: one of the moves the transition table allows from
    its state, with the reason the applicant will read."""

    target = forms.ChoiceField(label=_("决定"))
    reason = forms.CharField(
        label=_("理由"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("不予录取、列入候补和退出时必填，申请机构可以看到。"),
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = choices


class AwardForm(SpecificErrorsMixin, forms.Form):
    """I2: what the organisation won. A government purchase-of-services award also becomes a
    credit record (S4, other)."""

    amount = forms.DecimalField(
        label=_("金额（元）"), required=False, min_value=0, decimal_places=2, max_digits=14
    )
    starts_on = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}))
    deliverables = forms.CharField(
        label=_("交付成果"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )
    document_number = forms.CharField(label=_("合同或协议编号"), max_length=80)


class DeclineForm(SpecificErrorsMixin, forms.Form):
    reason = forms.CharField(
        label=_("理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("申请机构可以看到。"),
    )


class PanelReviewForm(SpecificErrorsMixin, forms.Form):
    """A reviewer's review: the conflict-of-interest declaration first, then a score for each
    line of the programme's rubric (``score_<item pk>``), or, when in conflict, its explanation."""

    conflict = forms.TypedChoiceField(
        label=_("利益冲突声明"),
        choices=[("no", _("本人与申请机构不存在利益冲突")), ("yes", _("本人存在利益冲突，申请回避"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    conflict_note = forms.CharField(
        label=_("利益冲突说明"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("声明回避时必填，例如曾任该机构理事、与其负责人有亲属关系，将记入评审记录。"),
    )
    comment = forms.CharField(
        label=_("评审意见"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            self.fields[f"score_{item.pk}"] = forms.IntegerField(
                label=_("%(title)s（权重 %(weight)s，满分 %(max)s）")
                % {"title": item.title, "weight": item.weight, "max": item.max_score},
                required=False,
                # The range is checked by services.panel, whose message names the line.
                widget=forms.NumberInput(attrs={"min": 0, "max": item.max_score, "step": 1}),
                help_text=item.guidance,
            )

    def scores(self):
        return {item.pk: self.cleaned_data.get(f"score_{item.pk}") for item in self.items}


class RegistrationForm(SpecificErrorsMixin, forms.Form):
    """The bureau records which registered organisation a founding group became."""

    uscc = forms.CharField(
        label=_("登记成立的组织的统一社会信用代码"),
        max_length=18,
        help_text=_("该组织须已在登记信息中、状态正常，且在筹备信息提交之后登记成立。"),
    )

    def clean_uscc(self):
        from orgs.registry.models import Organization

        uscc = self.cleaned_data["uscc"].strip().upper()
        self.cleaned_data["organization"] = Organization.objects.filter(uscc=uscc).first()
        if self.cleaned_data["organization"] is None:
            raise forms.ValidationError(_("登记信息中没有该统一社会信用代码的组织。"))
        return uscc
