"""The bureau's 惠民殡葬 schemes (B1) in the Wagtail admin: the criteria as checkboxes, the
documents one per line, the amount or the waived services, the legal basis and the effective
dates. Every edit is logged field by field, choices in their labels. A scheme is never deleted
(its permission policy refuses it): applications were judged against it, and one that ends is
given an end date (失效日期) instead.

Editing a scheme never changes an application already submitted: each keeps the criteria it
was submitted under (``BenefitApplication.criteria``)."""

from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from wagtail.actions.edit import EditAction
from wagtail.admin.panels import FieldPanel, FieldRowPanel, HelpPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.log_actions import log

from core.admin_audit import EMPTY, AuditedEditAction, AuditedEditView, form_changes
from core.admin_queues import SafeExportIndexView
from core.money import format_money

from .admin_forms import SchemeForm
from .models import BenefitScheme

LIST_FIELDS = ("districts", "burial_types", "family_statuses")


def _labels(form, name, values):
    choices = {str(value): str(label) for value, label in form.fields[name].choices}
    return "、".join(choices.get(str(value), str(value)) for value in values or ()) or EMPTY


def scheme_changes(form):
    """``core.admin_audit.form_changes``, with the criteria lists in their labels ("朝阳区、海淀区",
    not "chaoyang、haidian") and the documents as a list."""
    changes = form_changes(form)
    for change in changes:
        name = change["field"]
        if name in LIST_FIELDS:
            change["old"] = _labels(form, name, form.initial.get(name))
            change["new"] = _labels(form, name, form.cleaned_data.get(name))
        elif name == "required_documents":
            old = form.initial.get(name) or ""
            old = old.splitlines() if isinstance(old, str) else old
            change["old"] = "、".join(item for item in old if item.strip()) or EMPTY
            change["new"] = "、".join(form.cleaned_data.get(name) or ()) or EMPTY
    return [c for c in changes if c["old"] != c["new"]]


class SchemeEditAction(AuditedEditAction):
    @transaction.atomic
    def _edit(self, skip_permission_checks=False):
        instance = EditAction._edit(self, skip_permission_checks=skip_permission_checks)
        changes = scheme_changes(self.form) if self.form is not None else []
        if self.audit_action:
            log(
                instance=instance,
                action=self.audit_action,
                user=self.user,
                revision=self.revision,
                content_changed=self.content_changed,
                data={"changes": changes} if changes else None,
            )
        return instance


class SchemeEditView(AuditedEditView):
    action_class = SchemeEditAction


class SchemeIndexView(SafeExportIndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().annotate(application_count=models.Count("applications"))


def _amount(scheme):
    return f"¥{format_money(scheme.amount)}" if scheme.amount is not None else "—"


class SchemeViewSet(ModelViewSet):
    model = BenefitScheme
    icon = "doc-full"
    menu_label = _("惠民殡葬政策")
    index_view_class = SchemeIndexView
    edit_view_class = SchemeEditView
    create_template_name = "benefits/admin/scheme_create.html"
    edit_template_name = "benefits/admin/scheme_edit.html"
    copy_view_enabled = False
    search_fields = ["name", "code", "legal_basis"]
    list_filter = ["kind"]
    ordering = ["sort_order", "code"]
    list_display = [
        TitleColumn("name", label=_("名称"), url_name="benefit_schemes:edit"),
        Column("code", label=_("代码")),
        Column("kind", label=_("类型"), accessor="get_kind_display"),
        Column("amount", label=_("补贴金额"), accessor=_amount),
        Column("effective_from", label=_("生效日期")),
        Column("effective_until", label=_("失效日期"), accessor=lambda s: s.effective_until or "—"),
        Column("application_count", label=_("申请数"), sort_key="application_count"),
    ]
    list_export = [
        "code",
        "name",
        "get_kind_display",
        "legal_basis",
        "amount",
        "claim_window_days",
        "effective_from",
        "effective_until",
        "application_count",
    ]
    export_headings = {
        "code": _("代码"),
        "name": _("名称"),
        "get_kind_display": _("类型"),
        "legal_basis": _("政策依据"),
        "amount": _("补贴金额（元）"),
        "claim_window_days": _("申请期限（死亡后天数）"),
        "effective_from": _("生效日期"),
        "effective_until": _("失效日期"),
        "application_count": _("申请数"),
    }
    export_filename = "benefit-schemes"
    edit_handler = ObjectList(
        [
            HelpPanel(
                content=_(
                    "已提交的申请按提交时的条件审核，修改政策不影响它们。政策不能删除：停止执行时请填写失效日期。"
                ),
                classname="help-block help-info",
            ),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("name"), FieldPanel("code")]),
                    FieldPanel("name_en"),
                    FieldPanel("kind"),
                    FieldPanel("summary"),
                    FieldPanel("legal_basis"),
                ],
                heading=_("政策"),
            ),
            MultiFieldPanel(
                [
                    FieldPanel("districts"),
                    FieldPanel("burial_types"),
                    FieldPanel("family_statuses"),
                    FieldPanel("claim_window_days"),
                ],
                heading=_("适用条件"),
            ),
            MultiFieldPanel(
                [FieldPanel("amount"), FieldPanel("waived_categories")],
                heading=_("补贴金额或免除的服务"),
            ),
            MultiFieldPanel([FieldPanel("required_documents")], heading=_("所需材料")),
            MultiFieldPanel(
                [
                    FieldRowPanel([FieldPanel("effective_from"), FieldPanel("effective_until")]),
                    FieldPanel("sort_order"),
                ],
                heading=_("有效期与排序"),
            ),
        ],
        base_form_class=SchemeForm,
    )


__all__ = ["SchemeViewSet"]
