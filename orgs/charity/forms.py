from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import SpecificErrorsMixin
from orgs.registry.models import Organization

from .giving import MAX_ONLINE_DONATION, MIN_ONLINE_DONATION
from .models import (
    DOCUMENT_CONTENT,
    DOCUMENT_EXTENSIONS,
    BasicInfoDisclosure,
    CharityProject,
    Donation,
    Expenditure,
    ProgressReport,
)
from .services import normalise_receipt_number


class LookupForm(SpecificErrorsMixin, forms.Form):
    organization = forms.ModelChoiceField(
        label=_("慈善组织"),
        queryset=Organization.objects.filter(charity_projects__isnull=False).distinct().order_by("name"),
        empty_label=_("请选择"),
    )
    receipt_number = forms.CharField(
        label=_("票据号"),
        max_length=40,
        help_text=_("捐赠票据或捐赠回执上的编号，不区分大小写。"),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )

    def clean_receipt_number(self):
        return normalise_receipt_number(self.cleaned_data["receipt_number"])


class DateInput(forms.DateInput):
    input_type = "date"


class ProjectForm(SpecificErrorsMixin, forms.ModelForm):
    class Meta:
        model = CharityProject
        fields = [
            "name",
            "plan_filing_number",
            "plan_filed_on",
            "public_fundraising",
            "goal",
            "starts_on",
            "ends_on",
            "area",
            "description",
        ]
        widgets = {"plan_filed_on": DateInput(), "starts_on": DateInput(), "ends_on": DateInput()}

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("结束日期不能早于开始日期。"))
        if data.get("public_fundraising") and not data.get("plan_filing_number"):
            self.add_error("plan_filing_number", _("公开募捐项目须填写募捐方案备案号。"))
        if data.get("plan_filing_number") and not data.get("plan_filed_on"):
            self.add_error("plan_filed_on", _("请填写募捐方案备案日期。"))
        return data


class _RecordForm(SpecificErrorsMixin, forms.ModelForm):
    """An append-only record of one project; ``corrects`` offers only that project's current rows."""

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project
        self.instance.project = project
        field = self.fields["corrects"]
        field.queryset = self._meta.model.objects.current().filter(project=project)
        field.required = False
        field.empty_label = _("不是更正")
        field.help_text = _("已公开的记录不能修改；如有错误，请新增一条记录并选择它更正的记录。")


class DonationForm(_RecordForm):
    class Meta:
        model = Donation
        fields = [
            "receipt_number",
            "donor_name",
            "anonymous",
            "kind",
            "amount",
            "in_kind_description",
            "donated_on",
            "channel",
            "corrects",
        ]
        widgets = {"donated_on": DateInput()}
        help_texts = {"anonymous": _("捐赠人选择匿名的，所有公开页面和开放数据只显示“匿名”。")}

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, project=project, **kwargs)
        self.instance.organization = project.organization

    def clean(self):
        data = super().clean()
        if data.get("kind") == Donation.Kind.IN_KIND and not data.get("in_kind_description"):
            self.add_error("in_kind_description", _("物资捐赠须说明物资名称和数量。"))
        receipt, corrects = data.get("receipt_number"), data.get("corrects")
        if receipt and corrects is None:
            taken = Donation.objects.filter(
                organization=self.project.organization, receipt_number=receipt, corrects__isnull=True
            ).exists()
            if taken:
                self.add_error("receipt_number", _("本机构已有该票据号的捐赠记录。"))
        return data

    def validate_constraints(self, exclude=None):
        """Receipt uniqueness is checked in clean() with a message staff understand."""


class ExpenditureForm(_RecordForm):
    class Meta:
        model = Expenditure
        fields = [
            "voucher_number",
            "amount",
            "purpose",
            "beneficiary_count",
            "spent_on",
            "document",
            "corrects",
        ]
        widgets = {"spent_on": DateInput()}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern); cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


MAX_REPORT_ATTACHMENTS = 10


class ProgressReportForm(_RecordForm):
    attachments = MultipleFileField(
        label=_("附件"),
        required=False,
        validators=[DOCUMENT_EXTENSIONS, DOCUMENT_CONTENT],
        help_text=_("可选多个文件，每个为PDF、JPG或PNG，最多10个。公开后不能删除。"),
        widget=MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    class Meta:
        model = ProgressReport
        fields = ["kind", "period_start", "period_end", "published_on", "text", "corrects"]
        widgets = {"period_start": DateInput(), "period_end": DateInput(), "published_on": DateInput()}

    def clean_attachments(self):
        files = self.cleaned_data["attachments"]
        if len(files) > MAX_REPORT_ATTACHMENTS:
            raise forms.ValidationError(_("最多上传%(n)s个附件。") % {"n": MAX_REPORT_ATTACHMENTS})
        return files

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("报告期止不能早于报告期起。"))
        return data


class ImportForm(SpecificErrorsMixin, forms.Form):
    file = forms.FileField(
        label=_("明细文件"),
        help_text=_("CSV（UTF-8）或Excel（.xlsx），第一行为表头，请使用模板。先检查，确认后才写入。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def clean_file(self):
        """Refuse a file over the cap before it is read (the parsers then check the rest)."""
        upload = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_UPLOAD_BYTES
        if upload.size > limit:
            raise ValidationError(
                _("文件大小为 %(size)s MB，超过 %(limit)s MB 的上限。")
                % {"size": f"{upload.size / 1048576:.1f}", "limit": f"{limit / 1048576:.0f}"},
                code="too_large",
            )
        return upload


class GiftForm(SpecificErrorsMixin, forms.Form):
    amount = forms.DecimalField(
        label=_("捐赠金额（元）"),
        max_digits=12,
        decimal_places=2,
        min_value=MIN_ONLINE_DONATION,
        max_value=MAX_ONLINE_DONATION,
    )
    anonymous = forms.BooleanField(
        label=_("匿名捐赠"),
        required=False,
        help_text=_("勾选后，项目页面、开放数据和票据查询只显示“匿名”。"),
    )


class BasicInfoForm(SpecificErrorsMixin, forms.ModelForm):
    class Meta:
        model = BasicInfoDisclosure
        fields = ["changed_on", "summary", "governing_body", "supervisory_body", "articles"]
        widgets = {
            "changed_on": DateInput(),
            "summary": forms.Textarea(attrs={"rows": 3}),
            "governing_body": forms.Textarea(attrs={"rows": 5}),
            "supervisory_body": forms.Textarea(attrs={"rows": 3}),
        }
