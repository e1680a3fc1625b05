"""Demo data: every demo organisation holds its electronic licence, and the first one (the
demo organisation admin's, 13920000001) has a second version after a change of domicile, so
its first licence verifies as superseded (已被替换) and names the current one.

And one registration application at each interesting step (S9):

* an approved establishment (13900000032 钱思远): a new social service organisation with its
  licence and its basic-information credit record;
* a change in review (13920000001, its association's business scope);
* an establishment returned for a missing material (13900000033 孙悦, a foundation);
* a deregistration waiting for the formal check (13920000004, its social workers' association).
"""

import datetime
import secrets
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.demo import DEMO_ORG_OFFICER_MOBILE, ensure_user
from core.dates import add_working_days
from orgs.registry.demo import (
    DEMO_ORG_ADMIN_MOBILE,
    DEMO_SOCIAL_WORK_ADMIN_MOBILE,
    ORGANISATIONS,
    demo_name,
)
from orgs.registry.models import District, Organization, OrgType, RegistryChange, ServiceField
from orgs.registry.services import record_change
from orgs.reports.demo import demo_pdf

from . import registration
from .consents import consenters, facts_digest
from .models import ApplicationKind, Consent, RegistrationApplication
from .prechecks import missing_materials
from .services import issue_missing

NEW_DOMICILE = "北京市朝阳区安苑路 20 号院 3 号楼（示例·变更后）"


def load(stdout):
    organization = Organization.objects.get(name=demo_name(ORGANISATIONS[0][0]))
    moved = RegistryChange.objects.filter(
        organization=organization, item=RegistryChange.Item.DOMICILE, after=NEW_DOMICILE
    ).exists()
    if moved and organization.domicile != NEW_DOMICILE:
        # The registry's demo loader writes its own defaults again on every run; keep the
        # domicile this change registered, which the current licence prints.
        Organization.objects.filter(pk=organization.pk).update(domicile=NEW_DOMICILE)
    issued = issue_missing()
    if not moved:
        record_change(
            organization,
            RegistryChange.Item.DOMICILE,
            NEW_DOMICILE,
            changed_on=timezone.localdate() - datetime.timedelta(days=20),
            user=None,
            note="示例：住所变更后，电子证照自动换发新版本。",
        )
        issued += 1
    stdout.write(f"  {issued} electronic licence(s) issued; {organization.name} holds two versions")
    made = _applications(timezone.localdate())
    stdout.write(f"  {made} registration application(s) at each step of the review (S9)")


APPROVED_NAME = demo_name("北京市海淀区晚晴社区服务中心")
RETURNED_NAME = demo_name("北京市晨曦公益基金会")


def _person(mobile, name):
    user = ensure_user(mobile, display_name=f"示例申请人（{name}）")
    if not user.is_real_name_verified or not user.is_mobile_verified:
        user.real_name = user.real_name or name
        user.real_name_verified_at = user.real_name_verified_at or timezone.now()
        user.mobile_verified_at = user.mobile_verified_at or timezone.now()
        user.save(update_fields=["real_name", "real_name_verified_at", "mobile_verified_at"])
    return user


def _consented(application):
    """Demo data: every person named has consented (in real use each enters their own SMS code
    on their link; the demo records the outcome)."""
    now = timezone.now()
    for person in consenters(application):
        Consent.objects.create(
            application=application,
            role=person.role,
            name=person.name,
            mobile=person.mobile,
            token=secrets.token_urlsafe(32),
            facts_sha256=facts_digest(application),
            invited_at=now,
            signed_at=now,
        )
    return application


def _with_materials(application):
    for item in missing_materials(application):
        upload = SimpleUploadedFile(
            f"{item}.pdf", demo_pdf(f"{item}（示例）"), content_type="application/pdf"
        )
        registration.upload_material(application, item, upload, user=application.applicant)
    return _consented(application)


def _applications(today):
    if RegistrationApplication.objects.exists():
        return 0
    bureau = ensure_user(DEMO_ORG_OFFICER_MOBILE)
    day = datetime.timedelta(days=1)

    # An approved establishment, decided ten days ago.
    submitted_on = today - 30 * day
    accepted_on = add_working_days(submitted_on, 2)
    approved = registration.start_application(
        ApplicationKind.ESTABLISH,
        applicant=_person("13900000032", "钱思远"),
        today=submitted_on,
        org_type=OrgType.SOCIAL_SERVICE,
        proposed_name=APPROVED_NAME,
        domicile="北京市海淀区学院路 30 号（示例）",
        district=District.HAIDIAN,
        legal_representative="钱思远",
        legal_representative_mobile="13900000032",
        business_scope="为社区老年人提供助餐、探访和健康讲座服务（示例）",
        service_field=ServiceField.ELDERLY,
        registered_capital=Decimal("80000.00"),
        founders=[
            {"name": "钱思远", "mobile": "13900000032"},
            {"name": "吴敏", "mobile": "13900000034"},
            {"name": "郑凯", "mobile": "13900000035"},
        ],
    )
    _with_materials(approved)
    registration.submit(approved, user=approved.applicant, today=submitted_on)
    registration.accept(approved, user=bureau, today=accepted_on)
    registration.approve(approved, user=bureau, today=today - 10 * day, reason="材料齐全，符合登记条件。")

    # A change of business scope in review.
    association = Organization.objects.get(name=demo_name(ORGANISATIONS[0][0]))
    admin = _person(DEMO_ORG_ADMIN_MOBILE, "刘洋")
    change = registration.start_application(
        ApplicationKind.CHANGE,
        applicant=admin,
        organization=association,
        today=today - 6 * day,
        change_items={
            RegistryChange.Item.BUSINESS_SCOPE: association.business_scope + "；养老服务人才培训（示例）"
        },
        reason="2026 年会员代表大会决议增加养老服务人才培训业务（示例）",
    )
    _with_materials(change)
    registration.submit(change, user=admin, today=today - 6 * day)
    registration.accept(change, user=bureau, today=add_working_days(today - 6 * day, 1))

    # A foundation's establishment returned once for a missing material.
    foundation = registration.start_application(
        ApplicationKind.ESTABLISH,
        applicant=_person("13900000033", "孙悦"),
        today=today - 5 * day,
        org_type=OrgType.FOUNDATION,
        proposed_name=RETURNED_NAME,
        domicile="北京市东城区东四十条 8 号（示例）",
        district=District.DONGCHENG,
        legal_representative="孙悦",
        legal_representative_mobile="13900000033",
        business_scope="资助困境儿童的教育和康复（示例）",
        service_field=ServiceField.values[0],
        registered_capital=Decimal("2000000.00"),
        founders=[{"name": "孙悦", "mobile": "13900000033"}, {"name": "冯磊", "mobile": "13900000036"}],
    )
    _with_materials(foundation)
    registration.submit(foundation, user=foundation.applicant, today=today - 5 * day)
    registration.return_for_completion(
        foundation, ["验资证明（须为银行出具的原始基金到账证明）"], user=bureau, today=today - 3 * day
    )

    # A deregistration after liquidation, waiting for the formal check.
    workers = Organization.objects.get(name=demo_name("北京市东城区社会工作者协会"))
    closing = registration.start_application(
        ApplicationKind.DEREGISTER,
        applicant=_person(DEMO_SOCIAL_WORK_ADMIN_MOBILE, "陈静"),
        organization=workers,
        today=today - day,
        liquidation_completed_on=today - 20 * day,
        reason="会员大会决议解散，清算已完成（示例）",
    )
    _with_materials(closing)
    registration.submit(closing, user=closing.applicant, today=today - day)
    return 4
