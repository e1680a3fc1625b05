"""Demo charity projects (fictional) with donations, spending and progress reports over time:
one project with an overdue progress report (C2) and one completed project with its full account.
Every demo charity has published its basic information (C1) after recognition and each change,
one of them late, except the last, whose recognition is still undisclosed."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core.dates import add_months
from orgs.registry.demo import demo_name
from orgs.registry.models import District, Organization

from .models import BasicInfoDisclosure, CharityProject, Donation, Expenditure, ProgressReport, ProjectStatus

DONORS = [
    "王建国",
    "李秀英",
    "张伟",
    "刘芳",
    "陈静",
    "北京示例科技有限公司",
    "杨洋",
    "赵敏",
    "黄磊",
    "周婷",
    "北京示例商贸有限公司",
    "吴刚",
]
AMOUNTS = [
    Decimal(a) for a in ("50.00", "200.00", "1000.00", "88.00", "5000.00", "300.00", "20000.00", "66.00")
]
CHANNELS = [Donation.Channel.ONLINE, Donation.Channel.BANK, Donation.Channel.ONLINE, Donation.Channel.CASH]

# (organisation, name, public fundraising, area, start months from today, end months from today,
#  status, goal, expenditure purposes, report plan)
# report plan: "quarterly" (all due progress reports), "skip_last" (the latest is overdue),
# "final" (a completed project with its full account), "" (none due).
PROJECTS = [
    (
        "北京敬老助老基金会",
        "高龄老人助餐计划",
        True,
        District.DONGCHENG,
        -10,
        8,
        ProjectStatus.RUNNING,
        "600000",
        ["采购老年餐食材", "助餐点餐具和保温箱", "送餐志愿者交通补贴"],
        "skip_last",
    ),
    (
        "北京市儿童关爱基金会",
        "留守儿童冬衣行动",
        True,
        District.FANGSHAN,
        -14,
        -8,
        ProjectStatus.COMPLETED,
        "200000",
        ["采购儿童羽绒服", "冬衣物流运输", "发放现场组织"],
        "final",
    ),
    (
        "北京市儿童关爱基金会",
        "山区儿童营养午餐",
        True,
        District.MIYUN,
        -2,
        4,
        ProjectStatus.FUNDRAISING,
        "300000",
        ["采购午餐食材", "学校厨房设备维修"],
        "",
    ),
    (
        "北京医疗救助基金会",
        "困难家庭大病救助",
        True,
        District.XICHENG,
        -5,
        13,
        ProjectStatus.RUNNING,
        "1000000",
        ["大病患者医疗费用救助", "康复辅具购置"],
        "quarterly",
    ),
    (
        "北京养老事业发展基金会",
        "社区养老驿站助浴服务",
        True,
        District.CHAOYANG,
        -1,
        5,
        ProjectStatus.FUNDRAISING,
        "150000",
        ["助浴设备购置", "助浴员培训"],
        "",
    ),
    (
        "北京市丰台区慈善协会",
        "丰台邻里守望互助金",
        True,
        District.FENGTAI,
        -4,
        1,
        ProjectStatus.RUNNING,
        "100000",
        ["困难家庭临时救助", "互助活动物资"],
        "",
    ),
    (
        "北京绿色未来环境保护基金会",
        "永定河护林志愿行动",
        False,
        District.MENTOUGOU,
        -3,
        2,
        ProjectStatus.RUNNING,
        "80000",
        ["树苗采购", "志愿者保险"],
        "",
    ),
    (
        "北京乡村振兴公益基金会",
        "乡村教师培训计划",
        False,
        District.HUAIROU,
        -7,
        -1,
        ProjectStatus.COMPLETED,
        "120000",
        ["培训讲师劳务费", "教材印制", "学员食宿"],
        "",
    ),
    (
        "北京市朝阳区养老服务协会",
        "社区独居老人关爱探访",
        False,
        District.CHAOYANG,
        -2,
        3,
        ProjectStatus.RUNNING,
        "50000",
        ["探访慰问品", "紧急呼叫器"],
        "",
    ),
]


def _spread(start, end, count):
    span = max((end - start).days, 1)
    return [start + datetime.timedelta(days=span * (i + 1) // (count + 1)) for i in range(count)]


@transaction.atomic
def load(out):
    today = timezone.localdate()
    created = 0
    for index, (org_name, name, public, area, start_m, end_m, status, goal, purposes, plan) in enumerate(
        PROJECTS
    ):
        organization = Organization.objects.filter(name=demo_name(org_name)).first()
        if organization is None:
            continue
        starts_on = add_months(today, start_m)
        ends_on = add_months(today, end_m)
        project, is_new = CharityProject.objects.get_or_create(
            organization=organization,
            name=f"{name}（示例）",
            defaults={
                "plan_filing_number": f"京民慈募备〔{starts_on.year}〕{index + 11:03d}号" if public else "",
                "plan_filed_on": starts_on - datetime.timedelta(days=25) if public else None,
                "public_fundraising": public,
                "goal": Decimal(goal),
                "starts_on": starts_on,
                "ends_on": ends_on,
                "description": f"{name}：面向{area.label}的困难群体开展帮扶，全部捐赠和支出逐笔公开。（示例数据）",
                "status": status,
                "area": area,
            },
        )
        if not is_new:
            continue
        created += 1
        last_day = min(today, ends_on)
        dates = _spread(starts_on, last_day, 12)
        for i, donated_on in enumerate(dates):
            in_kind = index == 1 and i % 5 == 4
            Donation.objects.create(
                organization=organization,
                project=project,
                donor_name=DONORS[(i + index) % len(DONORS)],
                anonymous=(i + index) % 3 == 0,
                kind=Donation.Kind.IN_KIND if in_kind else Donation.Kind.MONEY,
                amount=AMOUNTS[(i * 3 + index) % len(AMOUNTS)],
                in_kind_description="儿童羽绒服20件（按市场价估值）" if in_kind else "",
                donated_on=donated_on,
                channel=CHANNELS[(i + index) % len(CHANNELS)],
                receipt_number=f"SL{index + 1:02d}-{donated_on:%Y%m}-{i + 1:04d}",
            )
        # Spending follows the money: by each spending date the project has spent its share
        # of what it had raised by then, so spent never runs ahead of raised.
        share = Decimal("0.8") if status == ProjectStatus.COMPLETED else Decimal("0.5")
        gifts = sorted((d.donated_on, d.amount) for d in project.donations.all())
        spent = Decimal("0")
        spend_dates = _spread(starts_on + datetime.timedelta(days=20), last_day, 2 * len(purposes))
        for i, spent_on in enumerate(spend_dates):
            raised_by_then = sum((amount for day, amount in gifts if day <= spent_on), Decimal("0"))
            amount = (raised_by_then * share - spent).quantize(Decimal("0.01"))
            if amount <= 0:
                continue
            spent += amount
            Expenditure.objects.create(
                project=project,
                voucher_number=f"ZC{index + 1:02d}-{spent_on:%Y%m}-{i + 1:03d}",
                amount=amount,
                purpose=purposes[i % len(purposes)],
                beneficiary_count=15 + 7 * i,
                spent_on=spent_on,
            )
        _reports(project, plan, today)
    _basic_info()
    from core.models import EarlyWarning

    from .warnings import BASIC_INFO_OVERDUE, RULE_KINDS

    result = EarlyWarning.objects.refresh(today, kinds=[*RULE_KINDS.values(), BASIC_INFO_OVERDUE])
    out.write(f"  {CharityProject.objects.count()} charity projects ({created} new); C1/C2 warnings {result}")


GOVERNING_BODY = "示例张明 理事长\n示例李华 副理事长\n示例王芳 秘书长\n示例赵强 理事\n示例陈静 理事"
SUPERVISORY_BODY = "示例刘洋 监事"


def _articles_pdf(organization):
    """A short, clearly fictional articles of association (章程) for a demo charity."""
    import io

    from reportlab.platypus import Paragraph, Spacer

    from core import pdf

    style = pdf.styles()
    buffer = io.BytesIO()
    pdf.document(buffer, title=f"{organization.name}章程").build(
        [
            Paragraph(f"{organization.name}章程（示例）", style["Title"]),
            Paragraph("第一章 总则", style["Heading2"]),
            Paragraph(
                f"第一条 本会名称为{organization.name}。本章程为演示用示例文本，不具有任何法律效力。",
                style["BodyText"],
            ),
            Paragraph("第二条 本会是经依法登记、认定的慈善组织，不以营利为目的。", style["BodyText"]),
            Spacer(1, 6),
            Paragraph("第二章 组织机构", style["Heading2"]),
            Paragraph("第三条 理事会是本会的决策机构；监事负责监督本会的活动和财务。", style["BodyText"]),
            Paragraph(
                "第四条 本会按照《慈善组织信息公开办法》公开基本信息、年度报告和募捐情况。", style["BodyText"]
            ),
        ]
    )
    return buffer.getvalue()


def _basic_info():
    """C1 disclosures for the demo charities (once: a charity with any disclosure is skipped)."""
    from django.core.files.base import ContentFile

    from . import services

    charities = list(
        Organization.objects.filter(charity_recognized_on__isnull=False, name__endswith="（示例）").order_by(
            "pk"
        )
    )
    for position, organization in enumerate(charities):
        if organization.basic_info.exists() or position == len(charities) - 1:
            continue  # the last demo charity has not disclosed its recognition: a C1 warning
        for number, due in enumerate(services.basic_info_obligations(organization)):
            late = position == 1 and number == 0  # one disclosure made after the deadline
            published_on = (
                due.deadline + datetime.timedelta(days=15)
                if late
                else due.trigger + datetime.timedelta(days=12)
            )
            disclosure = BasicInfoDisclosure(
                organization=organization,
                changed_on=due.trigger,
                summary=f"{due.label}：公开章程及理事会、监事名单。（示例）",
                governing_body=GOVERNING_BODY,
                supervisory_body=SUPERVISORY_BODY,
                published_on=published_on,
            )
            disclosure.articles.save(
                f"articles-{organization.uscc}-{number}.pdf",
                ContentFile(_articles_pdf(organization)),
                save=False,
            )
            disclosure.save()


def _reports(project, plan, today):
    from . import services

    due_dates = [d for d in services.progress_due_dates(project) if d < today]
    if plan == "skip_last":
        due_dates = due_dates[:-1]
    if plan in ("quarterly", "skip_last"):
        previous = project.starts_on
        for due in due_dates:
            ProgressReport.objects.create(
                project=project,
                period_start=previous,
                period_end=due - datetime.timedelta(days=1),
                published_on=due - datetime.timedelta(days=3),
                text=f"{previous:%Y年%m月%d日}至{due:%Y年%m月%d日}，项目按计划执行，受益人数和支出明细见支出表。（示例）",
            )
            previous = due
    if plan == "final":
        published_on = add_months(project.ends_on, 2)
        ProgressReport.objects.create(
            project=project,
            kind=ProgressReport.Kind.FINAL,
            period_start=project.starts_on,
            period_end=project.ends_on,
            published_on=published_on,
            text="项目已结项。全部捐赠收入、支出明细和剩余财产处理情况见本报告及支出表；剩余资金经捐赠人同意转入同类项目。（示例）",
        )
