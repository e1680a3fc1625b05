"""The public side of credit: the lookup, the credit profile of one organisation (every
fact with its source and its as-of date) and the sealed credit report PDF."""

import hashlib
import io
import json
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import VerifiableDocument
from core.verification import issue_document
from orgs.registry import uscc as uscc_module
from orgs.registry.models import Organization
from orgs.reports.models import AnnualReport, ReportStatus
from orgs.reports.services import deadlines_for

from .models import Category, CreditRecord, CreditReport, EntryStatus, ListEntry, ListType, Rating

# A query of 15–20 Latin letters and digits, with at least one digit, is taken as a USCC.
USCC_SHAPE = re.compile(r"^(?=.*\d)[0-9A-Za-z]{15,20}$")
ISSUER = "北京市民政局"
REGISTRY_SOURCE = "北京市民政局社会组织登记信息"


def looks_like_uscc(query):
    return bool(USCC_SHAPE.match(uscc_module.normalize(query)))


@dataclass
class Lookup:
    query: str
    organizations: object = None  # a queryset, or None when nothing was searched
    error: str = ""
    exact: bool = False


def _with_credit(queryset):
    return queryset.prefetch_related(
        Prefetch(
            "list_entries",
            queryset=ListEntry.objects.filter(status=EntryStatus.LISTED).order_by("-listed_on"),
            to_attr="current_entries",
        ),
        Prefetch("ratings", queryset=Rating.objects.order_by("-rated_on", "-pk"), to_attr="all_ratings"),
    )


def lookup(query):
    """``/credit/?q=``: an exact USCC (an invalid one gets the S1 message) or a name substring."""
    query = (query or "").strip()
    if not query:
        return Lookup(query=query)
    base = Organization.objects.order_by("name", "pk")
    if looks_like_uscc(query):
        # S1: a code the bureau accepted despite its check character is found, not refused.
        accepted = base.filter(uscc=uscc_module.normalize(query))
        if accepted.exists():
            return Lookup(query=query, organizations=_with_credit(accepted), exact=True)
        try:
            code = uscc_module.validate(query)
        except ValidationError as error:
            return Lookup(query=query, error=" ".join(error.messages), organizations=base.none())
        return Lookup(query=query, organizations=_with_credit(base.filter(uscc=code)), exact=True)
    return Lookup(query=query, organizations=_with_credit(base.filter(name__icontains=query)))


@dataclass
class ReportYear:
    year: int
    deadline: object
    state: str  # on_time / late / not_filed / pending (not yet due)
    state_label: str
    report: AnnualReport | None = None
    as_of: object = None

    @property
    def conclusion(self):
        return self.report.get_conclusion_display() if self.report and self.report.conclusion else ""


@dataclass
class CreditProfile:
    organization: Organization
    as_of: object
    registry_as_of: object
    current_entries: list
    past_entries: list
    rating: Rating | None
    rating_expired: bool
    ratings: list
    report_years: list
    penalties: list
    records: list
    corrected_ids: set = field(default_factory=set)

    @property
    def on_abnormal_list(self):
        return any(entry.list_type == ListType.ABNORMAL for entry in self.current_entries)

    @property
    def on_serious_list(self):
        return any(entry.list_type == ListType.SERIOUS for entry in self.current_entries)

    def digest(self):
        """What the report states; the same facts on the same day reuse the same report."""
        data = {
            "org": [self.organization.uscc, self.organization.name, self.organization.status],
            "entries": [[e.pk, e.status] for e in self.current_entries + self.past_entries],
            "ratings": [r.pk for r in self.ratings],
            "reports": [[y.year, y.state, y.conclusion] for y in self.report_years],
            "records": [[r.pk, r.pk in self.corrected_ids] for r in self.records],
            "as_of": self.as_of.isoformat(),
        }
        return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def report_history(organization, reports, today):
    """Annual-report history from registration (at most the last 6 years): filed on time,
    filed late, not filed, or not yet due."""
    by_year = {report.year: report for report in reports}
    first = max(organization.registered_on.year, today.year - 6)
    years = []
    for year in range(today.year - 1, first - 1, -1):
        report = by_year.get(year)
        deadline = report.deadline if report else deadlines_for(organization, year).registration
        if report and report.status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED):
            state, label = ("late", _("逾期报送")) if report.is_late else ("on_time", _("按期报送"))
            as_of = timezone.localdate(report.updated_at)
        elif today > deadline:
            state, label, as_of = "not_filed", _("逾期未报送"), today
        else:
            state, label, as_of = "pending", _("尚未到截止日期"), today
        years.append(ReportYear(year, deadline, state, label, report, as_of))
    return years


def credit_profile(organization, today=None):
    """Everything the public sees about one organisation's credit, in five queries."""
    today = today or timezone.localdate()
    entries = list(ListEntry.objects.filter(organization=organization).order_by("-listed_on", "-pk"))
    ratings = list(Rating.objects.filter(organization=organization).order_by("-rated_on", "-pk"))
    reports = list(AnnualReport.objects.filter(organization=organization))
    records = list(
        CreditRecord.objects.filter(organization=organization)
        .select_related("corrects")
        .order_by("-decided_on", "-pk")
    )
    corrected = {record.corrects_id for record in records if record.corrects_id}
    rating = ratings[0] if ratings else None
    registry_changes = list(organization.changes.values_list("changed_on", flat=True)[:1])
    registry_as_of = max([organization.registered_on, *registry_changes])
    return CreditProfile(
        organization=organization,
        as_of=today,
        registry_as_of=registry_as_of,
        current_entries=[e for e in entries if e.status == EntryStatus.LISTED],
        past_entries=[e for e in entries if e.status != EntryStatus.LISTED],
        rating=rating,
        rating_expired=bool(rating and rating.is_expired(today)),
        ratings=ratings,
        report_years=report_history(organization, reports, today),
        penalties=[r for r in records if r.category == Category.PENALTY and r.pk not in corrected],
        records=records,
        corrected_ids=corrected,
    )


# --- The credit report PDF ----------------------------------------------------------------------


def render_report(profile, code, url):
    """The credit report (reportlab, embedded CJK font) with its verification code and QR code."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    from core import pdf

    styles = pdf.styles()
    font = pdf.cjk_font_name()
    body, small, h2 = styles["BodyText"], styles["Small"], styles["Heading2"]
    org = profile.organization
    buffer = io.BytesIO()
    doc = pdf.document(
        buffer,
        title=_("社会组织信用报告"),
        author=ISSUER,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
    )

    def p(text, style=body):
        return Paragraph(str(text), style)

    def table(rows, widths, header=True):
        t = Table(
            [[p(cell, small) for cell in row] for row in rows],
            colWidths=widths,
            repeatRows=1 if header else 0,
        )
        style = [
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("FONTNAME", (0, 0), (-1, -1), font),
        ]
        if header:
            style.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef0f3")))
        t.setStyle(TableStyle(style))
        return t

    drawing = pdf.qr_drawing(url, size_mm=30)
    head = Table(
        [
            [
                [
                    p(_("社会组织信用报告"), styles["Title"]),
                    p(_("出具单位：%(issuer)s（北京市民政公共服务平台）") % {"issuer": ISSUER}),
                    p(_("信息截止日期：%(date)s") % {"date": profile.as_of.isoformat()}),
                    p(_("核验码：%(code)s") % {"code": code}),
                    p(_("核验网址：%(url)s") % {"url": url}, small),
                ],
                drawing,
            ]
        ],
        colWidths=[140 * mm, 34 * mm],
    )
    head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONTNAME", (0, 0), (-1, -1), font)]))
    story = [head, Spacer(1, 4 * mm), p(_("一、登记信息"), h2)]
    story.append(
        table(
            [
                [_("名称"), org.name],
                [_("统一社会信用代码"), org.uscc],
                [_("组织类型"), org.get_org_type_display()],
                [_("登记状态"), org.get_status_display()],
                [_("登记管理机关"), org.get_registration_authority_display()],
                [_("成立登记日期"), org.registered_on.isoformat()],
                [
                    _("来源及截止日期"),
                    _("%(source)s，截至%(date)s")
                    % {"source": REGISTRY_SOURCE, "date": profile.registry_as_of.isoformat()},
                ],
            ],
            [45 * mm, 129 * mm],
            header=False,
        )
    )

    story += [p(_("二、活动异常名录和严重违法失信名单"), h2)]
    entries = profile.current_entries + profile.past_entries
    if entries:
        rows = [[_("名录"), _("事由"), _("列入日期及文号"), _("状态"), _("来源")]]
        for e in entries:
            state = (
                _("在列")
                if e.status == EntryStatus.LISTED
                else _("%(date)s移出（%(reason)s）")
                % {"date": e.removed_on.isoformat(), "reason": e.get_removal_reason_display()}
            )
            rows.append(
                [
                    e.get_list_type_display(),
                    e.get_reason_display(),
                    f"{e.listed_on.isoformat()} {e.document_number}",
                    state,
                    e.authority,
                ]
            )
        story.append(table(rows, [32 * mm, 46 * mm, 38 * mm, 32 * mm, 26 * mm]))
    else:
        story.append(
            p(
                _("截至%(date)s，未被列入活动异常名录或严重违法失信名单。")
                % {"date": profile.as_of.isoformat()}
            )
        )

    story += [p(_("三、等级评估"), h2)]
    if profile.ratings:
        rows = [[_("等级"), _("得分"), _("评估日期"), _("有效期至"), _("状态"), _("评估机构及文号")]]
        for r in profile.ratings:
            rows.append(
                [
                    r.get_grade_display(),
                    str(r.score),
                    r.rated_on.isoformat(),
                    r.expires_on.isoformat(),
                    _("已过期") if r.is_expired(profile.as_of) else _("有效"),
                    f"{r.evaluating_body} {r.document_number}",
                ]
            )
        story.append(table(rows, [16 * mm, 18 * mm, 26 * mm, 26 * mm, 20 * mm, 68 * mm]))
    else:
        story.append(p(_("暂无等级评估记录。")))

    story += [p(_("四、年度工作报告"), h2)]
    rows = [[_("年度"), _("截止日期"), _("报送情况"), _("年检结论"), _("截至")]]
    for y in profile.report_years:
        rows.append(
            [str(y.year), y.deadline.isoformat(), y.state_label, y.conclusion or "—", y.as_of.isoformat()]
        )
    story.append(table(rows, [20 * mm, 30 * mm, 40 * mm, 40 * mm, 44 * mm]))

    story += [p(_("五、行政处罚"), h2)]
    if profile.penalties:
        rows = [[_("决定日期"), _("内容"), _("决定机关及文号")]]
        for r in profile.penalties:
            rows.append([r.decided_on.isoformat(), r.summary, f"{r.authority} {r.document_number}"])
        story.append(table(rows, [26 * mm, 88 * mm, 60 * mm]))
    else:
        story.append(p(_("暂无行政处罚信息。")))

    story += [p(_("六、信用记录"), h2)]
    if profile.records:
        rows = [[_("类别"), _("决定日期"), _("内容"), _("来源")]]
        for r in profile.records:
            summary = r.summary
            if r.pk in profile.corrected_ids:
                summary = _("%(summary)s（已更正）") % {"summary": summary}
            if r.corrects_id:
                summary = _("%(summary)s（更正%(date)s记录：%(reason)s）") % {
                    "summary": summary,
                    "date": r.corrects.decided_on.isoformat(),
                    "reason": r.correction_reason,
                }
            rows.append(
                [
                    r.get_category_display(),
                    r.decided_on.isoformat(),
                    summary,
                    f"{r.authority} {r.document_number}",
                ]
            )
        story.append(table(rows, [34 * mm, 24 * mm, 76 * mm, 40 * mm]))
    else:
        story.append(p(_("暂无信用记录。")))
    story += [
        Spacer(1, 6 * mm),
        p(
            _(
                "本报告由北京市民政公共服务平台根据登记管理机关掌握的信息生成，并加盖平台电子印章。"
                "任何人可在核验网址输入核验码或上传本文件，核验其真实性和完整性。"
            ),
            small,
        ),
    ]
    doc.build(story)
    return buffer.getvalue()


def issue_report(organization, *, base_url="", today=None):
    """The sealed credit report for ``organization`` as of today. The same facts on the same day
    reuse the document already issued."""
    profile = credit_profile(organization, today)
    digest = profile.digest()
    existing = (
        CreditReport.objects.filter(
            organization=organization,
            as_of=profile.as_of,
            facts_sha256=digest,
            document__status=VerifiableDocument.Status.VALID,
        )
        .select_related("document")
        .first()
    )
    if existing:
        return existing.document
    report = CreditReport.objects.create(organization=organization, as_of=profile.as_of, facts_sha256=digest)
    document = issue_document(
        source=report,
        kind=VerifiableDocument.Kind.CREDIT_REPORT,
        title=_("%(name)s 信用报告（截至%(date)s）")
        % {"name": organization.name, "date": profile.as_of.isoformat()},
        issuer_name=ISSUER,
        holder_name=organization.name,
        holder_is_person=False,
        render=lambda code, url: render_report(profile, code, url),
        reason=_("社会组织信用报告"),
        base_url=base_url,
    )
    report.document = document
    report.save(update_fields=["document"])
    return document
