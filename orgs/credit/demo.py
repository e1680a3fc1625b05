"""Demo credit data (all fictional): records of every category, two organisations on the
abnormal list (one for an overdue report, listed by confirming the rules' proposal; one
unreachable), one on the serious list, ratings (current, expiring soon and expired), an open
and an upheld objection, and the pending proposals the daily rules make. Idempotent."""

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.demo import DEMO_ORG_OFFICER_MOBILE, ensure_user
from core.dates import add_months, add_years
from orgs.registry.demo import DEMO_ORG_ADMIN_MOBILE, ORGANISATIONS, demo_name
from orgs.registry.models import Organization
from orgs.reports.demo import demo_pdf, season

from .models import (
    Category,
    CreditRecord,
    EntryStatus,
    ListEntry,
    ListReason,
    ListType,
    Objection,
    Proposal,
    ProposalStatus,
    Rating,
    Rule,
)
from .services.listing import list_organization
from .services.objections import file_objection, uphold_objection
from .services.ratings import expiry_for, grade_for, rate
from .services.records import record_credit
from .services.rules import confirm_proposal, run_daily, run_rules

DAY = datetime.timedelta(days=1)


def _org(index):
    return Organization.objects.get(name=demo_name(ORGANISATIONS[index - 1][0]))


def _at(day, days_after=2):
    return timezone.make_aware(datetime.datetime.combine(day + days_after * DAY, datetime.time(10, 0)))


def _record(
    organization,
    number,
    *,
    category,
    decided_on,
    summary,
    authority,
    user,
    fine=None,
    days_after=2,
    corrects=None,
    correction_reason="",
):
    existing = CreditRecord.objects.filter(
        organization=organization, document_number=number, corrects__isnull=True
    ).first()
    if existing:
        return existing
    return record_credit(
        organization,
        category=category,
        decided_on=decided_on,
        summary=summary,
        authority=authority,
        document_number=number,
        fine_amount=fine,
        user=user,
        now=_at(decided_on, days_after),
        corrects=corrects,
        correction_reason=correction_reason,
    )


def _listing(organization, number, **kwargs):
    existing = ListEntry.objects.filter(organization=organization, document_number=number).first()
    return existing or list_organization(organization, document_number=number, **kwargs)


def _historical_rating(organization, number, *, score, rated_on, user, body):
    """Ratings made before the platform: imported as they were decided (no eligibility re-check)."""
    existing = Rating.objects.filter(organization=organization, document_number=number).first()
    if existing:
        return existing
    return Rating.objects.create(
        organization=organization,
        score=Decimal(score),
        grade=grade_for(score),
        evaluating_body=body,
        rated_on=rated_on,
        expires_on=expiry_for(rated_on),
        document_number=number,
        recorded_by=user,
    )


def load(out):
    # Every date is relative to the day the demo is loaded (document numbers carry the
    # year of their date), so the demo reads the same whenever it is loaded.
    today = timezone.localdate()
    reviewed_year = season(today) - 1  # the report year of the annual-report record below
    basic_day = add_months(today, -21)
    inspection_day = today - 228 * DAY
    conclusion_day = datetime.date(reviewed_year + 1, 7, 15)
    special_check_day = add_months(today, -15)
    rating_day = today - 205 * DAY
    contract_day = today - 379 * DAY
    expired_rating_day = add_years(today, -6) - 94 * DAY
    bureau = ensure_user(DEMO_ORG_OFFICER_MOBILE)
    org_admin = ensure_user(DEMO_ORG_ADMIN_MOBILE)
    city = "北京市民政局"

    # Records of every category (S4); one of them recorded late.
    chaoyang = _org(1)
    _record(
        chaoyang,
        f"朝民社登〔{basic_day.year}〕18号",
        category=Category.BASIC,
        decided_on=basic_day,
        summary="核准法定代表人变更登记（示例）。",
        authority="北京市朝阳区民政局",
        user=bureau,
    )
    inspection = _record(
        chaoyang,
        f"朝民社检〔{inspection_day.year}〕7号",
        category=Category.INSPECTION,
        decided_on=inspection_day,
        summary=f"{inspection_day.year}年度“双随机”抽查：未按章程规定召开理事会，责令整改（示例）。",
        authority="北京市朝阳区民政局",
        user=bureau,
    )
    haidian = _org(2)
    wrong = _record(
        haidian,
        f"海民社年〔{conclusion_day.year}〕33号",
        category=Category.ANNUAL_REPORT,
        decided_on=conclusion_day,
        summary=f"{reviewed_year}年度检查结论：不合格（示例）。",
        authority="北京市海淀区民政局",
        user=bureau,
    )
    _record(
        _org(5),
        f"东民社检〔{special_check_day.year}〕12号",
        category=Category.INSPECTION,
        decided_on=special_check_day,
        summary="专项检查：财务管理制度不健全，已限期整改（示例）。",
        authority="北京市东城区民政局",
        user=bureau,
        days_after=16,
    )
    xicheng = _org(4)
    warning_day = add_months(today, -7)
    _record(
        xicheng,
        "西民罚〔示例〕1号",
        category=Category.PENALTY,
        decided_on=warning_day - 3 * DAY,
        summary="未按规定办理变更登记，给予警告（示例）。",
        authority="北京市西城区民政局",
        user=bureau,
    )
    pinggu = _org(20)
    fine_day = today - 110 * DAY
    _record(
        pinggu,
        "平民罚〔示例〕2号",
        category=Category.PENALTY,
        decided_on=fine_day,
        summary="超出章程规定的宗旨和业务范围开展活动，罚款8万元（示例）。",
        authority="北京市平谷区民政局",
        user=bureau,
        fine=Decimal("80000.00"),
    )
    jinglao = _org(23)
    _record(
        jinglao,
        f"京民社评〔{rating_day.year}〕5号",
        category=Category.OTHER,
        decided_on=rating_day,
        summary="评估等级为5A级（示例）。",
        authority=city,
        user=bureau,
    )
    _record(
        _org(24),
        f"京民购〔{contract_day.year}〕41号",
        category=Category.OTHER,
        decided_on=contract_day,
        summary="承接政府购买服务项目“困境儿童关爱”（示例）。",
        authority=city,
        user=bureau,
    )

    # An upheld objection: the original record stays, corrected by a new record (S8).
    if not Objection.objects.filter(record=wrong).exists():
        objection = file_objection(
            wrong,
            user=_member(haidian, "13920000011"),
            grounds=f"{reviewed_year}年度检查结论应为“基本合格”，见审核意见书（示例）。",
            evidence=SimpleUploadedFile(
                "审核意见书.pdf", demo_pdf(f"{reviewed_year}年度检查审核意见书（示例）")
            ),
        )
        uphold_objection(
            objection,
            user=bureau,
            reason="经复核，原记录结论录入错误（示例）。",
            summary=f"{reviewed_year}年度检查结论：基本合格（示例）。",
        )
    # An open objection by the demo organisation admin.
    if not Objection.objects.filter(record=inspection).exists():
        file_objection(
            inspection,
            user=org_admin,
            grounds=f"本会已于{add_months(inspection_day, -1):%Y年%-m月}召开理事会，会议纪要见附件，请予更正（示例）。",
            evidence=SimpleUploadedFile("理事会会议纪要.pdf", demo_pdf("理事会会议纪要（示例）")),
        )

    # Lists (S5, S6).
    _listing(
        _org(8),
        "京民社异〔示例〕1号",
        list_type=ListType.ABNORMAL,
        reason=ListReason.UNREACHABLE,
        listed_on=today - 40 * DAY,
        user=bureau,
        authority="北京市通州区民政局",
        note="按登记住所两次实地核查无法联系（示例）。",
    )
    _listing(
        xicheng,
        "京民社异〔示例〕2号",
        list_type=ListType.ABNORMAL,
        reason=ListReason.WARNING_OR_SMALL_FINE,
        listed_on=warning_day,
        user=bureau,
        authority="北京市西城区民政局",
    )
    _listing(
        _org(10),
        "京民社异〔示例〕3号",
        list_type=ListType.ABNORMAL,
        reason=ListReason.RECTIFICATION_OVERDUE,
        listed_on=add_years(today, -2) - 15 * DAY,
        user=bureau,
        authority="北京市石景山区民政局",
    )
    _listing(
        pinggu,
        "京民社失〔示例〕1号",
        list_type=ListType.SERIOUS,
        reason=ListReason.LARGE_FINE_OR_REPEAT,
        listed_on=fine_day + 5 * DAY,
        user=bureau,
        authority="北京市平谷区民政局",
    )

    # Ratings (S7): current, expiring within 90 days, expired.
    _historical_rating(
        jinglao,
        f"京民社评〔{rating_day.year}〕5号",
        score="962",
        rated_on=rating_day,
        user=bureau,
        body="北京市社会组织评估委员会（示例）",
    )
    _historical_rating(
        _org(24),
        "京民社评〔示例〕6号",
        score="905",
        rated_on=add_years(today, -5) + 60 * DAY,
        user=bureau,
        body="北京市社会组织评估委员会（示例）",
    )
    _historical_rating(
        _org(25),
        f"京民社评〔{expired_rating_day.year}〕9号",
        score="780",
        rated_on=expired_rating_day,
        user=bureau,
        body="北京市社会组织评估委员会（示例）",
    )
    if not Rating.objects.filter(organization=_org(31)).exists():
        rate(
            _org(31),
            score=Decimal("872.5"),
            evaluating_body="北京市社会组织评估委员会（示例）",
            rated_on=today - 30 * DAY,
            document_number="京民社评〔示例〕7号",
            user=bureau,
        )

    # The daily rules, then the bureau confirms the overdue-report proposal for the demo
    # admin's organisation; the other proposals stay pending.
    run_rules(today)
    if not ListEntry.objects.filter(
        organization=chaoyang, status=EntryStatus.LISTED, reason=ListReason.REPORT_NOT_FILED
    ).exists():
        proposal = (
            Proposal.objects.filter(
                organization=chaoyang, rule=Rule.S5_LIST_OVERDUE_REPORT, status=ProposalStatus.PENDING
            )
            .order_by("-report_year")
            .first()
        )
        if proposal is not None:
            confirm_proposal(
                proposal,
                user=bureau,
                reason="逾期未报送年度工作报告，经核实无正当理由（示例）。",
                decided_on=today,
                document_number="朝民社异〔示例〕9号",
            )
    # Only the credit warnings: later apps' demo data (e.g. charity disclosures) isn't loaded
    # yet, and each app's demo refreshes its own kinds.
    from core.warnings import registered_sources

    credit_kinds = [kind for kind in registered_sources() if kind.startswith("credit.")]
    rules, warnings = run_daily(today, warning_kinds=credit_kinds)
    out.write(
        f"  credit: {CreditRecord.objects.count()} records, {ListEntry.objects.filter(status='listed').count()} "
        f"current listings, {Proposal.objects.filter(status='pending').count()} pending proposals, "
        f"{Rating.objects.count()} ratings, {Objection.objects.count()} objections; warnings {warnings}"
    )


def _member(organization, mobile):
    from orgs.registry.models import MemberRole, Membership

    user = ensure_user(mobile, display_name="示例填报员")
    Membership.objects.get_or_create(
        user=user, organization=organization, defaults={"role": MemberRole.FILER}
    )
    return user
