"""Builders for the funeral catalogue: providers, items with prices, guide prices, members."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from marketplace.catalogue import services
from marketplace.catalogue.models import (
    GuidePrice,
    PackageComponent,
    PackageMapping,
    PriceBasis,
    Provider,
    ProviderMembership,
    ServiceCategory,
    ServiceItem,
    StandardPackage,
)
from marketplace.catalogue.seed import seed, seed_rule_ceilings
from tests.factories.accounts import UserFactory


def categories():
    """The seeded category tree (re-seeded if a transactional test flushed it)."""
    if not ServiceCategory.objects.exists() or not StandardPackage.objects.filter(code="basic").exists():
        seed(ServiceCategory, StandardPackage, PackageComponent)
        seed_rule_ceilings(ServiceCategory, GuidePrice)
    return {category.code: category for category in ServiceCategory.objects.all()}


def category(code):
    return categories()[code]


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider
        django_get_or_create = ("slug",)

    type = "funeral_home"
    name = factory.Sequence(lambda n: f"测试殡仪馆{n}")
    slug = factory.Sequence(lambda n: f"test-provider-{n}")
    district = "chaoyang"
    address = "朝阳区测试路1号"
    phone = "010-60000000"
    licence_number = factory.Sequence(lambda n: f"京民殡许测-{n:04d}")
    licence_expires = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=365))
    supervising_authority = "北京市民政局"
    complaint_hotline = "12345"
    ownership_disclosure = "区民政局举办，无其他关联。"
    deposit_terms = "不收定金。"
    payment_schedule = "服务结束后结清。"
    cancellation_terms = "开始前可免费取消。"
    refund_terms = "未用项目全额退款。"
    is_published = True
    is_verified = True


def make_item(
    provider,
    code="urn",
    *,
    name=None,
    price="100.00",
    basis=PriceBasis.MARKET,
    unit="个",
    effective_from=None,
    user=None,
    **fields,
):
    """An item with one price version in effect (announced in the past when back-dated)."""
    item = ServiceItem.objects.create(
        provider=provider,
        category=category(code),
        name=name or f"{code}-{ServiceItem.objects.count() + 1}",
        unit=unit,
        basis=basis,
        **fields,
    )
    if price is not None:
        day = effective_from or timezone.localdate() - datetime.timedelta(days=30)
        services.publish_price(
            item,
            price=Decimal(price),
            effective_from=day,
            reason="首次公示",
            user=user,
            announced_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0))),
        )
    return item


def make_guide_price(code, basis, ceiling, *, document="京发改〔2024〕测试1号", effective_from=None):
    return GuidePrice.objects.create(
        category=category(code),
        basis=basis,
        ceiling=Decimal(ceiling),
        effective_from=effective_from or datetime.date(2020, 1, 1),
        document_reference=document,
    )


def make_member(provider, role=ProviderMembership.Role.ADMIN, user=None):
    user = user or UserFactory()
    ProviderMembership.objects.create(user=user, provider=provider, role=role)
    return user


PACKAGE_PRICES = {
    "collection": "200.00",
    "storage": "60.00",
    "cosmetic": "100.00",
    "farewell": "150.00",
    "cremation": "150.00",
    "ashes-storage": "60.00",
}


def make_priced_funeral_home(factor=Decimal("1"), **fields):
    """A funeral home that prices the standard package (F6) and a couple of goods."""
    provider = ProviderFactory(**fields)
    categories()
    package = StandardPackage.objects.get(code="basic")
    for component in PackageComponent.objects.filter(package=package).select_related("category"):
        code = component.category.code
        item = make_item(
            provider,
            code,
            name=f"{component.category.name}（{provider.name}）",
            price=(Decimal(PACKAGE_PRICES[code]) * factor).quantize(Decimal("0.01")),
            basis=PriceBasis.GOVERNMENT_GUIDE,
            unit="次",
        )
        PackageMapping.objects.create(provider=provider, component=component, item=item)
    make_item(provider, "urn", name="骨灰盒", price=(Decimal("600") * factor).quantize(Decimal("0.01")))
    return provider
