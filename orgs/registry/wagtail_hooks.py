"""Bureau admin for the registry: organisations (with the legacy-USCC override),
change registrations (append-only), supervising units and admin invitations. Every listing
filters by district, type and state where the model has them, and exports the filtered rows
to CSV and XLSX (Beijing time, formula-safe: ``core.admin_queues.SafeExportIndexView``)."""

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic import CreateView
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.permissions import register_permission_policy

from accounts.forms import MobileField
from core.admin_audit import AuditedEditView
from core.admin_policies import APPEND_ONLY, RefusingPolicy
from core.admin_queues import SafeExportIndexView

from . import services
from . import uscc as uscc_module
from .models import (
    District,
    Invitation,
    MemberRole,
    Organization,
    OrgStatus,
    OrgType,
    RegistryChange,
    SupervisingUnit,
)

REGISTRY_ITEMS = [choice for choice, _label in RegistryChange.Item.choices]


class OrganizationAdminForm(WagtailAdminModelForm):
    def clean(self):
        cleaned = super().clean()
        if self.instance.uscc_override_reason and uscc_module.is_valid(
            self.instance.uscc, self.instance.uscc_type_code
        ):
            self.instance.uscc_override_reason = ""
        return cleaned


class OrganizationSaveMixin:
    def save_instance(self):
        instance = self.form.instance
        if instance.uscc_override_reason and not uscc_module.is_valid(instance.uscc, instance.uscc_type_code):
            instance.uscc_override_by = self.request.user
        return super().save_instance()


class OrganizationCreateView(OrganizationSaveMixin, CreateView):
    pass


class OrganizationEditView(OrganizationSaveMixin, AuditedEditView):
    def save_instance(self):
        instance = super().save_instance()
        services.registry_corrected(instance, user=self.request.user)
        return instance


class OrganizationIndexView(SafeExportIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("supervising_unit")


class OrganizationViewSet(ModelViewSet):
    model = Organization
    icon = "group"
    menu_label = gettext_lazy("社会组织")
    add_to_admin_menu = False
    index_view_class = OrganizationIndexView
    add_view_class = OrganizationCreateView
    edit_view_class = OrganizationEditView
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = ["name", "uscc", "org_type", "district", "status"]
    list_filter = ["org_type", "district", "status", "public_fundraising"]
    search_fields = ["name", "uscc"]
    list_export = [
        "name",
        "uscc",
        "get_org_type_display",
        "get_district_display",
        "get_status_display",
        "get_registration_authority_display",
        "supervising_unit",
        "registered_on",
        "legal_representative",
        "domicile",
        "registered_funds",
        "charity_recognized_on",
        "public_fundraising",
        "updated_at",
    ]
    export_headings = {
        "name": gettext_lazy("名称"),
        "uscc": gettext_lazy("统一社会信用代码"),
        "get_org_type_display": gettext_lazy("组织类型"),
        "get_district_display": gettext_lazy("所在区"),
        "get_status_display": gettext_lazy("登记状态"),
        "get_registration_authority_display": gettext_lazy("登记管理机关"),
        "supervising_unit": gettext_lazy("业务主管单位"),
        "registered_on": gettext_lazy("成立登记日期"),
        "legal_representative": gettext_lazy("法定代表人"),
        "domicile": gettext_lazy("住所"),
        "registered_funds": gettext_lazy("注册资金（元）"),
        "charity_recognized_on": gettext_lazy("认定为慈善组织日期"),
        "public_fundraising": gettext_lazy("具有公开募捐资格"),
        "updated_at": gettext_lazy("更新时间"),
    }
    export_filename = "organizations"
    create_fields = [
        "name",
        "uscc",
        "uscc_override_reason",
        "org_type",
        "registration_authority",
        "supervising_unit",
        "registered_on",
        "legal_representative",
        "domicile",
        "district",
        "business_scope",
        "service_field",
        "registered_funds",
        "status",
        "charity_recognized_on",
        "public_fundraising",
        "website",
        "contact_person",
        "contact_phone",
        "contact_email",
        "introduction",
    ]

    def formfield_for_dbfield(self, db_field, **kwargs):
        if db_field.name in ("uscc_override_reason", "business_scope", "introduction"):
            kwargs["widget"] = forms.Textarea(attrs={"rows": 3})
        return super().formfield_for_dbfield(db_field, **kwargs)

    def get_form_class(self, for_update=False):
        from django.forms.models import modelform_factory

        fields = list(self.create_fields)
        if for_update:
            # Registry items change only through a change registration, which keeps history.
            fields = [name for name in fields if name not in REGISTRY_ITEMS]
        return modelform_factory(
            self.model,
            form=OrganizationAdminForm,
            fields=fields,
            formfield_callback=self.formfield_for_dbfield,
        )


class RegistryChangeForm(WagtailAdminModelForm):
    after = forms.CharField(
        label=gettext_lazy("变更后"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("登记状态填写 normal（正常）、deregistered（注销）或 revoked（撤销）。"),
    )

    class Meta:
        model = RegistryChange
        fields = ["organization", "item", "after", "changed_on", "note"]

    def clean(self):
        cleaned = super().clean()
        organization, item = cleaned.get("organization"), cleaned.get("item")
        if organization and item and cleaned.get("after") is not None:
            try:
                services.check_change(organization, item, cleaned["after"])
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    for message in errors:
                        self.add_error(field, message)
        return cleaned


class RegistryChangeCreateView(CreateView):
    def save_instance(self):
        data = self.form.cleaned_data
        return services.record_change(
            data["organization"],
            data["item"],
            data["after"],
            changed_on=data["changed_on"],
            note=data.get("note", ""),
            user=self.request.user,
        )


class RegistryChangeFilterSet(WagtailFilterSet):
    item = django_filters.ChoiceFilter(label=gettext_lazy("变更事项"), choices=RegistryChange.Item.choices)
    district = django_filters.ChoiceFilter(
        label=gettext_lazy("所在区"), field_name="organization__district", choices=District.choices
    )
    org_type = django_filters.ChoiceFilter(
        label=gettext_lazy("组织类型"), field_name="organization__org_type", choices=OrgType.choices
    )
    org_status = django_filters.ChoiceFilter(
        label=gettext_lazy("登记状态"), field_name="organization__status", choices=OrgStatus.choices
    )

    class Meta:
        model = RegistryChange
        fields = ["item", "district", "org_type", "org_status"]


class RegistryChangeIndexView(SafeExportIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("organization")


class RegistryChangeViewSet(ModelViewSet):
    model = RegistryChange
    icon = "history"
    menu_label = gettext_lazy("变更登记")
    index_view_class = RegistryChangeIndexView
    add_view_class = RegistryChangeCreateView
    copy_view_enabled = False
    inspect_view_enabled = True
    list_display = ["organization", "item", "before", "after", "changed_on"]
    filterset_class = RegistryChangeFilterSet
    search_fields = ["organization__name", "organization__uscc"]
    list_export = [
        "organization.name",
        "organization.uscc",
        "get_item_display",
        "before",
        "after",
        "changed_on",
        "note",
        "recorded_at",
    ]
    export_headings = {
        "organization.name": gettext_lazy("社会组织"),
        "organization.uscc": gettext_lazy("统一社会信用代码"),
        "get_item_display": gettext_lazy("变更事项"),
        "before": gettext_lazy("变更前"),
        "after": gettext_lazy("变更后"),
        "changed_on": gettext_lazy("核准变更日期"),
        "note": gettext_lazy("备注"),
        "recorded_at": gettext_lazy("记录时间"),
    }
    export_filename = "registry-changes"

    def get_form_class(self, for_update=False):
        return RegistryChangeForm


class SupervisingUnitViewSet(ModelViewSet):
    model = SupervisingUnit
    edit_view_class = AuditedEditView  # logged field by field (core.admin_audit)
    icon = "site"
    menu_label = gettext_lazy("业务主管单位")
    form_fields = ["name"]
    copy_view_enabled = False
    search_fields = ["name"]
    index_view_class = SafeExportIndexView
    list_export = ["name"]
    export_headings = {"name": gettext_lazy("名称")}
    export_filename = "supervising-units"


class RegistryGroup(ModelViewSetGroup):
    menu_label = gettext_lazy("社会组织登记")
    menu_icon = "group"
    menu_order = 300
    items = (
        OrganizationViewSet("organizations", url_prefix="registry/organizations"),
        RegistryChangeViewSet("registry_changes", url_prefix="registry/changes"),
        SupervisingUnitViewSet("supervising_units", url_prefix="registry/supervising-units"),
    )


register_permission_policy(RegistryChange, RefusingPolicy(RegistryChange, APPEND_ONLY))


@hooks.register("register_admin_viewset")
def register_registry_viewsets():
    return RegistryGroup()


# --- Inviting an organisation's admin -------------------------------------------------


class InviteAdminForm(forms.Form):
    organization = forms.ModelChoiceField(
        label=gettext_lazy("社会组织"), queryset=Organization.objects.order_by("name")
    )
    mobile = MobileField(
        help_text=gettext_lazy(
            "对方用该手机号码注册或以短信验证码登录、证明号码属于本人后，即成为该机构的机构管理员。"
        )
    )


def invite_admin(request):
    if not request.user.has_perm("registry.add_invitation"):
        raise PermissionDenied
    initial = {}
    if request.GET.get("organization"):
        initial["organization"] = request.GET["organization"]
    form = InviteAdminForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invite(
                form.cleaned_data["organization"],
                form.cleaned_data["mobile"],
                MemberRole.ADMIN,
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
                        "邀请已登记：对方用该手机号码注册或以短信验证码登录、证明号码属于本人后，即成为机构管理员。"
                    ),
                )
            else:
                messages.success(request, _("该用户已成为机构管理员。"))
            return redirect("registry_admin_invite")
    pending = Invitation.objects.select_related("organization").order_by("-created_at")[:50]
    return TemplateResponse(
        request,
        "registry/admin_invite.html",
        {"form": form, "invitations": pending, "page_title": _("邀请机构管理员"), "header_icon": "user"},
    )


@hooks.register("register_admin_urls")
def register_invite_url():
    return [path("registry/invite-admin/", invite_admin, name="registry_admin_invite")]


class InviteMenuItem(MenuItem):
    def is_shown(self, request):
        return request.user.has_perm("registry.add_invitation")


@hooks.register("register_admin_menu_item")
def register_invite_menu_item():
    return InviteMenuItem(
        gettext_lazy("邀请机构管理员"), reverse("registry_admin_invite"), icon_name="user", order=301
    )


@hooks.register("register_log_actions")
def register_registry_actions(actions):
    actions.register_action("registry.change", gettext_lazy("变更登记"), gettext_lazy("登记事项已变更"))
    actions.register_action("registry.invite", gettext_lazy("邀请成员"), gettext_lazy("已邀请机构成员"))
    actions.register_action(
        "registry.member_joined", gettext_lazy("成员加入"), gettext_lazy("成员已加入机构")
    )
