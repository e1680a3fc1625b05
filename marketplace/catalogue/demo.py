"""Demo funeral providers, items, guide prices and two years of price history.

Every provider is fictional and marked 示例. Idempotent: providers and items are
updated in place by natural key (slug; provider + name), and an item's price
history is only written when it has none, so running the loader twice changes nothing.
"""

import datetime
import zlib
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.demo import ensure_user
from core.demo import DEMO_MARK
from core.money import round_money

from .models import (
    GuidePrice,
    PackageComponent,
    PackageMapping,
    PriceBasis,
    PriceChangeReason,
    PriceVersion,
    Provider,
    ProviderMembership,
    ProviderVerification,
    ServiceCategory,
    ServiceItem,
    StandardPackage,
)
from .seed import seed, seed_first_ceiling, seed_rule_ceilings
from .services.ceilings import record_ceiling
from .services.current import bump_stats_generation, with_current_price
from .services.posting import publish_price

FIRST_FUNERAL_HOME = "demo-jingxi-funeral-home"
DEMO_PROVIDER_ADMIN_MOBILE = "13910000001"
DEMO_PROVIDER_EDITOR_MOBILE = "13910000002"
DEMO_SECOND_PROVIDER_ADMIN_MOBILE = "13910000003"
DEMO_CEMETERY_ADMIN_MOBILE = "13910000004"

GUIDE_DOCUMENT = "京发改〔2024〕示例12号"
UPCOMING_CEILING_DOCUMENT = "京发改〔2026〕示例30号"
# category, basis, ceiling
GUIDE_PRICES = [
    ("collection", PriceBasis.GOVERNMENT_SET, "240.00"),
    ("storage", PriceBasis.GOVERNMENT_SET, "80.00"),
    ("cremation", PriceBasis.GOVERNMENT_SET, "180.00"),
    ("ashes-storage", PriceBasis.GOVERNMENT_SET, "80.00"),
    ("cosmetic", PriceBasis.GOVERNMENT_GUIDE, "150.00"),
    ("farewell", PriceBasis.GOVERNMENT_GUIDE, "200.00"),
]

# slug, name, type, district, factor, address
PROVIDERS = [
    (FIRST_FUNERAL_HOME, "京西示例殡仪馆", "funeral_home", "shijingshan", "1.00", "石景山区示例路1号"),
    (
        "demo-dongjiao-funeral-home",
        "东郊示例殡仪馆",
        "funeral_home",
        "chaoyang",
        "0.95",
        "朝阳区示例东路18号",
    ),
    ("demo-nanyuan-funeral-home", "南苑示例殡仪馆", "funeral_home", "fengtai", "0.90", "丰台区示例南路6号"),
    ("demo-beishan-funeral-home", "北山示例殡仪馆", "funeral_home", "changping", "1.10", "昌平区示例北街9号"),
    (
        "demo-tongzhou-funeral-home",
        "通州示例殡仪馆",
        "funeral_home",
        "tongzhou",
        "0.85",
        "通州区示例大街22号",
    ),
    ("demo-daxing-funeral-home", "大兴示例殡仪馆", "funeral_home", "daxing", "1.05", "大兴区示例路3号"),
    ("demo-xishan-cemetery", "西山示例公墓", "cemetery", "mentougou", "1.00", "门头沟区示例山路1号"),
    ("demo-yanshan-cemetery", "燕山示例公墓", "cemetery", "fangshan", "0.80", "房山区示例镇示例村"),
    ("demo-chaobai-columbarium", "潮白河示例骨灰堂", "columbarium", "shunyi", "1.00", "顺义区示例路66号"),
    ("demo-huairou-columbarium", "怀柔示例骨灰堂", "columbarium", "huairou", "0.90", "怀柔区示例街5号"),
    (
        "demo-haidian-service",
        "海淀示例殡葬服务中心",
        "service_agency",
        "haidian",
        "1.15",
        "海淀区示例路101号",
    ),
    (
        "demo-dongcheng-service",
        "东城示例殡葬礼仪服务部",
        "service_agency",
        "dongcheng",
        "1.00",
        "东城区示例胡同8号",
    ),
]

# category, name, unit, basis, base price, description
FUNERAL_HOME_ITEMS = [
    (
        "collection",
        "殡仪车接运（60公里以内）",
        "次",
        "gov_set",
        "200",
        "含司机、抬运人员；超出60公里另按公里计费",
    ),
    ("collection", "超出里程加收", "公里", "gov_set", "5", ""),
    ("storage", "遗体冷藏", "天", "gov_set", "60", ""),
    ("cremation", "普通火化炉火化", "具", "gov_set", "150", ""),
    ("cremation", "拣灰炉火化", "具", "market", "900", ""),
    ("ashes-storage", "骨灰寄存（1年）", "年", "gov_set", "60", ""),
    ("farewell", "普通告别室（30分钟）", "次", "gov_guide", "150", ""),
    ("cosmetic", "普通整容", "次", "gov_guide", "100", ""),
    ("embalming", "遗体防腐", "次", "market", "300", ""),
    ("hall", "大告别厅（1小时）", "次", "market", "800", ""),
    ("hall", "守灵厅（24小时）", "天", "market", "600", ""),
    ("ceremony", "告别仪式主持", "次", "market", "500", ""),
    ("urn", "实木骨灰盒（普通）", "个", "market", "600", ""),
    ("urn", "环保可降解骨灰盒", "个", "market", "400", "适用于海葬、树葬"),
    ("clothes", "寿衣（全套）", "套", "market", "500", ""),
    ("wreath", "花圈", "个", "market", "100", ""),
]
CEMETERY_ITEMS = [
    ("plot-use", "立式墓位（A区，双穴）", "座", "market", "38000", "含土地、建筑材料与安葬服务"),
    ("plot-use", "卧式墓位（B区，单穴）", "座", "market", "22000", "含土地、建筑材料与安葬服务"),
    ("maintenance", "墓位维护管理费", "年", "market", "120", "按使用年限一次缴清"),
    ("engraving", "墓碑刻字", "次", "market", "600", ""),
    ("burial-service", "落葬仪式", "次", "market", "800", ""),
    ("tree-burial", "树葬位", "个", "market", "6000", "节地生态安葬"),
    (
        "proxy-sweeping",
        "基础代为祭扫（擦拭墓碑、敬献鲜花）",
        "次",
        "gov_set",
        "0",
        "家属不能到场时由墓园代为祭扫，按规定免费",
    ),
    (
        "proxy-sweeping-extended",
        "代为祭扫·花篮与视频连线",
        "次",
        "market",
        "300",
        "代献花篮，并与家属视频连线",
    ),
]
COLUMBARIUM_ITEMS = [
    ("ashes-storage", "骨灰格位寄存（1年）", "年", "gov_set", "60", ""),
    ("ashes-storage", "骨灰格位寄存（带玻璃门，1年）", "年", "market", "300", ""),
    ("urn", "实木骨灰盒（普通）", "个", "market", "600", ""),
    (
        "proxy-sweeping",
        "基础代为祭扫（擦拭格位、敬献鲜花）",
        "次",
        "gov_set",
        "0",
        "家属不能到场时代为祭扫，按规定免费",
    ),
    ("proxy-sweeping-extended", "祭扫代办", "次", "market", "300", "代献花篮与祭品"),
]
AGENCY_ITEMS = [
    ("ceremony", "告别仪式策划与主持", "次", "market", "800", ""),
    ("clothes", "寿衣（全套）", "套", "market", "500", ""),
    ("wreath", "花圈", "个", "market", "100", ""),
    ("urn", "实木骨灰盒（普通）", "个", "market", "600", ""),
    ("sea-burial", "骨灰海撒代办", "次", "market", "900", "含往返交通与仪式"),
]
ITEMS_BY_TYPE = {
    "funeral_home": FUNERAL_HOME_ITEMS,
    "cemetery": CEMETERY_ITEMS,
    "columbarium": COLUMBARIUM_ITEMS,
    "service_agency": AGENCY_ITEMS,
}

# The flagship's extras: the flagged anomaly and the upcoming change.
ANOMALY_ITEM = ("urn", "汉白玉雕花骨灰盒（精品）", "个", "market", "6800", "手工雕刻")
UPCOMING_ITEM_NAME = "大告别厅（1小时）"


def _money(value):
    return round_money(Decimal(value))


def _ensure_reference_data():
    if not StandardPackage.objects.filter(code="basic").exists() or not ServiceCategory.objects.exists():
        seed(ServiceCategory, StandardPackage, PackageComponent)
    seed_rule_ceilings(ServiceCategory, GuidePrice)
    categories = {c.code: c for c in ServiceCategory.objects.all()}
    # The first version of each demo ceiling, once: a ceiling is never rewritten (seed.py).
    for code, basis, ceiling in GUIDE_PRICES:
        seed_first_ceiling(
            GuidePrice, categories[code], basis, Decimal(ceiling), datetime.date(2024, 1, 1), GUIDE_DOCUMENT
        )
    return categories


def _upcoming_ceiling(category, officer, today):
    """F2, issue 23 point 6: an upcoming lower ceiling for cosmetic preparation, recorded once as
    a new version (never an edit), so the officer's report of the affected providers and their
    early warnings have something to show (京西 and 北山 post more than ¥100.00)."""
    if GuidePrice.objects.filter(category=category, document_reference=UPCOMING_CEILING_DOCUMENT).exists():
        return
    record_ceiling(
        category,
        PriceBasis.GOVERNMENT_GUIDE,
        ceiling=Decimal("100.00"),
        effective_from=today + datetime.timedelta(days=30),
        reason="2026年殡葬服务成本监审后下调整容服务最高限价（示例）",
        document_reference=UPCOMING_CEILING_DOCUMENT,
        user=officer,
    )


def _provider_fields(name, kind, district, address):
    return {
        "name": f"{name}{DEMO_MARK}",
        "type": kind,
        "district": district,
        "address": address,
        "phone": "010-6000" + str(zlib.crc32(name.encode()) % 10000).zfill(4),
        "opening_hours": "24小时接运；业务办理 8:00–17:00" if kind == "funeral_home" else "8:00–17:00",
        "service_area": "北京市全市",
        "licence_number": f"京民殡许（示例）{district[:3].upper()}-{zlib.crc32(name.encode()) % 1000:03d}",
        "licence_expires": timezone.localdate() + datetime.timedelta(days=900),
        "supervising_authority": "北京市民政局（示例）",
        "complaint_hotline": "12345",
        "procedure": "1. 电话或网上预约；2. 确认服务项目并签订合同；3. 按约提供服务；4. 结算并出具明细票据。",
        "ownership_disclosure": "本机构为示例机构，由示例区民政局举办，无其他关联关系。",
        "referral_disclosure": "无任何转介安排，不向医院、养老机构支付转介费。",
        "deposit_terms": "不收取定金。",
        "payment_schedule": "服务完成后按实际选择的项目一次结清，可网上支付。",
        "cancellation_terms": "请在“我的订单”中申请取消，或致电本机构；不收取手续费，退款比例按合同所载的平台统一标准执行。",
        "refund_terms": "应退款项在7个工作日内原路退回。",
        "description": "示例数据：用于演示价格公示、比价与价格历史，不代表真实机构。",
        "is_published": True,
        "is_verified": True,
    }


def _history_plan(item_index, base, basis, start, factor):
    """Two years of history: an opening price, a change about a year ago for market and
    guide prices, and for some market items a second change six months ago."""
    opening = _money(base * factor)
    plan = [(start, opening, PriceChangeReason.INITIAL, "")]
    if basis != PriceBasis.GOVERNMENT_SET:
        plan.append(
            (
                start + datetime.timedelta(days=365),
                _money(opening * Decimal("1.05")),
                PriceChangeReason.COSTS,
                "",
            )
        )
    if basis == PriceBasis.MARKET and item_index % 3 == 0:
        plan.append(
            (
                start + datetime.timedelta(days=550),
                _money(opening * Decimal("1.02")),
                PriceChangeReason.SERVICE_CONTENT,
                "优化服务流程，下调部分价格",
            )
        )
    return plan


def load(out):
    categories = _ensure_reference_data()
    today = timezone.localdate()
    start = today - datetime.timedelta(days=730)
    officer = ensure_user("13900000004", display_name="示例殡葬管理科科员")
    providers = {}
    with transaction.atomic():
        for slug, name, kind, district, factor, address in PROVIDERS:
            provider, _created = Provider.objects.update_or_create(
                slug=slug, defaults=_provider_fields(name, kind, district, address)
            )
            if provider.verified_at is None:
                Provider.objects.filter(pk=provider.pk).update(
                    verified_at=timezone.now(), verified_by=officer
                )
            # The verification's history: one record with its reason and evidence (once).
            if not provider.verifications.exists():
                ProviderVerification.objects.create(
                    provider=provider,
                    verified=True,
                    reason="核对经营许可证与现场检查记录，信息属实（示例）",
                    evidence_reference=f"京民殡核（示例）{provider.licence_number[-7:]}",
                    recorded_by=officer,
                    recorded_by_name="示例殡葬管理科科员",
                )
            providers[slug] = (provider, Decimal(factor))

    admin = ensure_user(DEMO_PROVIDER_ADMIN_MOBILE, display_name="示例京西殡仪馆管理员")
    editor = ensure_user(DEMO_PROVIDER_EDITOR_MOBILE, display_name="示例京西殡仪馆价格编辑")
    second = ensure_user(DEMO_SECOND_PROVIDER_ADMIN_MOBILE, display_name="示例东郊殡仪馆管理员")
    cemetery = ensure_user(DEMO_CEMETERY_ADMIN_MOBILE, display_name="示例西山公墓管理员")
    for user, slug, role in (
        (admin, FIRST_FUNERAL_HOME, ProviderMembership.Role.ADMIN),
        (editor, FIRST_FUNERAL_HOME, ProviderMembership.Role.EDITOR),
        (second, "demo-dongjiao-funeral-home", ProviderMembership.Role.ADMIN),
        (cemetery, "demo-xishan-cemetery", ProviderMembership.Role.ADMIN),
    ):
        ProviderMembership.objects.update_or_create(
            user=user, provider=providers[slug][0], defaults={"role": role}
        )

    # Items first, then history in date order across providers, so each chain is chronological.
    planned = []
    for provider, factor in providers.values():
        for index, (code, item_name, unit, basis, base, description) in enumerate(
            ITEMS_BY_TYPE[provider.type]
        ):
            item, _created = ServiceItem.objects.update_or_create(
                provider=provider,
                name=item_name,
                defaults={
                    "category": categories[code],
                    "unit": unit,
                    "basis": basis,
                    "description": description,
                    "sort_order": index,
                },
            )
            if PriceVersion.objects.filter(item=item).exists():
                continue
            # Government-set prices are the same everywhere; others vary by provider.
            item_factor = Decimal("1") if basis == PriceBasis.GOVERNMENT_SET else factor
            for day, price, code, reason in _history_plan(index, Decimal(base), basis, start, item_factor):
                planned.append((day, item, price, code, reason))
        if provider.type == "cemetery":
            maintenance = ServiceItem.objects.get(provider=provider, name="墓位维护管理费")
            ServiceItem.objects.filter(provider=provider, category=categories["plot-use"]).update(
                maintenance_item=maintenance
            )
    planned.sort(key=lambda row: (row[0], row[1].provider_id, row[1].sort_order))
    with transaction.atomic():
        for day, item, price, code, reason in planned:
            # Announced with the notice F10 asks (none by default) before the day it took effect.
            notice = datetime.timedelta(days=settings.F10_MIN_NOTICE_DAYS)
            announced = timezone.make_aware(datetime.datetime.combine(day - notice, datetime.time(9, 0)))
            publish_price(
                item,
                price=price,
                effective_from=day,
                reason_code=code,
                reason=reason,
                user=admin,
                announced_at=announced,
            )

    flagship = providers[FIRST_FUNERAL_HOME][0]
    # The upcoming change (F10): announced today, effective in 30 days.
    upcoming_item = ServiceItem.objects.get(provider=flagship, name=UPCOMING_ITEM_NAME)
    if not PriceVersion.objects.filter(item=upcoming_item, effective_from__gt=today).exists():
        current = with_current_price(ServiceItem.objects.filter(pk=upcoming_item.pk)).get().current_price
        publish_price(
            upcoming_item,
            price=_money(current * Decimal("1.10")),
            effective_from=today + datetime.timedelta(days=30),
            reason_code=PriceChangeReason.SERVICE_CONTENT,
            reason="告别厅装修升级，增加音响与电子屏",
            user=admin,
        )
    # The flagged anomaly (F2): far above the city median of urns, still published.
    code, item_name, unit, basis, base, description = ANOMALY_ITEM
    anomaly, _created = ServiceItem.objects.update_or_create(
        provider=flagship,
        name=item_name,
        defaults={"category": categories[code], "unit": unit, "basis": basis, "description": description},
    )
    if not PriceVersion.objects.filter(item=anomaly).exists():
        publish_price(
            anomaly,
            price=Decimal(base),
            effective_from=today - datetime.timedelta(days=20),
            reason_code=PriceChangeReason.INITIAL,
            reason="新增精品骨灰盒",
            user=admin,
            announced_at=timezone.now() - datetime.timedelta(days=20),
        )

    # F6: every funeral home maps the standard package to its items.
    package = StandardPackage.objects.get(code="basic")
    package_items = {
        "collection": "殡仪车接运（60公里以内）",
        "storage": "遗体冷藏",
        "cosmetic": "普通整容",
        "farewell": "普通告别室（30分钟）",
        "cremation": "普通火化炉火化",
        "ashes-storage": "骨灰寄存（1年）",
    }
    for provider, _factor in providers.values():
        if provider.type != "funeral_home":
            continue
        for component in package.components.select_related("category"):
            item = ServiceItem.objects.get(provider=provider, name=package_items[component.category.code])
            PackageMapping.objects.update_or_create(
                provider=provider, component=component, defaults={"item": item}
            )
    bump_stats_generation()
    _upcoming_ceiling(categories["cosmetic"], officer, today)
    # F10 anchoring: the day's signed chain heads, as the daily job would publish them.
    from .anchoring import publish_chain_heads

    publish_chain_heads()
    out.write(
        f"  funeral catalogue: {len(providers)} demo providers; provider logins "
        f"{DEMO_PROVIDER_ADMIN_MOBILE} (京西 admin), {DEMO_PROVIDER_EDITOR_MOBILE} (京西 editor), "
        f"{DEMO_SECOND_PROVIDER_ADMIN_MOBILE} (东郊 admin), {DEMO_CEMETERY_ADMIN_MOBILE} (西山公墓 admin)"
    )
