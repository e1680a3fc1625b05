"""B1 in the admin: the finance office's read-only list of payment instructions (approved cash
subsidies, and waivers whose service was already complete), with safe exports; the bank account
is masked."""

import django_filters
from django.contrib.auth.models import Permission
from django.utils import timezone
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.viewsets.model import ModelViewSet

from core.admin_queues import (
    SafeExportIndexView,
)
from core.money import format_money

from .admin_review import VIEW_PERMISSION, A, ReviewView, _require
from .models import BenefitApplication, BenefitScheme

# --- Payment instructions for the finance office ----------------------------------------------------


class InstructionFilterSet(WagtailFilterSet):
    instructed = django_filters.DateFromToRangeFilter(
        label=gettext_lazy("支付指令日期"), field_name="instructed_at__date", widget=DateRangePickerWidget
    )
    scheme = django_filters.ModelChoiceFilter(
        label=gettext_lazy("政策"), queryset=BenefitScheme.objects.order_by("sort_order", "code")
    )

    class Meta:
        model = BenefitApplication
        fields = ["instructed", "scheme"]


class InstructionIndexView(SafeExportIndexView):
    page_title = gettext_lazy("惠民殡葬支付指令")

    def dispatch(self, request, *args, **kwargs):
        _require(request, VIEW_PERMISSION)
        return super().dispatch(request, *args, **kwargs)

    def get_base_queryset(self):
        return (
            BenefitApplication.objects.filter(status=A.APPROVED)
            .exclude(instruction_number="")
            .select_related("scheme")
        )


class PaymentInstructionViewSet(ModelViewSet):
    """Read-only: the payments the bureau's decisions instructed (a subsidy, or a waiver whose
    service was already complete). The account number is masked here and in the exports."""

    model = BenefitApplication
    icon = "table"
    menu_label = gettext_lazy("惠民殡葬支付指令")
    index_view_class = InstructionIndexView
    edit_view_class = ReviewView  # a row opens the application's review page
    copy_view_enabled = False
    add_to_reference_index = False
    filterset_class = InstructionFilterSet
    search_fields = ["instruction_number", "number", "payee_name"]
    form_fields = ["decision_reason"]  # never used
    ordering = "-instructed_at"
    list_display = [
        TitleColumn(
            "instruction_number",
            label=gettext_lazy("支付指令编号"),
            url_name="benefit_applications:edit",
            sort_key="instruction_number",
        ),
        Column(
            "instructed_at",
            label=gettext_lazy("支付指令时间"),
            accessor=lambda a: timezone.localtime(a.instructed_at).strftime("%Y-%m-%d %H:%M"),
            sort_key="instructed_at",
        ),
        Column("payee_name", label=gettext_lazy("收款人")),
        Column("payee_bank", label=gettext_lazy("开户银行")),
        Column("payee_account_masked", label=gettext_lazy("银行账号")),
        Column("amount", label=gettext_lazy("金额（元）"), accessor=lambda a: format_money(a.amount)),
        Column("number", label=gettext_lazy("申请编号")),
    ]
    list_export = [
        "instruction_number",
        "instructed_at",
        "payee_name",
        "payee_bank",
        "payee_account_masked",
        "amount",
        "number",
        "scheme.name",
        "deceased_name",
    ]
    export_headings = {
        "instruction_number": gettext_lazy("支付指令编号"),
        "instructed_at": gettext_lazy("支付指令时间"),
        "payee_name": gettext_lazy("收款人姓名"),
        "payee_bank": gettext_lazy("开户银行"),
        "payee_account_masked": gettext_lazy("银行账号（脱敏）"),
        "amount": gettext_lazy("金额（元）"),
        "number": gettext_lazy("申请编号"),
        "scheme.name": gettext_lazy("政策"),
        "deceased_name": gettext_lazy("逝者姓名"),
    }
    export_filename = "benefit-payment-instructions"

    def get_edit_view_kwargs(self, **kwargs):
        return {
            "index_url_name": self.get_url_name("index"),
            "edit_url_name": "benefit_applications:edit",
            **kwargs,
        }

    # The queue is the application's admin page: links to an application (the early warnings,
    # the reference index) go there, and its permissions are registered once.
    def register_admin_url_finder(self):
        pass

    def get_permissions_to_register(self):
        return Permission.objects.none()


__all__ = ["PaymentInstructionViewSet"]
