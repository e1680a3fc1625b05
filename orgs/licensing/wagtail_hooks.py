"""Bureau admin for electronic licences (S9): every version of every organisation's licence,
and a form to issue one (a first licence for an organisation registered before the platform,
or a licence again after the registry was corrected). Changes registered through the registry
issue the next version by themselves; this form never edits an issued licence."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail import hooks
from wagtail.admin.ui.tables import BooleanColumn, Column, TitleColumn
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from core.admin_policies import APPEND_ONLY, DECIDE_ONLY, RefusingPolicy
from core.admin_queues import SafeExportIndexView
from orgs.registry import uscc as uscc_module
from orgs.registry.models import Organization

from .admin_review import RegistrationApplicationViewSet
from .models import Licence, RegistrationApplication
from .services import current_licence, issue_licence
from .views import archive_response


class IssueForm(forms.Form):
    uscc = forms.CharField(label=gettext_lazy("统一社会信用代码"), max_length=24)
    reason = forms.CharField(
        label=gettext_lazy("发放原因"),
        max_length=200,
        initial=gettext_lazy("首次发放电子证照"),
        help_text=gettext_lazy("写在证照上，例如“首次发放电子证照”或“登记信息更正后重新发放”。"),
    )

    def clean_uscc(self):
        value = uscc_module.normalize(self.cleaned_data["uscc"])
        organization = Organization.objects.filter(uscc=value).first()
        if organization is None:
            raise forms.ValidationError(_("登记信息中没有这个统一社会信用代码。"))
        self.organization = organization
        return value


class IssueView(View):
    """Issue the organisation's licence for its registration state now: a new version only
    when the registry's facts differ from the current licence's."""

    model = Licence
    permission_policy = None
    index_url_name = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("licensing.add_licence"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def render(self, request, form, status=200):
        return TemplateResponse(
            request,
            "licensing/admin_issue.html",
            {
                "form": form,
                "index_url": self.index_url_name,
                "page_title": _("发放电子证照"),
                "header_icon": "doc-full",
            },
            status=status,
        )

    def get(self, request):
        return self.render(request, IssueForm())

    def post(self, request):
        form = IssueForm(request.POST)
        if not form.is_valid():
            return self.render(request, form, status=400)
        before = current_licence(form.organization)
        licence = issue_licence(
            form.organization,
            reason=form.cleaned_data["reason"],
            user=request.user,
            base_url=request.build_absolute_uri("/").rstrip("/"),
        )
        if before is not None and licence.pk == before.pk:
            messages.info(
                request,
                _("%(org)s 的现行证照（第 %(version)s 版）与登记信息一致，无需重新发放。")
                % {"org": licence.organization.name, "version": licence.version},
            )
        else:
            messages.success(
                request,
                _("已为 %(org)s 发放电子证照第 %(version)s 版，核验码 %(code)s。")
                % {
                    "org": licence.organization.name,
                    "version": licence.version,
                    "code": licence.document.code,
                },
            )
        return redirect(self.index_url_name)


class LicenceViewSet(ModelViewSet):
    model = Licence
    icon = "doc-full"
    menu_label = gettext_lazy("电子证照")
    menu_order = 345
    add_to_admin_menu = True
    index_view_class = SafeExportIndexView
    add_view_class = IssueView
    copy_view_enabled = False
    inspect_view_enabled = True
    search_fields = ["organization__name", "organization__uscc"]
    list_filter = ["current", "status"]
    form_fields = ["reason"]
    list_display = [
        TitleColumn(
            "organization",
            label=gettext_lazy("社会组织"),
            accessor="organization.name",
            url_name="licences:inspect",
        ),
        Column("uscc", label=gettext_lazy("统一社会信用代码"), accessor="organization.uscc"),
        Column("title", label=gettext_lazy("证照"), accessor="document.title"),
        "version",
        BooleanColumn("current", label=gettext_lazy("现行有效")),
        "issued_at",
        Column("code", label=gettext_lazy("核验码"), accessor="document.code"),
    ]
    list_export = [
        "organization.name",
        "organization.uscc",
        "document.title",
        "version",
        "current",
        "issued_at",
        "document.code",
        "reason",
    ]
    export_headings = {
        "organization.name": gettext_lazy("社会组织"),
        "organization.uscc": gettext_lazy("统一社会信用代码"),
        "document.title": gettext_lazy("证照"),
        "version": gettext_lazy("版本"),
        "current": gettext_lazy("现行有效"),
        "issued_at": gettext_lazy("发放时间"),
        "document.code": gettext_lazy("核验码"),
        "reason": gettext_lazy("发放原因"),
    }
    export_filename = "licences"

    def get_queryset(self, request):
        return Licence.objects.select_related("organization", "document")

    def get_add_view_kwargs(self, **kwargs):
        return {"index_url_name": self.get_url_name("index"), **kwargs}

    def get_urlpatterns(self):
        return [*super().get_urlpatterns(), path("archive/<str:uscc>/", admin_archive, name="archive")]


def admin_archive(request, uscc):
    """S9: bureau staff read an organisation's whole e-archive."""
    if not request.user.has_perm("licensing.view_licence"):
        raise PermissionDenied
    organization = get_object_or_404(Organization, uscc=uscc_module.normalize(uscc))
    return archive_response(request, organization)


register_permission_policy(Licence, RefusingPolicy(Licence, APPEND_ONLY))
# Applications are made by applicants; the bureau only reviews and decides them.
register_permission_policy(RegistrationApplication, RefusingPolicy(RegistrationApplication, DECIDE_ONLY))


@hooks.register("register_admin_viewset")
def register_licence_viewset():
    return LicenceViewSet("licences", url_prefix="licences")


@hooks.register("register_admin_viewset")
def register_registration_viewset():
    return RegistrationApplicationViewSet("registration_applications", url_prefix="registration-applications")
