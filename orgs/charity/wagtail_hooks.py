"""Bureau admin: charity projects (editable) and their disclosure records (append-only:
added and inspected, never changed or deleted)."""

from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permissions import register_permission_policy

from core.admin_policies import APPEND_ONLY, VIEW_ONLY, RefusingPolicy

from .models import BasicInfoDisclosure, CharityProject, Donation, Expenditure, ProgressReport


class CharityProjectViewSet(ModelViewSet):
    model = CharityProject
    icon = "folder-open-inverse"
    menu_label = gettext_lazy("慈善项目")
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = ["name", "organization", "status", "public_fundraising", "starts_on", "ends_on"]
    list_filter = ["status", "public_fundraising", "area"]
    search_fields = ["name", "organization__name", "plan_filing_number"]
    form_fields = [
        "organization",
        "name",
        "plan_filing_number",
        "plan_filed_on",
        "public_fundraising",
        "goal",
        "starts_on",
        "ends_on",
        "description",
        "area",
    ]


class DonationViewSet(ModelViewSet):
    model = Donation
    icon = "pick"
    menu_label = gettext_lazy("捐赠记录")
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = ["receipt_number", "project", "donor_name", "anonymous", "amount", "donated_on", "channel"]
    list_filter = ["kind", "channel", "anonymous"]
    search_fields = ["receipt_number", "donor_name", "project__name"]
    form_fields = [
        "organization",
        "project",
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


class ExpenditureViewSet(ModelViewSet):
    model = Expenditure
    icon = "doc-full"
    menu_label = gettext_lazy("支出记录")
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = ["project", "voucher_number", "purpose", "amount", "beneficiary_count", "spent_on"]
    search_fields = ["voucher_number", "purpose", "project__name"]
    form_fields = [
        "project",
        "voucher_number",
        "amount",
        "purpose",
        "beneficiary_count",
        "spent_on",
        "document",
        "corrects",
    ]


class ProgressReportViewSet(ModelViewSet):
    model = ProgressReport
    icon = "doc-full-inverse"
    menu_label = gettext_lazy("项目进展报告")
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = ["project", "kind", "period_start", "period_end", "published_on"]
    list_filter = ["kind"]
    search_fields = ["project__name"]
    form_fields = [
        "project",
        "kind",
        "period_start",
        "period_end",
        "published_on",
        "text",
        "corrects",
    ]


class BasicInfoViewSet(ModelViewSet):
    model = BasicInfoDisclosure
    icon = "info-circle"
    menu_label = gettext_lazy("基本信息公开")
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = ["organization", "changed_on", "published_on", "summary"]
    search_fields = ["organization__name", "summary"]
    form_fields = ["organization", "changed_on", "summary", "governing_body", "supervisory_body", "articles"]


class CharityGroup(ModelViewSetGroup):
    menu_label = gettext_lazy("慈善公开")
    menu_icon = "folder-open-inverse"
    menu_order = 330
    items = (
        CharityProjectViewSet("charity_projects", url_prefix="charity/projects"),
        DonationViewSet("charity_donations", url_prefix="charity/donations"),
        ExpenditureViewSet("charity_expenditures", url_prefix="charity/expenditures"),
        ProgressReportViewSet("charity_reports", url_prefix="charity/reports"),
        BasicInfoViewSet("charity_basic_info", url_prefix="charity/basic-info"),
    )


for _model in (Donation, Expenditure, ProgressReport):
    register_permission_policy(_model, RefusingPolicy(_model, APPEND_ONLY))
# Only the charity publishes its basic information (with the publication date set by the
# service); the bureau reads it.
register_permission_policy(BasicInfoDisclosure, RefusingPolicy(BasicInfoDisclosure, VIEW_ONLY))


@hooks.register("register_admin_viewset")
def register_charity_viewsets():
    return CharityGroup()


@hooks.register("register_log_actions")
def register_charity_actions(actions):
    actions.register_action(
        "charity.import_donations", gettext_lazy("导入捐赠"), gettext_lazy("已批量导入捐赠记录")
    )
    actions.register_action(
        "charity.import_expenditures", gettext_lazy("导入支出"), gettext_lazy("已批量导入支出记录")
    )
