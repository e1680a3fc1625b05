"""Bureau admin for annual reports: the review queue (filtered by status, type, year
and lateness), the review page (return with reasons / accept with a conclusion), and
the working-day calendar."""

import django_filters
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, IntegerField, Value, When
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import BooleanColumn, Column, TitleColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permissions import register_permission_policy

from core.admin_policies import DECIDE_ONLY, RefusingPolicy
from orgs.registry.models import OrgType

from .forms import AcceptForm, ReturnForm
from .models import AnnualReport, CalendarDay, ReportAttachment, ReportStatus, ReportSubmission
from .services.ratios import c3_for
from .services.review import accept_report, return_report
from .services.validation import current_attachments
from .views import attachment_response, receipt_response

YES_NO = [("1", gettext_lazy("是")), ("0", gettext_lazy("否"))]


class ReportQueueFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(label=gettext_lazy("状态"), choices=ReportStatus.choices)
    org_type = django_filters.ChoiceFilter(
        label=gettext_lazy("组织类型"), field_name="organization__org_type", choices=OrgType.choices
    )
    year = django_filters.NumberFilter(label=gettext_lazy("报告年度"))
    is_late = django_filters.ChoiceFilter(
        label=gettext_lazy("逾期报送"), choices=YES_NO, method="filter_bool"
    )
    c3_breach = django_filters.ChoiceFilter(
        label=gettext_lazy("支出比例未达标"), choices=YES_NO, method="filter_bool"
    )

    class Meta:
        model = AnnualReport
        fields = ["status", "org_type", "year", "is_late", "c3_breach"]

    def filter_bool(self, queryset, name, value):
        return queryset.filter(**{name: value == "1"})


class ReportQueueView(IndexView):
    """Reports awaiting review first (earliest review deadline first), then returned ones."""

    def get_base_queryset(self):
        rank = Case(
            When(status=ReportStatus.SUBMITTED, then=Value(0)),
            When(status=ReportStatus.RETURNED, then=Value(1)),
            When(status=ReportStatus.DRAFT, then=Value(2)),
            default=Value(3),
            output_field=IntegerField(),
        )
        return AnnualReport.objects.select_related("organization").annotate(queue_rank=rank)


class ReviewView(View):
    """Read a submitted report and decide: return it with reasons or accept it."""

    model = AnnualReport
    permission_policy = None
    index_url_name = None
    edit_url_name = None

    def dispatch(self, request, pk):
        if not request.user.has_perm("reports.view_annualreport"):
            raise PermissionDenied
        self.report = get_object_or_404(AnnualReport.objects.select_related("organization"), pk=pk)
        return super().dispatch(request, pk)

    def render(self, request, return_form=None, accept_form=None, status=200):
        report = self.report
        submissions = list(
            report.submissions.select_related("decision", "submitted_by").order_by("-sequence")
        )
        context = {
            "report": report,
            "organization": report.organization,
            "submissions": submissions,
            "attachments": current_attachments(report),
            "c3": c3_for(report),
            "return_form": return_form or ReturnForm(),
            "accept_form": accept_form or AcceptForm(),
            "can_review": report.status == ReportStatus.SUBMITTED
            and request.user.has_perm("reports.change_annualreport"),
            "index_url": self.index_url_name,
            "page_title": str(report),
            "header_icon": "doc-full",
            "receipt_admin": True,
        }
        return TemplateResponse(request, "reports/admin_review.html", context, status=status)

    def get(self, request, pk):
        return self.render(request)

    def post(self, request, pk):
        if not request.user.has_perm("reports.change_annualreport"):
            raise PermissionDenied
        action = request.POST.get("action")
        if action == "return":
            form = ReturnForm(request.POST)
            if form.is_valid():
                try:
                    deadline = return_report(
                        self.report, reasons=form.cleaned_data["reasons"], user=request.user
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    messages.success(
                        request,
                        _("报告已退回，机构须在 %(date)s 前补正后重新提交。")
                        % {"date": deadline.isoformat()},
                    )
                    return redirect(self.edit_url_name, pk)
            return self.render(request, return_form=form, status=400)
        if action == "accept":
            form = AcceptForm(request.POST)
            if form.is_valid():
                try:
                    accept_report(
                        self.report,
                        conclusion=form.cleaned_data["conclusion"],
                        comment=form.cleaned_data["comment"],
                        user=request.user,
                    )
                except ValidationError as error:
                    form.add_error(None, error)
                else:
                    messages.success(request, _("报告已审核通过，摘要已在机构公开信息页显示。"))
                    return redirect(self.edit_url_name, pk)
            return self.render(request, accept_form=form, status=400)
        return self.render(request, status=400)


def admin_receipt(request, pk):
    if not request.user.has_perm("reports.view_annualreport"):
        raise PermissionDenied
    return receipt_response(get_object_or_404(ReportSubmission, pk=pk))


def admin_attachment(request, pk):
    if not request.user.has_perm("reports.view_annualreport"):
        raise PermissionDenied
    return attachment_response(request, get_object_or_404(ReportAttachment, pk=pk))


class ReportReviewViewSet(ModelViewSet):
    model = AnnualReport
    icon = "doc-full"
    menu_label = gettext_lazy("年度报告审核")
    index_view_class = ReportQueueView
    edit_view_class = ReviewView
    copy_view_enabled = False
    filterset_class = ReportQueueFilterSet
    search_fields = ["organization__name", "organization__uscc"]
    ordering = ["queue_rank", "review_due", "-year", "organization__name"]
    list_display = [
        TitleColumn(
            "organization",
            label=gettext_lazy("社会组织"),
            accessor="organization.name",
            url_name="reports_review:edit",
        ),
        Column("year", label=gettext_lazy("报告年度")),
        Column("org_type", label=gettext_lazy("组织类型"), accessor="organization.get_org_type_display"),
        Column("status", label=gettext_lazy("状态"), accessor="get_status_display"),
        BooleanColumn("is_late", label=gettext_lazy("逾期")),
        BooleanColumn("c3_breach", label=gettext_lazy("支出比例未达标")),
        Column(
            "review_due",
            label=gettext_lazy("审核期限"),
            accessor=lambda report: report.review_due.isoformat() if report.review_due else "—",
        ),
        Column("conclusion", label=gettext_lazy("年检结论"), accessor="get_conclusion_display"),
    ]

    def get_form_class(self, for_update=False):
        # Never used: reports are not created or edited in the admin (see its DECIDE_ONLY policy).
        return AcceptForm

    def get_edit_view_kwargs(self, **kwargs):
        return {
            "index_url_name": self.get_url_name("index"),
            "edit_url_name": self.get_url_name("edit"),
            **kwargs,
        }

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("receipt/<int:pk>/", admin_receipt, name="receipt"),
            path("attachment/<int:pk>/", admin_attachment, name="attachment"),
        ]


class CalendarDayViewSet(ModelViewSet):
    model = CalendarDay
    icon = "date"
    menu_label = gettext_lazy("节假日与调休")
    form_fields = ["date", "kind", "name", "provisional"]
    list_display = [
        "date",
        "name",
        Column("kind", label=gettext_lazy("类型"), accessor="get_kind_display"),
        BooleanColumn("provisional", label=gettext_lazy("暂定")),
    ]
    list_filter = ["kind", "provisional"]
    ordering = ["date"]
    copy_view_enabled = False


class ReportsGroup(ModelViewSetGroup):
    menu_label = gettext_lazy("年度报告")
    menu_icon = "doc-full"
    menu_order = 310
    items = (
        ReportReviewViewSet("reports_review", url_prefix="reports/review"),
        CalendarDayViewSet("calendar_days", url_prefix="reports/calendar"),
    )


register_permission_policy(AnnualReport, RefusingPolicy(AnnualReport, DECIDE_ONLY))


@hooks.register("register_admin_viewset")
def register_reports_viewsets():
    return ReportsGroup()


@hooks.register("register_log_actions")
def register_report_actions(actions):
    actions.register_action(
        "reports.attachment_added", gettext_lazy("上传附件"), gettext_lazy("年度报告附件已上传")
    )
    actions.register_action(
        "reports.attachment_withdrawn", gettext_lazy("移除附件"), gettext_lazy("年度报告附件已移除")
    )
