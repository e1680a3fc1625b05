"""Bureau admin: charity projects (editable) and their disclosure records (append-only:
added and inspected, never changed or deleted). Every listing filters by the organisation's
district and type and the project's state where the record has them, and exports the filtered
rows to CSV and XLSX (Beijing time, formula-safe: ``core.admin_queues.SafeExportIndexView``)."""

import django_filters
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permissions import register_permission_policy

from core.admin_audit import AuditedEditView
from core.admin_policies import APPEND_ONLY, VIEW_ONLY, RefusingPolicy
from core.admin_queues import SafeExportIndexView
from orgs.registry.models import District, OrgType

from .models import BasicInfoDisclosure, CharityProject, Donation, Expenditure, ProgressReport, ProjectStatus


def org_filters(path):
    """District and type filters on the organisation at ``path`` (an ORM path)."""
    return {
        "district": django_filters.ChoiceFilter(
            label=gettext_lazy("所在区"), field_name=f"{path}__district", choices=District.choices
        ),
        "org_type": django_filters.ChoiceFilter(
            label=gettext_lazy("组织类型"), field_name=f"{path}__org_type", choices=OrgType.choices
        ),
    }


def filterset(model, name, fields=(), **filters):
    """A WagtailFilterSet for ``model``: the declared ``filters`` plus model ``fields``."""
    attrs = dict(filters)
    attrs["Meta"] = type("Meta", (), {"model": model, "fields": [*filters, *fields]})
    return type(name, (WagtailFilterSet,), attrs)


def project_state_filter(path="status"):
    return django_filters.ChoiceFilter(
        label=gettext_lazy("项目状态"), field_name=path, choices=ProjectStatus.choices
    )


class ExportIndexView(SafeExportIndexView):
    """A listing with related rows read in the same query (its CSV/XLSX too)."""

    select_related = ()

    def get_base_queryset(self):
        return super().get_base_queryset().select_related(*self.select_related)


def index_view(*related):
    return type("ExportIndexView", (ExportIndexView,), {"select_related": related})


class CharityProjectViewSet(ModelViewSet):
    model = CharityProject
    edit_view_class = AuditedEditView  # logged field by field (core.admin_audit)
    icon = "folder-open-inverse"
    menu_label = gettext_lazy("慈善项目")
    copy_view_enabled = False
    inspect_view_enabled = True
    index_view_class = index_view("organization")
    list_display = ["name", "organization", "status", "public_fundraising", "starts_on", "ends_on"]
    filterset_class = filterset(
        CharityProject,
        "CharityProjectFilterSet",
        fields=["public_fundraising", "area"],
        status=project_state_filter(),
        **org_filters("organization"),
    )
    search_fields = ["name", "organization__name", "plan_filing_number"]
    list_export = [
        "name",
        "organization.name",
        "organization.uscc",
        "organization.get_district_display",
        "get_status_display",
        "public_fundraising",
        "plan_filing_number",
        "plan_filed_on",
        "goal",
        "starts_on",
        "ends_on",
        "get_area_display",
        "created_at",
    ]
    export_headings = {
        "name": gettext_lazy("项目名称"),
        "organization.name": gettext_lazy("慈善组织"),
        "organization.uscc": gettext_lazy("统一社会信用代码"),
        "organization.get_district_display": gettext_lazy("所在区"),
        "get_status_display": gettext_lazy("项目状态"),
        "public_fundraising": gettext_lazy("公开募捐"),
        "plan_filing_number": gettext_lazy("募捐方案备案号"),
        "plan_filed_on": gettext_lazy("募捐方案备案日期"),
        "goal": gettext_lazy("募集目标（元）"),
        "starts_on": gettext_lazy("开始日期"),
        "ends_on": gettext_lazy("结束日期"),
        "get_area_display": gettext_lazy("受益地区"),
        "created_at": gettext_lazy("创建时间"),
    }
    export_filename = "charity-projects"
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
    index_view_class = index_view("project", "organization")
    list_display = ["receipt_number", "project", "donor_name", "anonymous", "amount", "donated_on", "channel"]
    filterset_class = filterset(
        Donation,
        "DonationFilterSet",
        fields=["kind", "channel", "anonymous"],
        project_status=project_state_filter("project__status"),
        **org_filters("organization"),
    )
    list_export = [
        "receipt_number",
        "organization.name",
        "project.name",
        "donor_name",
        "anonymous",
        "get_kind_display",
        "amount",
        "in_kind_description",
        "donated_on",
        "get_channel_display",
        "created_at",
    ]
    export_headings = {
        "receipt_number": gettext_lazy("票据号"),
        "organization.name": gettext_lazy("慈善组织"),
        "project.name": gettext_lazy("慈善项目"),
        "donor_name": gettext_lazy("捐赠人"),
        "anonymous": gettext_lazy("匿名捐赠"),
        "get_kind_display": gettext_lazy("捐赠类型"),
        "amount": gettext_lazy("金额（元）"),
        "in_kind_description": gettext_lazy("物资说明"),
        "donated_on": gettext_lazy("捐赠日期"),
        "get_channel_display": gettext_lazy("捐赠渠道"),
        "created_at": gettext_lazy("公开时间"),
    }
    export_filename = "charity-donations"
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
    index_view_class = index_view("project__organization")
    list_display = ["project", "voucher_number", "purpose", "amount", "beneficiary_count", "spent_on"]
    filterset_class = filterset(
        Expenditure,
        "ExpenditureFilterSet",
        project_status=project_state_filter("project__status"),
        **org_filters("project__organization"),
    )
    search_fields = ["voucher_number", "purpose", "project__name"]
    list_export = [
        "voucher_number",
        "project.organization.name",
        "project.name",
        "purpose",
        "amount",
        "beneficiary_count",
        "spent_on",
        "created_at",
    ]
    export_headings = {
        "voucher_number": gettext_lazy("凭证号"),
        "project.organization.name": gettext_lazy("慈善组织"),
        "project.name": gettext_lazy("慈善项目"),
        "purpose": gettext_lazy("用途"),
        "amount": gettext_lazy("金额（元）"),
        "beneficiary_count": gettext_lazy("受益人数"),
        "spent_on": gettext_lazy("支出日期"),
        "created_at": gettext_lazy("公开时间"),
    }
    export_filename = "charity-expenditures"
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
    index_view_class = index_view("project__organization")
    list_display = ["project", "kind", "period_start", "period_end", "published_on"]
    filterset_class = filterset(
        ProgressReport,
        "ProgressReportFilterSet",
        fields=["kind"],
        project_status=project_state_filter("project__status"),
        **org_filters("project__organization"),
    )
    search_fields = ["project__name"]
    list_export = [
        "project.organization.name",
        "project.name",
        "get_kind_display",
        "period_start",
        "period_end",
        "published_on",
        "created_at",
    ]
    export_headings = {
        "project.organization.name": gettext_lazy("慈善组织"),
        "project.name": gettext_lazy("慈善项目"),
        "get_kind_display": gettext_lazy("报告类型"),
        "period_start": gettext_lazy("报告期起"),
        "period_end": gettext_lazy("报告期止"),
        "published_on": gettext_lazy("公开日期"),
        "created_at": gettext_lazy("创建时间"),
    }
    export_filename = "charity-progress-reports"
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
    index_view_class = index_view("organization")
    list_display = ["organization", "changed_on", "published_on", "summary"]
    filterset_class = filterset(BasicInfoDisclosure, "BasicInfoFilterSet", **org_filters("organization"))
    search_fields = ["organization__name", "summary"]
    list_export = [
        "organization.name",
        "organization.uscc",
        "changed_on",
        "published_on",
        "summary",
        "created_at",
    ]
    export_headings = {
        "organization.name": gettext_lazy("慈善组织"),
        "organization.uscc": gettext_lazy("统一社会信用代码"),
        "changed_on": gettext_lazy("变更发生日期"),
        "published_on": gettext_lazy("公开日期"),
        "summary": gettext_lazy("变更说明"),
        "created_at": gettext_lazy("创建时间"),
    }
    export_filename = "charity-basic-info"
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
