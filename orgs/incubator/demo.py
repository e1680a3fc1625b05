"""Demo incubator (all fictional): two programmes open today — the bureau's city cohort and a
district incubation base run by a registered organisation under contract — and last year's
closed cohort, whose organisations are incubating, have graduated (出壳) or exited.

Applications in every state are made through the real services (``submit``, ``decide``,
``withdraw``), dated with their ``now=``, so each carries the eligibility checked when it was
filed. 北京市东城区社会工作者协会（示例） (login 13920000004) is not eligible for the open
programmes only because its latest annual report still waits for the bureau's review (待审核):
accepting that report makes it eligible. Every date is relative to the day the demo is loaded;
a second run creates nothing."""

import datetime
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.demo import DEMO_ORG_OFFICER_MOBILE, ensure_user
from accounts.groups import SOCIAL_ORG_SECTION
from core.dates import add_months
from orgs.credit.services import latest_due_report_year
from orgs.registry.demo import (
    DEMO_FOUNDATION_ADMIN_MOBILE,
    DEMO_ORG_ADMIN_MOBILE,
    DEMO_SOCIAL_WORK_ADMIN_MOBILE,
    ORGANISATIONS,
    demo_name,
)
from orgs.registry.models import District, Organization, OrgType, ServiceField
from orgs.reports.models import AnnualReport

from .models import (
    Application,
    ApplicationState,
    Award,
    FoundingGroup,
    Milestone,
    MilestoneEvidence,
    Need,
    Offer,
    OfferApplication,
    OfferKind,
    Programme,
    ProgrammeKind,
    RubricItem,
)
from .services.applications import create_founding_group, decide, submit, submit_founding, withdraw
from .services.milestones import review_evidence
from .services.offers import apply_to_offer, award, decline, post_need
from .services.panel import rubric, submit_review

S = ApplicationState
DAY = datetime.timedelta(days=1)
SF = ServiceField

CITY = "社区公益组织孵化培育计划（第二期·示例）"
BASE = "东城区社会组织孵化基地入驻计划（示例）"
PAST = "社区公益组织孵化培育计划（第一期·示例）"
FOUNDING = "社区社会组织筹备期培育计划（示例）"
# A founding group (筹备中) and its applicant (a real-name account; password as every demo login).
DEMO_FOUNDER_MOBILE = "13900000031"
FOUNDING_GROUP = "北京市西城区邻里守望互助中心（示例）"
BASE_OPERATOR = "北京市社会组织发展促进会"
# The organisation whose pending annual report keeps it out of the open programmes.
PENDING_REPORT_ORG = "北京市东城区社会工作者协会"
# Two outside experts on the panels, besides the section's officer (password as every demo login).
DEMO_REVIEWER_MOBILES = ("13900000007", "13900000008")
# Every demo programme's rubric: (title, guidance, weight, top score).
RUBRIC = [
    ("服务需求与服务对象", "服务对象是否明确，需求是否有调研依据。", 30, 10),
    ("项目方案可行性", "目标、活动和进度是否清楚可行，预算是否合理。", 30, 10),
    ("团队与内部治理", "专职人员、理事会运作和财务制度。", 25, 10),
    ("资源整合与可持续性", "社区和志愿者资源，孵化期后的资金来源。", 15, 10),
]


def programmes(today):
    """(title, fields) of the demo programmes, dated relative to ``today``."""
    past_opens = add_months(today, -16)
    return [
        (
            FOUNDING,
            {
                "kind": ProgrammeKind.SCHEME,
                "summary": "面向尚未登记的社区社会组织发起人团队（筹备中）：提供筹备辅导、章程和"
                "财务制度指导，协助办理成立登记；登记成立是入孵后的第一个里程碑。（示例）",
                "mentoring_hours": 16,
                "training_hours": 24,
                "capacity": 6,
                "opens_on": today - 30 * DAY,
                "closes_on": today + 60 * DAY,
                "incubation_months": 6,
                "panel_min_reviewers": 2,
                "accepts_founding_groups": True,
                "service_fields": [SF.COMMUNITY, SF.ELDERLY, SF.CHILDREN],
            },
        ),
        (
            CITY,
            {
                "kind": ProgrammeKind.COHORT,
                "summary": "市民政局面向养老、助残、儿童和社区服务领域的社会组织开展孵化培育："
                "提供办公场地、导师辅导、能力建设培训和种子资金，孵化期一年。（示例）",
                "office_space_sqm": Decimal("20.0"),
                "mentoring_hours": 40,
                "training_hours": 60,
                "seed_funding": Decimal("50000.00"),
                "capacity": 3,
                "opens_on": today - 20 * DAY,
                "closes_on": today + 40 * DAY,
                "incubation_months": 12,
                "panel_min_reviewers": 2,
                "admission_min_score": Decimal("60.00"),
                "service_fields": [SF.ELDERLY, SF.DISABILITY, SF.CHILDREN, SF.COMMUNITY],
                "min_months_registered": 12,
                "accepted_report_years": 1,
            },
        ),
        (
            BASE,
            {
                "kind": ProgrammeKind.COHORT,
                "district": District.DONGCHENG,
                "contract_year": (today - 40 * DAY).year,
                "summary": "东城区社会组织孵化基地受市民政局委托，为东城、西城两区的社会组织提供"
                "入驻工位、财务和项目管理辅导，并对接政府购买服务项目。（示例）",
                "office_space_sqm": Decimal("30.0"),
                "mentoring_hours": 24,
                "training_hours": 40,
                "capacity": 4,
                "opens_on": today - 10 * DAY,
                "closes_on": today + 50 * DAY,
                "incubation_months": 12,
                "panel_min_reviewers": 2,
                "districts": [District.DONGCHENG, District.XICHENG],
                "accepted_report_years": 1,
            },
        ),
        (
            PAST,
            {
                "kind": ProgrammeKind.COHORT,
                "summary": "市民政局上一期社会组织孵化培育计划，已结束申请；入孵组织经一年孵化后"
                "通过出壳评估。（示例）",
                "office_space_sqm": Decimal("20.0"),
                "mentoring_hours": 40,
                "training_hours": 60,
                "seed_funding": Decimal("50000.00"),
                "capacity": 4,
                "opens_on": past_opens,
                "closes_on": add_months(past_opens, 2),
                "incubation_months": 12,
                "panel_min_reviewers": 2,
                "accepted_report_years": 1,
            },
        ),
    ]


def _org(name):
    return Organization.objects.get(name=demo_name(name))


def _at(day, hour=10):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _rubric(programme):
    for order, (title, guidance, weight, max_score) in enumerate(RUBRIC, start=1):
        RubricItem.objects.get_or_create(
            programme=programme,
            order=order,
            defaults={"title": title, "guidance": guidance, "weight": weight, "max_score": max_score},
        )


def _reviewers():
    return [
        ensure_user(
            mobile,
            display_name=name,
            last_name="示例",
            first_name=name,
            is_staff=True,
            groups=[SOCIAL_ORG_SECTION],
        )
        for mobile, name in zip(DEMO_REVIEWER_MOBILES, ("评审专家李教授", "评审专家陈律师"), strict=True)
    ]


def _panel(application, reviews, day):
    """The panel's reviews on ``day``: (reviewer, scores per rubric line) or (reviewer, the
    conflict they declare)."""
    items = rubric(application.programme)
    for hour, (reviewer, review) in enumerate(reviews, start=9):
        if isinstance(review, str):
            submit_review(application, reviewer, conflict=True, conflict_note=review, now=_at(day, hour))
        else:
            scores = {item.pk: points for item, points in zip(items, review, strict=True)}
            comment = "需求调研扎实，建议细化预算和人员分工。（示例）" if min(review) >= 7 else ""
            submit_review(
                application, reviewer, conflict=False, scores=scores, comment=comment, now=_at(day, hour)
            )


def _founding_group(programme, today):
    """A founding group admitted to the founding-stage scheme three weeks ago, incubating and
    not registered yet: registration is its first milestone, due six months after the start."""
    if FoundingGroup.objects.filter(planned_name=FOUNDING_GROUP).exists():
        return 0
    founder = ensure_user(
        DEMO_FOUNDER_MOBILE,
        display_name="示例发起人（赵建华）",
        real_name="赵建华",
        real_name_verified_at=timezone.now(),
        mobile_verified_at=timezone.now(),
    )
    group = create_founding_group(
        founder,
        planned_name=FOUNDING_GROUP,
        planned_type=OrgType.SOCIAL_SERVICE,
        planned_district=District.XICHENG,
        planned_field=SF.COMMUNITY,
        purpose="组织社区志愿者为独居老人和困境儿童家庭提供探访、助餐和课后陪伴服务。（示例）",
        founders="赵建华，发起人代表\n孙丽萍，财务负责人\n周强，志愿者负责人",
    )
    FoundingGroup.objects.filter(pk=group.pk).update(created_at=_at(today - 40 * DAY, 9))
    bureau = ensure_user(DEMO_ORG_OFFICER_MOBILE)
    professor, lawyer = _reviewers()
    application = submit_founding(
        programme,
        group,
        user=founder,
        statement="我们是西城区一个社区的居民志愿者团队，已坚持探访独居老人两年，希望在筹备期获得"
        "章程、财务制度和登记材料方面的辅导，年内完成登记。（示例）",
        now=_at(today - 28 * DAY, 9),
    )
    steps = [
        (S.SCREENING, today - 26 * DAY),
        (S.SCORING, today - 25 * DAY),
        ("panel", today - 24 * DAY),
        (S.ADMITTED, today - 22 * DAY),
        (S.INCUBATING, today - 21 * DAY),
    ]
    for target, day in steps:
        if target == "panel":
            _panel(application, [(professor, (8, 7, 7, 8)), (lawyer, (8, 8, 6, 7))], day)
        else:
            application = decide(application, target, user=bureau, now=_at(day, 15))
    return 1


def _programme(title, fields, operator):
    existing = Programme.objects.filter(title=title).first()
    if existing is not None:
        _rubric(existing)
        return existing, False
    fields = dict(fields)
    contract_year = fields.pop("contract_year", None)
    if contract_year is not None:
        fields["operator"] = operator
        fields["operator_contract"] = f"京民社购〔{contract_year}〕16号（示例）"
    programme = Programme(title=title, published=True, **fields)
    programme.full_clean()
    programme.save()
    _rubric(programme)
    return programme, True


STATEMENT = "本机构{field}，计划在孵化期内完善内部治理和财务制度，培养项目骨干，扩大服务覆盖面。（示例）"


def _apply(programme, organization, user, submitted_on, steps, evidence=None, then=()):
    """File ``organization``'s application on ``submitted_on``, then take ``steps``:
    (target, day, reason) decisions by the bureau, ("panel", day, reviews) for the panel's
    reviews (:func:`_panel`), or ("withdraw", None, reason). With
    ``evidence`` (milestones, bureau, start day, how many accepted), evidence for each milestone
    is filed once incubating (the rest left waiting for review) before the ``then`` steps.
    Nothing is done when the organisation already applied to the programme."""
    if Application.objects.filter(programme=programme, organization=organization).exists():
        return 0
    bureau = ensure_user(DEMO_ORG_OFFICER_MOBILE)
    field = organization.get_service_field_display() if organization.service_field else ""
    application = submit(
        programme,
        organization,
        user=user,
        statement=STATEMENT.format(field=f"主要从事{field}" if field else "扎根社区"),
        now=_at(submitted_on, 9),
    )
    for target, day, reason in steps:
        if target == "withdraw":
            application = withdraw(application, user=user, reason=reason)
        elif target == "panel":
            _panel(application, reason, day)
        else:
            application = decide(application, target, user=bureau, reason=reason, now=_at(day, 15))
    if evidence is not None:
        milestones, reviewer, started, accepted = evidence
        for index, milestone in enumerate(milestones):
            on = min(add_months(started, milestone.due_months) - 5 * DAY, timezone.localdate() - DAY)
            _evidence(application, milestone, user, reviewer, accept=index < accepted, on=on)
    for target, day, reason in then:
        application = decide(application, target, user=bureau, reason=reason, now=_at(day, 15))
    return 1


def _pending_report(organization, user, today):
    """The organisation's report for the year the programmes require is filed and waits for
    review. The reports demo files it late (for the latest closed filing season); in June, when
    the next year is already due, it is filed here, so the story holds all year round."""
    year = latest_due_report_year(organization, today)
    if year is None or AnnualReport.objects.filter(organization=organization, year=year).exists():
        return
    from orgs.reports.demo import _attach, _report
    from orgs.reports.services.submission import submit_report

    index = next(i for i, row in enumerate(ORGANISATIONS, start=1) if row[0] == PENDING_REPORT_ORG)
    report = _report(organization, year, index, user)
    _attach(report, user)
    submit_report(report, user=user, now=_at(today - 3 * DAY))


# The milestones of last year's cohort: (order, title, requirement, months after the start).
MILESTONES = [
    (1, "完善内部治理", "理事会议事规则、财务管理制度经理事会通过，提交会议纪要和制度文本。", 3),
    (2, "完成一个示范服务项目", "独立实施一个服务项目并提交项目总结和受益人反馈。", 9),
]


def _milestones(programme):
    for order, title, description, months in MILESTONES:
        Milestone.objects.get_or_create(
            programme=programme,
            order=order,
            defaults={"title": title, "description": description, "due_months": months},
        )
    return list(programme.milestones.all())


def _evidence(application, milestone, user, bureau, *, accept, on):
    """Evidence for ``milestone`` filed on ``on``; accepted by the bureau, or left waiting."""
    from orgs.reports.demo import demo_pdf

    if application.evidence.filter(milestone=milestone).exists():
        return
    evidence = MilestoneEvidence(
        application=application,
        milestone=milestone,
        summary=f"{milestone.title}：已完成，材料见附件。（示例）",
        file=SimpleUploadedFile(
            f"milestone-{milestone.order}.pdf", demo_pdf(f"{application.organization.name} {milestone.title}")
        ),
        submitted_by=user,
        submitted_at=_at(on, 11),
    )
    evidence.full_clean()
    evidence.save()
    if accept:
        review_evidence(evidence, accept=True, user=bureau, note="材料齐全，确认完成。（示例）")


def offers(today):
    """(title, fields) of the demo offers: one of each kind, dated relative to ``today``."""
    return [
        (
            "东城区社区居家养老巡访服务项目（示例）",
            {
                "kind": OfferKind.SERVICE_PURCHASE,
                "provider_name": "北京市东城区民政局",
                "description": "为辖区高龄独居老人提供每月两次上门巡访、紧急联系和需求转介服务，"
                "服务期一年。（示例）",
                "deliverables": "巡访记录、月度服务报告和年度评估报告。",
                "field": SF.ELDERLY,
                "district": District.DONGCHENG,
                "budget": Decimal("300000.00"),
                "min_income": Decimal("200000.00"),
                "accepted_report_years": 1,
                "opens_on": today - 30 * DAY,
                "deadline": today + 30 * DAY,
            },
        ),
        (
            "社区公益空间共享工位（示例）",
            {
                "kind": OfferKind.VENUE,
                "provider_name": "北京市社会组织服务中心",
                "description": "提供共享工位、会议室和活动场地，每家机构最长使用一年。（示例）",
                "district": District.XICHENG,
                "opens_on": today - 60 * DAY,
                "deadline": today + 90 * DAY,
            },
        ),
        (
            "敬老助老小额资助计划（示例）",
            {
                "kind": OfferKind.GRANT,
                "funder": "北京敬老助老基金会",
                "provider_name": "北京敬老助老基金会（示例）",
                "description": "资助社区助老服务项目，每个项目不超过 5 万元，资助期半年。（示例）",
                "deliverables": "项目执行报告和财务报告。",
                "field": SF.ELDERLY,
                "budget": Decimal("50000.00"),
                "max_income": Decimal("2000000.00"),
                "opens_on": today - 45 * DAY,
                "deadline": today + 15 * DAY,
            },
        ),
        (
            "社会组织财务审计公益服务（示例）",
            {
                "kind": OfferKind.PRO_BONO,
                "provider_name": "北京某会计师事务所公益服务队（示例）",
                "description": "为年收入 200 万元以下的社会组织提供年度财务报表审计公益服务。（示例）",
                "max_income": Decimal("2000000.00"),
                "opens_on": today - 20 * DAY,
                "deadline": today + 60 * DAY,
            },
        ),
        (
            "社会组织负责人成长导师计划（示例）",
            {
                "kind": OfferKind.MENTOR,
                "provider_name": "北京社会组织导师志愿团（示例）",
                "description": "资深社会组织负责人一对一辅导，每月一次，为期半年。（示例）",
                "min_months_registered": 12,
                "opens_on": today - 10 * DAY,
                "deadline": today + 80 * DAY,
            },
        ),
    ]


def _offer(title, fields):
    existing = Offer.objects.filter(title=title).first()
    if existing is not None:
        return existing, False
    fields = dict(fields)
    if "funder" in fields:
        fields["funder"] = _org(fields["funder"])
    offer = Offer(title=title, published=True, **fields)
    offer.full_clean()
    offer.save()
    return offer, True


def _pool(today, org_admin, foundation_admin, bureau):
    """Offers of every kind, applications, awards (one a government service contract, which
    becomes a credit record), a declined application and two needs."""
    made = {title: _offer(title, fields) for title, fields in offers(today)}
    purchase, venue, grant, audit, mentor = (made[title][0] for title, _fields in offers(today))
    steps = [
        # (offer, organisation, user, decision)
        (purchase, "北京敬老助老基金会", foundation_admin, "award"),
        (grant, "北京市丰台区慈善协会", org_admin, "award"),
        (venue, "北京市社区养老服务促进会", org_admin, "decline"),
        (audit, "北京市朝阳区夕阳红养老服务中心", org_admin, None),
    ]
    created = 0
    for offer, name, user, decision in steps:
        organization = _org(name)
        if OfferApplication.objects.filter(offer=offer, organization=organization).exists():
            continue
        application = apply_to_offer(
            offer,
            organization,
            user=user,
            statement=f"{organization.name}申请“{offer.title}”，已有相关服务经验和专职人员。（示例）",
            now=_at(today - 8 * DAY, 9),
        )
        created += 1
        if decision == "award":
            award(
                application,
                amount=offer.budget,
                starts_on=today,
                ends_on=add_months(today, 6) - DAY,
                deliverables=offer.deliverables or offer.description,
                document_number=f"{'东民购' if offer.kind == OfferKind.SERVICE_PURCHASE else '敬基资'}"
                f"〔{today.year}〕{3 + created}号（示例）",
                user=bureau,
            )
        elif decision == "decline":
            decline(application, user=bureau, reason="本期共享工位已分配完毕，已列入下期优先名单（示例）。")
    for name, user, kind, title, description in (
        (
            "北京市朝阳区夕阳红养老服务中心",
            org_admin,
            OfferKind.PRO_BONO,
            "需要劳动用工法律咨询（示例）",
            "护理员劳动合同和排班制度需要专业律师审查。（示例）",
        ),
        (
            "北京市丰台区慈善协会",
            org_admin,
            OfferKind.VENUE,
            "需要周末活动场地（示例）",
            "每月两次周末社区义诊活动，需要 80 平方米左右的场地。（示例）",
        ),
    ):
        organization = _org(name)
        if not Need.objects.filter(organization=organization, title=title).exists():
            post_need(organization, user=user, kind=kind, title=title, description=description)
    return sum(was_new for _offer, was_new in made.values()), created


def load(out):
    today = timezone.localdate()
    org_admin = ensure_user(DEMO_ORG_ADMIN_MOBILE)
    foundation_admin = ensure_user(DEMO_FOUNDATION_ADMIN_MOBILE)
    social_work_admin = ensure_user(DEMO_SOCIAL_WORK_ADMIN_MOBILE)
    _pending_report(_org(PENDING_REPORT_ORG), social_work_admin, today)

    made, created = {}, 0
    for title, fields in programmes(today):
        made[title] = _programme(title, fields, _org(BASE_OPERATOR))
    city, base, past = made[CITY][0], made[BASE][0], made[PAST][0]
    created += _founding_group(made[FOUNDING][0], today)

    jinglao = _org("北京敬老助老基金会")
    bureau = ensure_user(DEMO_ORG_OFFICER_MOBILE)
    professor, lawyer = _reviewers()
    milestones = _milestones(past)
    # Last year's cohort: admitted after the deadline, started a few weeks later; two have
    # graduated after the incubation period, one is still incubating, one exited half-way.
    opens, closes = past.opens_on, past.closes_on
    screened, admitted, started = closes + 3 * DAY, closes + 10 * DAY, closes + 31 * DAY
    graduated = min(add_months(started, past.incubation_months), today - DAY)

    def common(after):
        # The panel's scores differ a little from one organisation to the next.
        panel = [(professor, (8, 8, 7, 8 - after % 3)), (bureau, (9, 7 + after % 2, 8, 7))]
        return [
            (S.SCREENING, screened, ""),
            (S.SCORING, screened + DAY, ""),
            ("panel", screened + 3 * DAY, panel),
            (S.ADMITTED, admitted, ""),
            (S.INCUBATING, started, ""),
        ]

    cohort = [
        ("北京市丰台区慈善协会", 5, [(S.GRADUATED, graduated, "")]),
        ("北京绿色未来环境保护基金会", 9, [(S.GRADUATED, graduated, "")]),
        ("北京市朝阳区夕阳红养老服务中心", 12, []),
        (
            "北京医疗救助基金会",
            20,
            [
                (
                    S.EXITED,
                    add_months(started, 6),
                    "连续两个季度未参加孵化培训和导师辅导，经约谈仍未改进，按入孵协议退出（示例）。",
                )
            ],
        ),
    ]
    for name, after, steps in cohort:
        # Graduates had every milestone accepted; the one still incubating has its second
        # milestone's evidence waiting for review; the one that exited had done the first.
        targets = {target for target, _day, _reason in steps}
        filed = milestones[:1] if S.EXITED in targets else milestones
        accepted = len(milestones) if S.GRADUATED in targets else 1
        created += _apply(
            past,
            _org(name),
            org_admin,
            opens + after * DAY,
            common(after),
            evidence=(filed, bureau, started, accepted),
            then=steps,
        )

    # The city cohort open now: one of each state the bureau's review leads to.
    open_steps = [
        (
            "北京养老事业发展基金会",
            18,
            [
                (S.SCREENING, today - 15 * DAY, ""),
                (S.SCORING, today - 14 * DAY, ""),
                (
                    "panel",
                    today - 8 * DAY,
                    [
                        (professor, (9, 8, 8, 9)),
                        (lawyer, "本人 2024 年以前曾任该基金会理事，申请回避（示例）。"),
                        (bureau, (8, 9, 8, 8)),
                    ],
                ),
                (S.ADMITTED, today - 5 * DAY, ""),
            ],
        ),
        (
            "北京市社区养老服务促进会",
            17,
            [
                (S.SCREENING, today - 15 * DAY, ""),
                (S.SCORING, today - 14 * DAY, ""),
                ("panel", today - 8 * DAY, [(professor, (7, 7, 6, 7)), (lawyer, (7, 6, 7, 6))]),
                (
                    S.WAITLISTED,
                    today - 5 * DAY,
                    "评审得分位列候补第 1 位；如已录取的组织放弃名额，将依次递补（示例）。",
                ),
            ],
        ),
        (
            "北京市儿童关爱基金会",
            16,
            [
                (S.SCREENING, today - 14 * DAY, ""),
                (S.SCORING, today - 13 * DAY, ""),
                ("panel", today - 8 * DAY, [(professor, (4, 5, 5, 4)), (lawyer, (5, 4, 4, 5))]),
                (
                    S.REJECTED,
                    today - 5 * DAY,
                    "申报方案以对外资助为主，与本期“能力建设孵化”的方向不符，建议关注扶持计划类项目（示例）。",
                ),
            ],
        ),
        # Waiting for its second review: the demo officer (13900000005) can score it and decide.
        (
            "北京市海淀区智慧养老研究院",
            9,
            [
                (S.SCREENING, today - 6 * DAY, ""),
                (S.SCORING, today - 4 * DAY, ""),
                ("panel", today - 2 * DAY, [(professor, (8, 7, 8, 7))]),
            ],
        ),
    ]
    for name, days_ago, steps in open_steps:
        created += _apply(city, _org(name), org_admin, today - days_ago * DAY, steps)
    # The foundation withdrew from the city cohort and applied to the base in its district.
    created += _apply(
        city,
        jinglao,
        foundation_admin,
        today - 12 * DAY,
        [("withdraw", None, "本机构位于东城区，改为申请东城区孵化基地的入驻计划（示例）。")],
    )
    created += _apply(base, jinglao, foundation_admin, today - 4 * DAY, [])

    new_offers, new_offer_applications = _pool(today, org_admin, foundation_admin, bureau)
    new_programmes = sum(was_new for _programme, was_new in made.values())
    out.write(
        f"  incubator: {Programme.objects.count()} programmes ({new_programmes} new), "
        f"{Application.objects.count()} applications ({created} new), "
        f"{Offer.objects.count()} offers ({new_offers} new), {OfferApplication.objects.count()} offer "
        f"applications ({new_offer_applications} new), {Award.objects.count()} awards; "
        f"{DEMO_SOCIAL_WORK_ADMIN_MOBILE} applies once its pending report is accepted"
    )
