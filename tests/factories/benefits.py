"""Builders for 惠民殡葬 schemes and applications (B1). Every date is relative to today."""

import datetime
from decimal import Decimal

from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.groups import FUNERAL_SECTION
from marketplace.benefits import services
from marketplace.benefits.models import BenefitScheme, FamilyStatus, SchemeKind
from marketplace.catalogue.models import ServiceCategory
from tests.factories.accounts import UserFactory
from tests.factories.orders import id_number
from tests.factories.orgs import PNG_BYTES, pdf_bytes, upload

SEA_DOCUMENTS = ["死亡证明", "海葬证明"]
WAIVER_DOCUMENTS = ["死亡证明", "低保证明"]


def today():
    return timezone.localdate()


def sea_subsidy(**overrides):
    """A cash subsidy for sea burial, for any Beijing district, within 180 days of the death."""
    fields = {
        "code": "sea-burial-subsidy",
        "name": "骨灰海撒补贴",
        "name_en": "Sea burial subsidy",
        "kind": SchemeKind.SUBSIDY,
        "summary": "选择骨灰海撒的，给予一次性补贴。",
        "legal_basis": "京民殡发〔2017〕103号",
        "burial_types": ["sea"],
        "amount": Decimal("4000.00"),
        "required_documents": list(SEA_DOCUMENTS),
        "claim_window_days": 180,
        "effective_from": today() - datetime.timedelta(days=400),
    }
    fields.update(overrides)
    return BenefitScheme.objects.create(**fields)


def basic_waiver(**overrides):
    """Basic funeral services free for families on subsistence allowance or in extreme poverty."""
    categories = overrides.pop("categories", ["basic"])
    fields = {
        "code": "basic-services-waiver",
        "name": "困难群众基本殡葬服务费用减免",
        "name_en": "Basic funeral services waiver for families in hardship",
        "kind": SchemeKind.WAIVER,
        "summary": "低保、特困家庭免除基本殡葬服务费用。",
        "legal_basis": "北京市惠民殡葬政策（示例）",
        "family_statuses": [FamilyStatus.SUBSISTENCE, FamilyStatus.EXTREME_POVERTY],
        "required_documents": list(WAIVER_DOCUMENTS),
        "effective_from": today() - datetime.timedelta(days=400),
    }
    fields.update(overrides)
    scheme = BenefitScheme.objects.create(**fields)
    scheme.waived_categories.set(ServiceCategory.objects.filter(code__in=categories))
    return scheme


def bureau_officer():
    user = UserFactory(is_staff=True, real_name="孙审核")
    user.groups.add(Group.objects.get(name=FUNERAL_SECTION))
    return user


def standalone(scheme, applicant=None, **overrides):
    """A draft for a death handled elsewhere, passing every criterion of ``sea_subsidy``."""
    fields = {
        "deceased_name": "李秀英",
        "deceased_id": id_number("11010519380101222"),
        "date_of_death": today() - datetime.timedelta(days=10),
        "hukou_district": "chaoyang",
        "burial_type": "sea",
        "family_status": FamilyStatus.NONE,
        "relation": "儿子",
        "payee_name": "李强",
        "payee_bank": "中国工商银行北京朝阳支行",
        "payee_account": "6222020200112233445",
    }
    fields.update(overrides)
    return services.start_application(scheme, applicant=applicant or UserFactory(real_name="李强"), **fields)


def from_order(scheme, scenario, **overrides):
    fields = {"hukou_district": "haidian", "family_status": FamilyStatus.SUBSISTENCE}
    fields.update(overrides)
    return services.start_application(scheme, applicant=scenario.family, order=scenario.order, **fields)


def upload_all(application, png=False):
    for item in application.scheme.required_documents:
        data = PNG_BYTES if png else pdf_bytes(item)
        services.upload_document(
            application, item, upload(f"{item}.{'png' if png else 'pdf'}", data), user=application.applicant
        )
    return application


def submitted(application, today=None):
    upload_all(application)
    return services.submit(application, user=application.applicant, today=today)
