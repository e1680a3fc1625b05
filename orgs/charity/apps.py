from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _is_member(user, organization_id):
    from orgs.registry.services import memberships_for

    return any(m.organization_id == organization_id for m in memberships_for(user))


class CharityConfig(AppConfig):
    name = "orgs.charity"
    label = "charity"
    verbose_name = _("慈善公开")

    def ready(self):
        from accounts import groups
        from accounts.permissions import register_policy
        from accounts.workbench import register_panels
        from core.navigation import register_section
        from core.opendata import Dataset, register_dataset
        from orgs.registry.panels import membership_panels
        from orgs.registry.profile import register_section as register_profile_section

        from . import warnings
        from .models import CharityProject, Donation, Expenditure, ProgressReport
        from .profile import profile_context

        register_section("charity", _("慈善公开"), "charity:index", order=30)

        from core.navigation import register_account_link
        from payments.signals import payment_succeeded

        from .giving import on_payment_succeeded

        register_account_link("charity-gifts", _("我的捐赠"), "charity:my_gifts", order=20)
        payment_succeeded.connect(on_payment_succeeded, dispatch_uid="charity.payment_succeeded")
        from payments import payables
        from payments.signals import refund_succeeded

        from .giving import gift_refusal, on_refund_succeeded

        refund_succeeded.connect(on_refund_succeeded, dispatch_uid="charity.refund_succeeded")
        payables.register(CharityProject, gift_refusal)
        register_profile_section(
            "charity", _("慈善信息公开"), "charity/profile_section.html", profile_context, order=40
        )
        warnings.register()
        register_panels(
            membership_panels(
                "charity_workbench:home",
                title=_("%(org)s · 慈善项目"),
                description=_("创建慈善项目，公开捐赠、支出和项目进展"),
                kind=_("慈善"),
                only=lambda organization: organization.is_charity,
            )
        )
        register_policy(
            CharityProject,
            can_manage=lambda user, project: _is_member(user, project.organization_id),
            scope=lambda user, queryset: queryset.filter(organization__memberships__user=user).distinct(),
        )
        for model in (Donation, Expenditure, ProgressReport):
            register_policy(
                model,
                can_manage=lambda user, record: _is_member(user, record.project.organization_id),
                scope=lambda user, queryset: queryset.filter(
                    project__organization__memberships__user=user
                ).distinct(),
            )
        groups.grant(
            groups.SOCIAL_ORG_SECTION,
            "charity.view_charityproject",
            "charity.change_charityproject",
            "charity.view_donation",
            "charity.view_expenditure",
            "charity.view_progressreport",
            "charity.view_basicinfodisclosure",
        )
        for key, title, description, order in (
            (
                "projects",
                _("慈善项目"),
                _("慈善组织的募捐项目：备案号、目标、已募集和已支出金额、起止日期、状态。"),
                40,
            ),
            (
                "donations",
                _("慈善捐赠"),
                _("每一笔捐赠：项目、票据号、金额和日期；匿名捐赠人一律显示为匿名。"),
                41,
            ),
            ("expenditures", _("慈善项目支出"), _("每一笔项目支出：金额、用途、受益人数和日期。"), 42),
        ):
            register_dataset(
                Dataset(
                    key=f"charity-{key}",
                    title=title,
                    description=description,
                    formats={"csv": f"charity:{key}_csv", "json": f"charity:{key}_json"},
                    order=order,
                    api=f"api:charity-{key.removesuffix('s')}-list",
                    sections=("orgs",),
                )
            )
