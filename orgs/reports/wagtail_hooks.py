"""Bureau admin for annual reports: the S3 review queue (core.admin_queues: open reports first,
by review deadline, with working-day countdowns, filters and safe CSV/XLSX exports), the review
page (return with reasons, or accept with a conclusion after a confirmation summary), and the
working-day calendar."""

import datetime
import statistics

import django_filters
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail import hooks
from wagtail.admin.ui.tables import BooleanColumn, Column, TitleColumn
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permissions import register_permission_policy

from accounts.groups import SOCIAL_ORG_SECTION
from core.admin_audit import AuditedEditView
from core.admin_policies import DECIDE_ONLY, RefusingPolicy
from core.admin_queues import (
    ComputedExportMixin,
    DeadlineColumn,
    Queue,
    QueueIndexView,
    QueueViewSetMixin,
    SafeExportIndexView,
    countdown_text,
    register_queue,
)
from core.dates import add_months, add_working_days, special_days, working_days_between
from orgs.registry.models import District

from .forms import AcceptForm, ReturnForm
from .models import (
    AnnualReport,
    CalendarDay,
    ReportAttachment,
    ReportStatus,
    ReportSubmission,
    ReviewDecision,
)
from .services.ratios import c3_for
from .services.review import accept_report, acceptance_summary, return_report
from .services.validation import current_attachments
from .views import attachment_response, receipt_response

YES_NO = [("1", gettext_lazy("是")), ("0", gettext_lazy("否"))]


def _filter_bool(queryset, name, value):
    return queryset.filter(**{name: value == "1"})


class ReportReviewQueue(Queue):
    """S3: the reports waiting for the bureau's review (a resubmission after a return waits in
    the same state, 待审核), each due ``S3_REVIEW_WORKING_DAYS`` working days after it arrived.

    The monthly statistics count review decisions (a return and a later acceptance of the same
    report are two decisions), each against the deadline of the submission it decided."""

    def monthly_statistics(self, months: int = 6, today=None) -> list[dict]:
        today = today or timezone.localdate()
        first = add_months(today.replace(day=1), -(months - 1))
        start = timezone.make_aware(datetime.datetime.combine(first, datetime.time()))
        rows = [
            (timezone.localdate(submitted), timezone.localdate(decided))
            for submitted, decided in ReviewDecision.objects.filter(decided_at__gte=start).values_list(
                "submission__submitted_at", "decided_at"
            )
        ]
        calendar = {}
        if rows:
            earliest = min(received for received, _decided in rows)
            calendar = special_days(earliest, add_months(today, 2))
        buckets = {}
        for received, decided in rows:
            due = add_working_days(received, settings.S3_REVIEW_WORKING_DAYS, calendar)
            buckets.setdefault(decided.replace(day=1), []).append(
                (max(working_days_between(received, decided, calendar), 0), decided <= due)
            )
        result = []
        month = today.replace(day=1)
        for _i in range(months):
            items = buckets.get(month, [])
            result.append(
                {
                    "month": month,
                    "decided": len(items),
                    "median_days": statistics.median(days for days, _t in items) if items else None,
                    "on_time_share": (sum(on_time for _d, on_time in items) / len(items)) if items else None,
                }
            )
            month = add_months(month, -1)
        return result


REPORT_REVIEW = register_queue(
    ReportReviewQueue(
        key="reports_review",
        label=gettext_lazy("年度报告审核"),
        model=AnnualReport,
        section=SOCIAL_ORG_SECTION,
        permission="reports.change_annualreport",
        open_states=(ReportStatus.SUBMITTED,),
        due_field="review_due",
        received_field="last_submitted_at",
        decided_field=None,
        district_field="organization__district",
        district_choices=lambda: District.choices,
        type_field="organization__org_type",
        type_label=gettext_lazy("组织类型"),
        extra_filters={
            "year": django_filters.NumberFilter(label=gettext_lazy("报告年度")),
            "is_late": django_filters.ChoiceFilter(
                label=gettext_lazy("逾期报送"), choices=YES_NO, method=_filter_bool
            ),
            "c3_breach": django_filters.ChoiceFilter(
                label=gettext_lazy("支出比例未达标"), choices=YES_NO, method=_filter_bool
            ),
        },
    )
)

REPORT_EXPORT = [
    "organization.name",
    "organization.uscc",
    "year",
    "organization.get_org_type_display",
    "organization.get_district_display",
    "get_status_display",
    "last_submitted_at",
    "review_due",
    "review_countdown",
    "is_late",
    "c3_breach",
    "get_conclusion_display",
]
REPORT_EXPORT_HEADINGS = {
    "organization.name": gettext_lazy("社会组织"),
    "organization.uscc": gettext_lazy("统一社会信用代码"),
    "year": gettext_lazy("报告年度"),
    "organization.get_org_type_display": gettext_lazy("组织类型"),
    "organization.get_district_display": gettext_lazy("所在区"),
    "get_status_display": gettext_lazy("状态"),
    "last_submitted_at": gettext_lazy("最近提交时间"),
    "review_due": gettext_lazy("审核期限"),
    "review_countdown": gettext_lazy("办理期限"),
    "is_late": gettext_lazy("逾期报送"),
    "c3_breach": gettext_lazy("支出比例未达标"),
    "get_conclusion_display": gettext_lazy("年检结论"),
}


class ReportQueueView(ComputedExportMixin, QueueIndexView):
    """The S3 review queue: reports waiting for review first, by review deadline."""

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("organization")

    export_computed = {"review_countdown": countdown_text(REPORT_REVIEW)}


def _late_label(report):
    if report.is_late:
        return format_html('<span class="w-status w-status--label">{}</span>', _("逾期报送"))
    return _("按期")


def _c3_label(report):
    if report.c3_breach:
        return format_html('<span class="w-status w-status--label">{}</span>', _("未达标"))
    return "—"


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
            return self.accept(request, pk)
        return self.render(request, status=400)

    def accept(self, request, pk):
        """Two steps: a valid decision first shows its confirmation summary and changes
        nothing; only a second POST carrying ``confirmed`` (for the submission the summary
        showed) decides."""
        form = AcceptForm(request.POST)
        if not form.is_valid():
            return self.render(request, accept_form=form, status=400)
        report = self.report
        latest = report.latest_submission
        if report.status != ReportStatus.SUBMITTED or latest is None:
            form.add_error(None, _("只有待审核的报告可以审核通过。"))
            return self.render(request, accept_form=form, status=400)
        conclusion, comment = form.cleaned_data["conclusion"], form.cleaned_data["comment"]
        if request.POST.get("confirmed") != "1":
            return self.render_confirmation(request, conclusion, comment)
        if request.POST.get("submission") != str(latest.pk):
            # The organisation resubmitted (or the summary was not the one shown): confirm again.
            messages.warning(request, _("报告在确认前已有新的提交，请重新核对后再确认。"))
            return self.render_confirmation(request, conclusion, comment, status=409)
        try:
            accept_report(report, conclusion=conclusion, comment=comment, user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
            return self.render(request, accept_form=form, status=400)
        messages.success(request, _("报告已审核通过，摘要已在机构公开信息页显示。"))
        return redirect(self.edit_url_name, pk)

    def render_confirmation(self, request, conclusion, comment, status=200):
        summary = acceptance_summary(self.report, conclusion=conclusion, comment=comment)
        context = {
            "report": self.report,
            "organization": self.report.organization,
            "summary": summary,
            "index_url": self.index_url_name,
            "edit_url": self.edit_url_name,
            "page_title": _("确认审核通过：%(report)s") % {"report": self.report},
            "header_icon": "doc-full",
        }
        return TemplateResponse(request, "reports/admin_review_confirm.html", context, status=status)


def admin_receipt(request, pk):
    if not request.user.has_perm("reports.view_annualreport"):
        raise PermissionDenied
    return receipt_response(get_object_or_404(ReportSubmission, pk=pk))


def admin_attachment(request, pk):
    if not request.user.has_perm("reports.view_annualreport"):
        raise PermissionDenied
    return attachment_response(request, get_object_or_404(ReportAttachment, pk=pk))


class ReportReviewViewSet(QueueViewSetMixin, ModelViewSet):
    """S3: the bureau's review queue. Opens on the reports waiting for review, earliest review
    deadline first, each with its working-day countdown; filters for the queue view, district,
    organisation type, state, year, lateness and C3; CSV and XLSX exports of the filtered list."""

    queue = REPORT_REVIEW
    model = AnnualReport
    icon = "doc-full"
    menu_label = gettext_lazy("年度报告审核")
    index_view_class = ReportQueueView
    edit_view_class = ReviewView
    copy_view_enabled = False
    search_fields = ["organization__name", "organization__uscc"]
    list_display = [
        TitleColumn(
            "organization",
            label=gettext_lazy("社会组织"),
            accessor="organization.name",
            url_name="reports_review:edit",
            sort_key="organization__name",
        ),
        Column("year", label=gettext_lazy("报告年度"), sort_key="year"),
        Column("org_type", label=gettext_lazy("组织类型"), accessor="organization.get_org_type_display"),
        Column("district", label=gettext_lazy("所在区"), accessor="organization.get_district_display"),
        Column("status", label=gettext_lazy("状态"), accessor="get_status_display"),
        Column("is_late", label=gettext_lazy("报送"), accessor=_late_label),
        Column("c3_breach", label=gettext_lazy("支出比例"), accessor=_c3_label),
        DeadlineColumn(REPORT_REVIEW, label=gettext_lazy("审核期限")),
        Column("conclusion", label=gettext_lazy("年检结论"), accessor="get_conclusion_display"),
    ]
    list_export = REPORT_EXPORT
    export_headings = REPORT_EXPORT_HEADINGS
    export_filename = "annual-report-review"

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
    edit_view_class = AuditedEditView  # logged field by field (core.admin_audit)
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
    index_view_class = SafeExportIndexView
    list_export = ["date", "name", "get_kind_display", "provisional"]
    export_headings = {
        "date": gettext_lazy("日期"),
        "name": gettext_lazy("节日"),
        "get_kind_display": gettext_lazy("类型"),
        "provisional": gettext_lazy("暂定"),
    }
    export_filename = "calendar-days"


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
