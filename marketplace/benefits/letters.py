"""B1: the sealed decision letter (惠民殡葬审核决定书) of an application, approved or not.

It is an official document in Chinese whatever the language of the request, sealed with the
platform's seal (PAdES) and registered for ``/verify/<code>/`` with its QR code. Whoever holds
a copy checks it there; the family downloads it from its application page, served only while
the stored bytes match the hash recorded when it was sealed.
"""

from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import translation

from core import pdf as platform_pdf
from core.models import VerifiableDocument
from core.money import format_money
from core.verification import issue_document
from marketplace.catalogue.models import BurialChoice
from marketplace.catalogue.models.choices import District

from .models import ApplicationStatus, FamilyStatus, SchemeKind

AUTHORITY = "北京市民政局"
APPEAL = (
    "如对本决定不服，可以自收到本决定书之日起六十日内依法申请行政复议，"
    "或者自收到之日起六个月内依法向人民法院提起行政诉讼。"
)


def _outcome(application):
    order = application.order
    if application.status != ApplicationStatus.APPROVED:
        return "不予批准"
    amount = f"¥{format_money(application.amount)}"
    if application.criteria.get("kind") == SchemeKind.SUBSIDY:
        return f"批准。补贴 {amount}，由财务部门支付至 {application.payee_name}（账号 {application.payee_account_masked}）。"
    return (
        f"批准。免除订单 {order.reference} 中本政策规定的服务费用共 {amount}："
        "以合同变更单从账单中扣减，经家属和服务机构签署后生效；已支付的部分原路退回。"
        "服务已完成的，由财务部门支付给家属。"
    )


def rows_of(application):
    labels = {
        "district": dict(District.choices),
        "burial": dict(BurialChoice.choices),
        "status": dict(FamilyStatus.choices),
    }
    rows = [
        ("决定书编号", application.number),
        (
            "申请人",
            application.applicant.real_name or application.payee_name or application.applicant.masked_mobile,
        ),
        ("逝者", f"{application.deceased_name}（身份证号 {application.deceased_id_masked}）"),
        ("死亡日期", application.date_of_death.isoformat()),
        ("政策", application.scheme.name),
        ("政策依据", application.criteria.get("legal_basis") or application.scheme.legal_basis),
        ("户籍所在区", str(labels["district"].get(application.hukou_district, "—"))),
    ]
    if application.burial_type:
        rows.append(("安葬方式", str(labels["burial"].get(application.burial_type))))
    if application.family_status:
        rows.append(("家庭情况", str(labels["status"].get(application.family_status))))
    if application.order_id:
        rows.append(("殡葬服务订单", f"{application.order.reference} · {application.order.provider.name}"))
    rows += [
        ("申请日期", (application.first_submitted_on or application.submitted_on).isoformat()),
        ("决定", _outcome(application)),
        ("理由", application.decision_reason),
        ("决定日期", application.decided_on.isoformat()),
        ("决定机关", AUTHORITY),
    ]
    return [(label, escape(str(value))) for label, value in rows]


def render(application, code, url):
    return platform_pdf.receipt(
        title="惠民殡葬审核决定书",
        document_title=f"惠民殡葬审核决定书 {application.number}",
        rows=rows_of(application),
        notes=[APPEAL],
        code=code,
        url=url,
    )


def issue(application, *, base_url=""):
    """Seal and register the decision letter of a decided application."""
    with translation.override(settings.LANGUAGE_CODE):
        approved = application.status == ApplicationStatus.APPROVED
        return issue_document(
            source=application,
            kind=VerifiableDocument.Kind.BENEFIT_DECISION,
            title=f"惠民殡葬审核决定书 {application.number}（{'批准' if approved else '不予批准'}）",
            issuer_name=AUTHORITY,
            holder_name=application.deceased_name,
            render=lambda code, url: render(application, code, url),
            reason="惠民殡葬审核决定",
            base_url=(base_url or settings.WAGTAILADMIN_BASE_URL).rstrip("/"),
        )


def letter_state(document):
    """What ``/verify/<code>/`` adds for a decision letter: where the decision stands now."""
    from django.utils.translation import gettext as _

    from core.verification import DocumentState

    from .models import BenefitApplication

    application = (
        BenefitApplication.objects.filter(decision_letter=document).select_related("waiver_change").first()
    )
    if application is None:
        return None
    if application.status != ApplicationStatus.APPROVED:
        return DocumentState(
            _("不予批准"), ok=True, note=_("决定日期 %(date)s。") % {"date": application.decided_on}
        )
    if application.instruction_number:
        note = _("支付指令 %(number)s 已下达。") % {"number": application.instruction_number}
    elif application.waiver_change_id and application.waiver_change.sealed_document_id:
        note = _("减免已由双方签署的变更单 %(n)s 计入账单。") % {
            "n": application.waiver_change.display_number
        }
    elif application.waiver_change_id:
        note = _("减免变更单 %(n)s 待家属和机构签署。") % {"n": application.waiver_change.display_number}
    else:
        note = _("减免待合同生效后计入账单。")
    return DocumentState(_("已批准"), ok=True, note=note)
