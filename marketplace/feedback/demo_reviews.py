"""Demo reviews (R1): verified reviews of completed demo orders at three providers, with provider
replies, one held by the word filter in the bureau's queue and one rejected by moderation with
its reason. The demo family 王丽's own completed order is left unreviewed, so the review journey
can be tried. Idempotent: each demo order is found again by its deceased's (demo) ID digest, and
a reviewed order is never reviewed again."""

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.demo import DEMO_FUNERAL_OFFICER_MOBILE, ensure_user
from accounts.models import User
from core.demo import DEMO_MARK
from marketplace.catalogue.demo import (
    DEMO_CEMETERY_ADMIN_MOBILE,
    DEMO_PROVIDER_ADMIN_MOBILE,
    DEMO_SECOND_PROVIDER_ADMIN_MOBILE,
    FIRST_FUNERAL_HOME,
)
from marketplace.catalogue.models import Provider
from marketplace.orders import demo as orders_demo
from marketplace.orders import identity
from marketplace.orders.models import Order
from marketplace.orders.services.placing import submit_order
from marketplace.orders.services.signing import ensure_default_template

from .models import Review, ReviewStatus, SensitiveWord
from .services.reviews import moderate, post_reply, submit_review

WORDS = [("骗子", "人身攻击"), ("加微信", "站外引流广告"), ("垃圾", "辱骂")]

DONGJIAO = "demo-dongjiao-funeral-home"
XISHAN = "demo-xishan-cemetery"
ITEMS = {
    FIRST_FUNERAL_HOME: orders_demo.FUNERAL_ITEMS,
    DONGJIAO: orders_demo.FUNERAL_ITEMS,
    XISHAN: orders_demo.CEMETERY_ITEMS,
}
STAFF = {
    FIRST_FUNERAL_HOME: DEMO_PROVIDER_ADMIN_MOBILE,
    DONGJIAO: DEMO_SECOND_PROVIDER_ADMIN_MOBILE,
    XISHAN: DEMO_CEMETERY_ADMIN_MOBILE,
}

# family mobile, real name, deceased ID (first 17), provider, scores (overall, price, attitude,
# facilities), text, the provider's reply, the bureau's decision ("" = none; "reject: reason")
PLAN = [
    (
        "13900010001",
        "张伟",
        "11010119390101111",
        FIRST_FUNERAL_HOME,
        (5, 5, 5, 4),
        "收费和合同完全一致，工作人员全程耐心，告别厅干净整洁。",
        "感谢您的肯定，我们会继续做好每一次服务。",
        "",
    ),
    (
        "13900010002",
        "李娜",
        "11010219410202222",
        FIRST_FUNERAL_HOME,
        (4, 5, 4, 3),
        "价格公开透明，没有额外收费。停车位有些紧张。",
        "已增加临时停车引导，感谢建议。",
        "",
    ),
    (
        "13900010003",
        "刘洋",
        "11010519430303333",
        FIRST_FUNERAL_HOME,
        (5, 4, 5, 5),
        "接运及时，整容很用心，家人都很满意。",
        "",
        "",
    ),
    (
        "13900010004",
        "陈静",
        "11010619440404444",
        DONGJIAO,
        (3, 4, 2, 3),
        "价格与公示一致，但现场引导人员态度一般，等候时间较长。",
        "已对当班人员进行培训，并调整了引导流程，欢迎再提意见。",
        "",
    ),
    ("13900010005", "杨帆", "11010719450505555", DONGJIAO, (4, 4, 4, 4), "整体满意，服务流程清楚。", "", ""),
    (
        "13900010006",
        "赵磊",
        "11010819460606666",
        XISHAN,
        (5, 5, 5, 5),
        "墓位维护费按年限逐项列明，落葬仪式庄重。",
        "感谢信任。",
        "",
    ),
    (
        "13900010007",
        "周敏",
        "11010919470707777",
        XISHAN,
        (2, 3, 2, 2),
        "想了解更便宜的墓位请加微信联系我。",
        "",
        "reject: 内容为站外引流广告，与本次服务评价无关。",
    ),
    (
        "13900010008",
        "吴刚",
        "11011119480808888",
        DONGJIAO,
        (1, 2, 1, 2),
        "工作人员像骗子一样推销高价骨灰盒。",
        "",
        "held",
    ),
]


def _completed_order(family, slug, first17, real_name):
    number = orders_demo.demo_id(first17)
    existing = Order.objects.filter(user=family, deceased_id_hmac=identity.digest(number)).first()
    if existing is not None:
        return existing
    provider = Provider.objects.get(slug=slug)
    staff = User.objects.get(mobile=STAFF[slug])
    today = timezone.localdate()
    quote = orders_demo._quote(family, provider, ITEMS[slug], "ordinary", True)
    order = submit_order(
        family,
        quote,
        details={
            "deceased_name": f"{real_name[0]}某",
            "deceased_gender": "male",
            "deceased_age": 84,
            "date_of_death": today - datetime.timedelta(days=5),
            "deceased_id": number,
            "contact_name": real_name,
            "contact_relation": "子女",
            "requested_date": today,
            "requested_time": datetime.time(9, 30),
            "family_note": "",
        },
    )
    orders_demo._advance(order, staff, family, "completed", ensure_default_template(), {})
    return Order.objects.get(pk=order.pk)


def load(out):
    for word, note in WORDS:
        SensitiveWord.objects.get_or_create(word=word, defaults={"note": f"{note}{DEMO_MARK}"})
    officer = User.objects.get(mobile=DEMO_FUNERAL_OFFICER_MOBILE)
    made = 0
    for mobile, name, first17, slug, scores, text, reply, decision in PLAN:
        family = ensure_user(
            mobile, display_name=f"示例家属（{name}）", real_name=name, real_name_verified_at=timezone.now()
        )
        with transaction.atomic():
            order = _completed_order(family, slug, first17, name)
            if Review.objects.filter(order=order).exists():
                continue
            overall, price, attitude, facilities = scores
            review = submit_review(
                family,
                order,
                overall=overall,
                price_transparency=price,
                service_attitude=attitude,
                facilities=facilities,
                text=text,
            )
            if decision.startswith("reject: ") and review.status == ReviewStatus.HELD:
                moderate(
                    review, ReviewStatus.REJECTED, user=officer, reason=decision.removeprefix("reject: ")
                )
            if reply and review.status == ReviewStatus.PUBLISHED:
                post_reply(review, User.objects.get(mobile=STAFF[slug]), reply)
            made += 1
    out.write(f"  reviews: {made} demo reviews (one held for moderation, one rejected)")
