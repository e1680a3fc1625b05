"""Builders for registration applications (S9)."""

from decimal import Decimal

from orgs.licensing import registration
from orgs.licensing.models import ApplicationKind
from orgs.registry.models import District, MemberRole, Membership, OrgType, ServiceField
from tests.factories.accounts import UserFactory


def verified_person(**overrides):
    """A real-name account with a proven mobile number (who may apply)."""
    from django.utils import timezone

    fields = {"real_name": "李明", "real_name_verified_at": timezone.now()}
    fields.update(overrides)
    return UserFactory(**fields)


def establishment(applicant=None, **overrides):
    """A draft establishment of a social service organisation that passes every pre-check."""
    fields = {
        "org_type": OrgType.SOCIAL_SERVICE,
        "proposed_name": "北京市朝阳区暖阳社区服务中心",
        "domicile": "北京市朝阳区和平街10号",
        "district": District.CHAOYANG,
        "legal_representative": "李明",
        "business_scope": "为社区老年人提供助餐、助洁和陪伴服务",
        "service_field": ServiceField.ELDERLY,
        "registered_capital": Decimal("50000.00"),
        "legal_representative_mobile": "13812340001",
        "founders": [{"name": "李明", "mobile": "13812340001"}, {"name": "王芳", "mobile": "13812340002"}],
    }
    fields.update(overrides)
    return registration.start_application(
        ApplicationKind.ESTABLISH, applicant=applicant or verified_person(), **fields
    )


def org_admin(organization):
    user = verified_person()
    Membership.objects.create(user=user, organization=organization, role=MemberRole.ADMIN)
    return user


def change(organization, applicant=None, **items):
    applicant = applicant or org_admin(organization)
    return registration.start_application(
        ApplicationKind.CHANGE,
        applicant=applicant,
        organization=organization,
        change_items=items,
        reason="理事会决议变更",
    )


def deregistration(organization, applicant=None, **fields):
    applicant = applicant or org_admin(organization)
    return registration.start_application(
        ApplicationKind.DEREGISTER, applicant=applicant, organization=organization, **fields
    )


MATERIALS = {
    "reg_establish_social_group": ("成立登记申请书", "章程草案", "会员名单"),
    "reg_establish_social_service": ("成立登记申请书", "章程草案", "住所使用证明"),
    "reg_establish_foundation": ("设立申请书", "章程草案", "验资证明"),
    "reg_change": ("变更登记申请表", "理事会决议"),
    "reg_deregister": ("注销登记申请书", "清算报告"),
}


def publish_checklists():
    """The five registration guides, each naming its online application (their materials are
    the applications' checklists)."""
    from cms.models import GuidePage
    from tests.factories.cms import make_guide, make_home_page

    home = make_home_page()
    for key, names in MATERIALS.items():
        if GuidePage.objects.filter(online_service=key).exists():
            continue
        make_guide(
            home,
            title=f"测试指南 {key}",
            slug=key.replace("_", "-"),
            topic="social_org",
            service_name=f"测试指南 {key}",
            online_service=key,
            materials=[
                (
                    "material",
                    {"name": name, "form": "electronic", "copies": 1, "signature": "seal", "notes": ""},
                )
                for name in names
            ],
        )


def upload_all(application):
    from orgs.licensing.prechecks import missing_materials
    from tests.factories.orgs import pdf_bytes, upload

    for item in missing_materials(application):
        registration.upload_material(
            application, item, upload(f"{item}.pdf", pdf_bytes(item)), user=application.applicant
        )
    return application


def consent_all(application):
    """Every person the application names consents, each with the code sent to their number."""
    from accounts import sms
    from orgs.licensing import consents

    consents.invite(application, user=application.applicant)
    for consent in application.consents.filter(current=True, signed_at__isnull=True):
        consents.send_consent_code(consent, ip="203.0.113.9")
        code = next(m for m in reversed(sms.outbox) if m.mobile == consent.mobile).text.split("验证码 ")[1][
            :6
        ]
        consents.sign(consent, full_name=consent.name, agree=True, code=code)
    return application


def ready(application):
    """Materials uploaded and every consent given: ready to submit."""
    return consent_all(upload_all(application))
