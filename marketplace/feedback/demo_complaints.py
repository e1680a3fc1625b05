"""Demo complaints (R2), called by the app's ``demo.py``: one in every state of the workflow,
one past its acceptance deadline, one upheld with a refund of the disputed line (the demo order
was paid outside the gateway, so the refund is ordered offline) and one on the platform-wide
投诉举报 channel. Idempotent: a complaint is found again by its text. Everything goes through
the real services, with dates in the past, so the deadlines, the SMS texts and the audit log
are the real ones."""

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.demo import DEMO_FAMILY_MOBILE, DEMO_FUNERAL_OFFICER_MOBILE
from accounts.models import User
from marketplace.catalogue.demo import DEMO_PROVIDER_ADMIN_MOBILE, FIRST_FUNERAL_HOME
from marketplace.catalogue.models import Provider
from marketplace.orders.models import Order, OrderStatus

from .models.complaints import Complaint, ComplaintCategory, ComplaintDecision, PlatformSubject
from .services import complaints as service

TZ = timezone.get_default_timezone()
VISITOR_MOBILE = "13800000099"

# (text, provider slug or None, platform subject, category, days ago received, steps, with order)
PLAN = [
    (
        "【示例】电话咨询时工作人员态度生硬。",
        "demo-dongjiao-funeral-home",
        "",
        ComplaintCategory.ATTITUDE,
        0,
        [],
        False,
    ),
    (
        "【示例】接运车辆比约定时间晚到两小时。",
        "demo-nanyuan-funeral-home",
        "",
        ComplaintCategory.QUALITY,
        10,
        [],
        False,
    ),
    (
        "【示例】告别厅空调故障，未提前告知。",
        FIRST_FUNERAL_HOME,
        "",
        ComplaintCategory.QUALITY,
        3,
        ["accept"],
        False,
    ),
    (
        "【示例】希望延长寄存时间。",
        "demo-beishan-funeral-home",
        "",
        ComplaintCategory.OTHER,
        5,
        ["reject"],
        False,
    ),
    (
        "【示例】被要求购买指定花圈才能使用告别厅。",
        FIRST_FUNERAL_HOME,
        "",
        ComplaintCategory.BUNDLING,
        6,
        ["accept", "respond"],
        False,
    ),
    (
        "【示例】火化费高于公示价格。",
        FIRST_FUNERAL_HOME,
        "",
        ComplaintCategory.OVERCHARGE,
        25,
        ["accept", "respond", "decide_refund"],
        True,
    ),
    (
        "【示例】整容费未在价目表公示。",
        "demo-tongzhou-funeral-home",
        "",
        ComplaintCategory.UNDISCLOSED,
        30,
        ["accept", "respond", "decide_no", "reexamine"],
        False,
    ),
    (
        "【示例】骨灰寄存室卫生较差。",
        "demo-daxing-funeral-home",
        "",
        ComplaintCategory.QUALITY,
        40,
        ["accept", "respond", "decide_yes", "close"],
        False,
    ),
    (
        "【示例】某基金会慈善项目支出未按期公开。",
        None,
        PlatformSubject.CHARITY,
        ComplaintCategory.OTHER,
        4,
        ["accept"],
        False,
    ),
]


def _at(day):
    return datetime.datetime.combine(day, datetime.time(10), tzinfo=TZ)


def _run(complaint, steps, received_on, staff, officer, family):
    day = received_on
    for step in steps:
        complaint.refresh_from_db()
        if step == "accept":
            complaint = service.accept(complaint, officer, today=day)
        elif step == "reject":
            complaint = service.reject(
                complaint, officer, "诉求不属于投诉受理范围，已告知咨询渠道。", today=day
            )
        elif step == "respond":
            day = day + datetime.timedelta(days=2)
            complaint = service.respond(complaint, staff, "已核实情况并向家属说明，正在整改。", now=_at(day))
        elif step.startswith("decide"):
            day = day + datetime.timedelta(days=5)
            if step == "decide_refund" and complaint.order is not None:
                line = max(service.disputable_lines(complaint.order), key=lambda candidate: candidate.amount)
                amount = min(line.amount, service.refund_ceiling(complaint))
                complaint = service.decide(
                    complaint,
                    officer,
                    ComplaintDecision.UPHELD,
                    "经核实，该项目收费超过公示价格。",
                    refund=amount,
                    today=day,
                )
            elif step == "decide_no":
                complaint = service.decide(
                    complaint, officer, ComplaintDecision.NOT_UPHELD, "机构价目表已公示该项目。", today=day
                )
            else:
                complaint = service.decide(
                    complaint,
                    officer,
                    ComplaintDecision.PARTLY_UPHELD,
                    "卫生问题属实，已责令整改。",
                    today=day,
                )
        elif step == "reexamine":
            complaint = service.request_reexamination(
                complaint, family or officer, "公示位置不醒目，申请复核。", today=day
            )
        elif step == "close":
            complaint = service.rate_and_close(complaint, family or officer, 4, today=day)
    return complaint


def load(out):
    today = timezone.localdate()
    family = User.objects.get(mobile=DEMO_FAMILY_MOBILE)
    officer = User.objects.get(mobile=DEMO_FUNERAL_OFFICER_MOBILE)
    staff = User.objects.get(mobile=DEMO_PROVIDER_ADMIN_MOBILE)
    made = 0
    for text, slug, subject, category, days_ago, steps, with_order in PLAN:
        if Complaint.objects.filter(text=text).exists():
            continue
        provider = Provider.objects.get(slug=slug) if slug else None
        order = None
        if with_order:
            order = (
                Order.objects.filter(user=family, provider=provider, status=OrderStatus.COMPLETED)
                .order_by("pk")
                .first()
            )
        received_on = today - datetime.timedelta(days=days_ago)
        signed_in = with_order or "close" in steps or "reexamine" in steps
        with transaction.atomic():
            complaint = Complaint.objects.create(
                channel="provider" if provider else "platform",
                provider=provider,
                platform_subject=subject,
                order=order,
                category=category,
                text=text,
                user=family if signed_in else None,
                contact_name=family.real_name if signed_in else "赵先生",
                mobile=family.mobile if signed_in else VISITOR_MOBILE,
                received_at=_at(received_on),
                received_on=received_on,
                accept_due=service.accept_due(received_on),
            )
            if order is not None:
                complaint.disputed_lines.set(
                    [max(service.disputable_lines(order), key=lambda candidate: candidate.amount)]
                )
        _run(complaint, steps, received_on, staff, officer, family if signed_in else None)
        made += 1
    out.write(f"  complaints: {made} demo complaints (every state, one overdue, one upheld with a refund)")
