"""Demo data of B1 (惠民殡葬): two benefit schemes and applications in every state, all made
through the real services (``marketplace.benefits.services``), so the numbers, the criteria
stored at submission, the working-day deadlines, the sealed decision letters, the payment
instruction and the waiver's change order are the ones a real application gets.

- **Schemes** (found again by code): 骨灰海撒补贴 (``sea-burial-subsidy``, a ¥4,000.00 cash
  subsidy for sea burial, any Beijing district, within 180 days of the death) and
  困难群众基本殡葬服务费用减免 (``basic-services-waiver``, the basic services, category
  ``basic`` and its children, waived for 城乡最低生活保障家庭 and 特困供养人员). Their
  summaries and legal bases are marked 示例.
- **Applications**, decided by the funeral section's demo officer (13900000004):
  - the demo family 王丽 (13900000002): the sea subsidy for her grandmother, whose funeral was
    handled elsewhere (standalone), **approved**, with its payment instruction (ZF…) and the
    sealed decision letter. None of her orders has an application: her sea-burial order
    (李秀英) is left for a fresh application in the browser;
  - 赵红梅 (13900000041): the **waiver**, from her order at 京西示例殡仪馆 (contract signed by
    both sides), **approved** the day it was made and carried onto the bill as the bureau's
    change order (``bureau_decision`` = the application number), waiting for her and the
    funeral home to sign it;
  - 钱志强 (13900000042): the sea subsidy **submitted**, its decision due within
    ``B1_WARNING_WORKING_DAYS`` working days, so the bureau's early warning is open;
  - 刘建军 (13900000043): the sea subsidy, **more documents** asked for (海撒确认书, with the
    reason);
  - 陈美玲 (13900000044): the sea subsidy **rejected**, with the reasons and its sealed letter;
  - 杨丽娟 (13900000045): the sea subsidy **withdrawn** after submission;
  - 黄国庆 (13900000046): a **draft** of the sea subsidy, one of three documents uploaded.

  Each family is a real-name, SMS-verified demo login (the demo password). Documents are small
  PDFs marked 示例. 王丽's mobile number is marked SMS-verified, as applying requires.

Dates are relative to ``today`` (working days from ``core.dates``). Idempotent: a scheme by its
code, an application by (scheme, applicant, deceased), the waiver's order by its deceased's
(demo) ID digest; a family's order and application are made in one transaction. Four documents
are sealed on the first load (the waiver order's contract and three decision letters), none after.
"""

import datetime
import io
from decimal import Decimal

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from accounts.demo import DEMO_FAMILY_MOBILE, DEMO_FUNERAL_OFFICER_MOBILE, ensure_user
from accounts.models import User
from core.dates import add_working_days, special_days, working_days_between
from core.demo import loading
from marketplace.catalogue.demo import DEMO_PROVIDER_ADMIN_MOBILE, FIRST_FUNERAL_HOME
from marketplace.catalogue.models import Provider, ServiceCategory
from marketplace.orders import demo as orders_demo
from marketplace.orders import identity
from marketplace.orders.models import Order, Signature
from marketplace.orders.services.placing import confirm_order, submit_order
from marketplace.orders.services.signing import ensure_default_template, issue_contract

from . import services
from .models import ApplicationStatus, BenefitApplication, BenefitScheme, FamilyStatus, SchemeKind

A = ApplicationStatus
ONE_DAY = datetime.timedelta(days=1)

SEA_SUBSIDY = "sea-burial-subsidy"
BASIC_WAIVER = "basic-services-waiver"
SEA_DOCUMENTS = ["死亡证明", "火化证明", "海撒确认书"]
WAIVER_DOCUMENTS = ["死亡证明", "户口簿", "低保证或特困供养证明"]


def _schemes(today):
    """The two schemes (code -> fields). In force since the first of January five years ago."""
    since = datetime.date(today.year - 5, 1, 1)
    return {
        SEA_SUBSIDY: {
            "name": "骨灰海撒补贴",
            "name_en": "Sea burial subsidy",
            "kind": SchemeKind.SUBSIDY,
            "summary": (
                "逝者骨灰采用海撒方式安葬的，给予家属一次性补贴 4,000 元，本市任一区户籍均可申请，"
                "须在逝者去世后 180 天内提出。（示例：金额、条件和期限以民政部门现行政策为准。）"
            ),
            "legal_basis": (
                "北京市惠民殡葬政策；《关于进一步推行节地生态安葬的实施意见》（京民殡发〔2017〕103号）"
                "（示例，具体标准以现行文件为准）"
            ),
            "districts": [],
            "burial_types": ["sea"],
            "family_statuses": [],
            "amount": Decimal("4000.00"),
            "required_documents": list(SEA_DOCUMENTS),
            "claim_window_days": 180,
            "effective_from": since,
            "sort_order": 10,
        },
        BASIC_WAIVER: {
            "name": "困难群众基本殡葬服务费用减免",
            "name_en": "Basic funeral services waiver for families in hardship",
            "kind": SchemeKind.WAIVER,
            "summary": (
                "城乡最低生活保障家庭成员、特困供养人员去世的，免除遗体接运、遗体存放（冷藏）、"
                "遗体火化、骨灰寄存和遗体告别等基本殡葬服务费用，从本平台订单的账单中直接扣减。"
                "（示例：范围和条件以民政部门现行政策为准。）"
            ),
            "legal_basis": "北京市惠民殡葬政策：困难群众基本殡葬服务费用减免（示例，具体依据以现行文件为准）",
            "districts": [],
            "burial_types": [],
            "family_statuses": [FamilyStatus.SUBSISTENCE, FamilyStatus.EXTREME_POVERTY],
            "amount": None,
            "required_documents": list(WAIVER_DOCUMENTS),
            "claim_window_days": None,
            "effective_from": since,
            "sort_order": 20,
        },
    }


# The sea subsidy's applications, standalone (deaths handled elsewhere). Each:
# key, applicant (mobile, real name; None = 王丽), deceased (name, ID first 17), relation,
# hukou district, days from the death to the submission, the target state, and its step days in
# working days before today: (submitted, decided or asked) — "due" places the submission so the
# decision falls due within the warning horizon.
STANDALONE = (
    {
        "key": "approved",
        "family": None,
        "deceased": ("王桂芝", "11010219340918022"),
        "relation": "孙女",
        "district": "xicheng",
        "death_before": 20,
        "state": A.APPROVED,
        "steps": (15, 8),
    },
    {
        "key": "submitted",
        "family": ("13900000042", "钱志强"),
        "deceased": ("钱淑珍", "11010519390224042"),
        "relation": "儿子",
        "district": "chaoyang",
        "death_before": 12,
        "state": A.SUBMITTED,
        "steps": ("due", None),
    },
    {
        "key": "more_documents",
        "family": ("13900000043", "刘建军"),
        "deceased": ("刘长顺", "11010619370611053"),
        "relation": "儿子",
        "district": "fengtai",
        "death_before": 15,
        "state": A.MORE_DOCUMENTS,
        "steps": (5, 2),
    },
    {
        "key": "rejected",
        "family": ("13900000044", "陈美玲"),
        "deceased": ("陈玉兰", "11010819410305064"),
        "relation": "女儿",
        "district": "haidian",
        "death_before": 30,
        "state": A.REJECTED,
        "steps": (25, 17),
    },
    {
        "key": "withdrawn",
        "family": ("13900000045", "杨丽娟"),
        "deceased": ("杨振华", "11010119360827075"),
        "relation": "女儿",
        "district": "dongcheng",
        "death_before": 10,
        "state": A.WITHDRAWN,
        "steps": (8, None),
    },
    {
        "key": "draft",
        "family": ("13900000046", "黄国庆"),
        "deceased": ("黄德厚", "11011119380412087"),
        "relation": "儿子",
        "district": "fangshan",
        "death_before": 6,
        "state": A.DRAFT,
        "steps": (1, None),
    },
)
MORE_DOCUMENTS = [
    {"item": "海撒确认书", "reason": "上传的海撒确认书缺少承办单位的盖章页，请上传盖章完整的确认书。"}
]
REJECTION = (
    "经向海撒承办单位核实，海撒确认书所载逝者姓名与死亡证明不一致，"
    "且该逝者骨灰已安葬于经营性公墓，不属于骨灰海撒，不符合骨灰海撒补贴的条件。"
)
WITHDRAWAL = "家属已在逝者户籍所在区民政局殡葬管理窗口申请，撤回网上申请。"

# The waiver: 赵红梅's order at 京西 for her father, a family on subsistence allowance.
WAIVER_FAMILY = ("13900000041", "赵红梅")
WAIVER_DECEASED = ("赵永福", "male", 81, "11010719440116097")


def _pdf(item, deceased):
    """A small, real PDF standing in for an uploaded document, marked 示例."""
    from reportlab.pdfgen import canvas

    from core.pdf import cjk_font_name

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, invariant=1)
    pdf.setFont(cjk_font_name(), 16)
    pdf.drawString(72, 760, f"{item}（示例）")
    pdf.setFont(cjk_font_name(), 11)
    pdf.drawString(72, 730, f"逝者：{deceased}")
    pdf.drawString(72, 710, "本文件为演示数据（示例），内容虚构，不是真实证明。")
    pdf.save()
    return buffer.getvalue()


def _upload(application, items):
    for item in items:
        data = _pdf(item, application.deceased_name)
        services.upload_document(
            application, item, SimpleUploadedFile(f"{item}.pdf", data), user=application.applicant
        )


class _Days:
    """Working days before ``today``, with the calendar read once."""

    def __init__(self, today):
        self.today = today
        # Far enough back for the oldest step and a submission a whole decision period ago.
        back = 2 * (settings.B1_DECISION_WORKING_DAYS + 25) + 30
        self.calendar = special_days(
            today - datetime.timedelta(days=back), today + datetime.timedelta(days=60)
        )

    def is_working(self, day):
        return working_days_between(day - ONE_DAY, day, self.calendar) == 1

    def before(self, n):
        """The working day ``n`` working days before today (today itself when n is 0)."""
        day = self.today
        while n > 0 or not self.is_working(day):
            day -= ONE_DAY
            if self.is_working(day):
                n -= 1
        return day

    def submitted_for_warning(self):
        """The latest working day a submission falls due within the warning horizon: the
        decision due one working day from today (today when the horizon is 0)."""
        target = add_working_days(self.today, min(1, settings.B1_WARNING_WORKING_DAYS), self.calendar)
        day = self.today
        while add_working_days(day, settings.B1_DECISION_WORKING_DAYS, self.calendar) > target:
            day -= ONE_DAY
        while not self.is_working(day):
            day -= ONE_DAY
        return day


def _ensure_schemes(today):
    made = 0
    schemes = {}
    for code, fields in _schemes(today).items():
        scheme, created = BenefitScheme.objects.get_or_create(code=code, defaults=fields)
        if created:
            made += 1
            if scheme.is_waiver:
                scheme.waived_categories.set(ServiceCategory.objects.filter(code="basic"))
        schemes[code] = scheme
    return schemes, made


def _family(mobile, name):
    now = timezone.now()
    return ensure_user(
        mobile,
        display_name=f"示例家属（{name}）",
        real_name=name,
        real_name_verified_at=now,
        mobile_verified_at=now,
    )


def _existing(scheme, applicant, digest):
    return BenefitApplication.objects.filter(
        scheme=scheme, applicant=applicant, deceased_id_hmac=digest
    ).first()


def _standalone(plan, scheme, officer, wang_li, days):
    """One standalone sea-subsidy application, brought to its planned state."""
    family = wang_li if plan["family"] is None else _family(*plan["family"])
    name, first17 = plan["deceased"]
    number = orders_demo.demo_id(first17)
    found = _existing(scheme, family, identity.digest(number))
    if found is not None:
        return found, False
    first, second = plan["steps"]
    submitted_on = days.submitted_for_warning() if first == "due" else days.before(first)
    state = plan["state"]
    with transaction.atomic():
        application = services.start_application(
            scheme,
            applicant=family,
            deceased_id=number,
            today=submitted_on,
            deceased_name=name,
            date_of_death=submitted_on - datetime.timedelta(days=plan["death_before"]),
            hukou_district=plan["district"],
            burial_type="sea",
            family_status=FamilyStatus.NONE,
            relation=plan["relation"],
            payee_name=family.real_name,
            payee_bank="中国工商银行北京分行营业部（示例）",
            payee_account=f"62220200{family.mobile}",
        )
        if state == A.DRAFT:
            _upload(application, SEA_DOCUMENTS[:1])
            return application, True
        _upload(application, SEA_DOCUMENTS)
        application = services.submit(application, user=family, today=submitted_on)
        if state == A.MORE_DOCUMENTS:
            application = services.request_documents(
                application, MORE_DOCUMENTS, user=officer, today=days.before(second)
            )
        elif state == A.APPROVED:
            application = services.approve(
                application,
                user=officer,
                today=days.before(second),
                reason="经审核，逝者骨灰已由承办单位组织海撒，材料齐全，符合骨灰海撒补贴的条件。",
            )
        elif state == A.REJECTED:
            application = services.reject(
                application, user=officer, reason=REJECTION, today=days.before(second)
            )
        elif state == A.WITHDRAWN:
            application = services.withdraw(application, user=family, reason=WITHDRAWAL)
    return application, True


def _waiver_order(family, today):
    """赵红梅's order at 京西, its contract signed by both sides (countersigned)."""
    name, gender, age, first17 = WAIVER_DECEASED
    number = orders_demo.demo_id(first17)
    order = Order.objects.filter(user=family, deceased_id_hmac=identity.digest(number)).first()
    if order is not None:
        return order
    provider = Provider.objects.get(slug=FIRST_FUNERAL_HOME)
    staff = User.objects.get(mobile=DEMO_PROVIDER_ADMIN_MOBILE)
    quote = orders_demo._quote(family, provider, orders_demo.FUNERAL_ITEMS, "ordinary", True)
    order = submit_order(
        family,
        quote,
        details={
            "deceased_name": name,
            "deceased_gender": gender,
            "deceased_age": age,
            "date_of_death": today - datetime.timedelta(days=3),
            "deceased_id": number,
            "contact_name": family.real_name,
            "contact_relation": "女儿",
            "requested_date": today + datetime.timedelta(days=2),
            "requested_time": datetime.time(10, 30),
            "family_note": "",
        },
    )
    confirm_order(
        order, staff, service_date=order.requested_date, service_time=order.requested_time, hall="三号告别厅"
    )
    issue_contract(order, staff, ensure_default_template())
    order.refresh_from_db()
    orders_demo._sign(order.contract, family, Signature.Role.FAMILY)
    orders_demo._sign(order.contract, staff, Signature.Role.PROVIDER)
    order.refresh_from_db()
    return order


def _waiver(scheme, officer, today):
    """The approved waiver, carried onto 赵红梅's bill by the bureau's change order."""
    family = _family(*WAIVER_FAMILY)
    number = orders_demo.demo_id(WAIVER_DECEASED[3])
    found = _existing(scheme, family, identity.digest(number))
    if found is not None:
        return found, False
    with transaction.atomic():
        order = _waiver_order(family, today)
        application = services.start_application(
            scheme,
            applicant=family,
            order=order,
            today=today,
            hukou_district="mentougou",
            family_status=FamilyStatus.SUBSISTENCE,
        )
        _upload(application, WAIVER_DOCUMENTS)
        application = services.submit(application, user=family, today=today)
        application = services.approve(
            application,
            user=officer,
            today=today,
            reason="经核实，申请人家庭为城乡最低生活保障家庭，材料齐全，免除订单中的基本殡葬服务费用。",
        )
    return application, True


def _warnings(today):
    from core.models import EarlyWarning

    from .warnings import DEADLINE

    return EarlyWarning.objects.refresh(today, kinds=[DEADLINE])


def load(out=None, *, today=None):
    """Load the B1 demo. ``load(stdout)`` from ``load_demo_data``; ``load(today=…)`` fixes the
    day. Returns the demo applications by key (``approved``, ``waiver``, ``submitted``,
    ``more_documents``, ``rejected``, ``withdrawn``, ``draft``)."""
    today = today or timezone.localdate()
    write = out.write if out is not None else (lambda text: None)
    with loading():  # no SMS while the demo loads, however it is called
        schemes, new_schemes = _ensure_schemes(today)
        officer = User.objects.get(mobile=DEMO_FUNERAL_OFFICER_MOBILE)
        wang_li = User.objects.get(mobile=DEMO_FAMILY_MOBILE)
        if not wang_li.is_mobile_verified:  # applying for a benefit needs an SMS-proven number
            wang_li.mobile_verified_at = timezone.now()
            wang_li.save(update_fields=["mobile_verified_at"])
        days = _Days(today)
        made = 0
        applications = {}
        for plan in STANDALONE:
            applications[plan["key"]], created = _standalone(
                plan, schemes[SEA_SUBSIDY], officer, wang_li, days
            )
            made += created
        applications["waiver"], created = _waiver(schemes[BASIC_WAIVER], officer, today)
        made += created
        warned = _warnings(today)
    states = ", ".join(
        f"{key} {application.number} ({application.get_status_display()})"
        for key, application in applications.items()
    )
    write(f"  惠民殡葬: {new_schemes} new schemes, {made} new applications; {states}; warnings {warned}")
    return applications
