import csv
import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_http_methods

from accounts.permissions import get_managed_or_404
from core.opendata import safe_row

from . import services
from .filters import OrganizationFilter
from .forms import InviteForm, ProfileForm
from .models import Invitation, MemberRole, Membership, Organization
from .profile import registration_fact, sections_for, summary_for


def index(request):
    queryset = Organization.objects.select_related("supervising_unit").order_by("name", "pk")
    filterset = OrganizationFilter(request.GET or None, queryset=queryset)
    results = filterset.qs if filterset.is_bound and filterset.is_valid() else queryset
    page_obj = Paginator(results, settings.REGISTRY_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "registry/index.html",
        {
            "filter": filterset,
            "page_obj": page_obj,
            "organizations": page_obj.object_list,
            "query_string": query.urlencode(),
            "breadcrumbs": [(_("社会组织"), None)],
        },
    )


def detail(request, uscc):
    organization = get_object_or_404(
        Organization.objects.select_related("supervising_unit"), uscc=uscc.upper()
    )
    changes = list(organization.changes.all())
    sections = sections_for(organization, request)
    return render(
        request,
        "registry/detail.html",
        {
            "organization": organization,
            "changes": changes,
            "sections": sections,
            "summary": summary_for(sections, own=[registration_fact(organization, changes)]),
            "breadcrumbs": [(_("社会组织"), reverse("registry:index")), (organization.name, None)],
        },
    )


# --- Open data ------------------------------------------------------------------------

EXPORT_FIELDS = (
    ("uscc", "统一社会信用代码"),
    ("name", "名称"),
    ("org_type", "组织类型"),
    ("registration_authority", "登记管理机关"),
    ("supervising_unit", "业务主管单位"),
    ("registered_on", "成立登记日期"),
    ("legal_representative", "法定代表人"),
    ("domicile", "住所"),
    ("district", "所在区"),
    ("registered_funds", "注册资金（元）"),
    ("status", "登记状态"),
    ("charity_recognized_on", "认定为慈善组织日期"),
    ("public_fundraising", "具有公开募捐资格"),
)


def _export_rows():
    for org in (
        Organization.objects.select_related("supervising_unit").order_by("uscc").iterator(chunk_size=500)
    ):
        yield {
            "uscc": org.uscc,
            "name": org.name,
            "org_type": org.get_org_type_display(),
            "registration_authority": org.get_registration_authority_display(),
            "supervising_unit": org.supervising_unit.name if org.supervising_unit else "",
            "registered_on": org.registered_on.isoformat(),
            "legal_representative": org.legal_representative,
            "domicile": org.domicile,
            "district": org.get_district_display(),
            "registered_funds": f"{org.registered_funds:.2f}",
            "status": org.get_status_display(),
            "charity_recognized_on": org.charity_recognized_on.isoformat()
            if org.charity_recognized_on
            else "",
            "public_fundraising": org.public_fundraising,
        }


def export_csv(request):
    """The registry as CSV (UTF-8 with BOM so spreadsheet programs read the Chinese)."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(safe_row(label for _key, label in EXPORT_FIELDS))
    for row in _export_rows():
        writer.writerow(
            safe_row(
                "是" if row[key] is True else "否" if row[key] is False else row[key]
                for key, _l in EXPORT_FIELDS
            )
        )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="social-organisations.csv"'
    return response


def export_json(request):
    return JsonResponse(
        {"fields": dict(EXPORT_FIELDS), "organizations": list(_export_rows())},
        json_dumps_params={"ensure_ascii": False},
    )


# --- Workbench (organisation staff) -------------------------------------------------


def _managed(request, uscc):
    return get_managed_or_404(request.user, Organization.objects.all(), uscc=uscc.upper())


def _crumbs(organization, label):
    return (
        [
            (_("机构工作台"), reverse("workbench:index")),
            (organization.name, reverse("registry_workbench:home", args=[organization.uscc])),
            (label, None),
        ]
        if label
        else [(_("机构工作台"), reverse("workbench:index")), (organization.name, None)]
    )


@login_required
def workbench_home(request, uscc):
    organization = _managed(request, uscc)
    membership = Membership.objects.get(user=request.user, organization=organization)
    return render(
        request,
        "registry/workbench_home.html",
        {"organization": organization, "membership": membership, "breadcrumbs": _crumbs(organization, None)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_profile(request, uscc):
    organization = _managed(request, uscc)
    form = ProfileForm(request.POST or None, instance=Organization.objects.get(pk=organization.pk))
    if request.method == "POST" and form.is_valid():
        services.update_profile(organization, form.cleaned_data, user=request.user)
        messages.success(request, pgettext("社会组织", "机构信息已保存。"))
        return redirect("registry_workbench:profile", uscc=organization.uscc)
    return render(
        request,
        "registry/workbench_profile.html",
        {"organization": organization, "form": form, "breadcrumbs": _crumbs(organization, _("机构信息"))},
    )


@login_required
@require_http_methods(["GET", "POST"])
def members(request, uscc):
    organization = _managed(request, uscc)
    admin = services.is_admin(request.user, organization)
    form = InviteForm(request.POST or None) if admin else None
    if request.method == "POST":
        if not admin:
            messages.error(request, _("只有机构管理员可以邀请成员。"))
            return redirect("registry_workbench:members", uscc=organization.uscc)
        if form.is_valid():
            try:
                invitation = services.invite(
                    organization,
                    form.cleaned_data["mobile"],
                    form.cleaned_data["role"],
                    invited_by=request.user,
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    for message in errors:
                        form.add_error(field if field in form.fields else None, message)
            else:
                if invitation.is_pending:
                    messages.success(
                        request,
                        _(
                            "邀请已发出，对方用该手机号码接收短信验证码（注册或短信验证码登录）后即加入本机构。"
                        ),
                    )
                else:
                    messages.success(request, _("该用户已加入本机构。"))
                return redirect("registry_workbench:members", uscc=organization.uscc)
    return render(
        request,
        "registry/workbench_members.html",
        {
            "organization": organization,
            "is_admin": admin,
            "form": form,
            "memberships": organization.memberships.select_related("user").order_by("role", "created_at"),
            "pending": Invitation.objects.filter(organization=organization, accepted_at__isnull=True),
            "roles": MemberRole,
            "breadcrumbs": _crumbs(organization, _("成员管理")),
        },
    )
