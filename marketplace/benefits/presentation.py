"""How the family's 惠民殡葬 pages present an application: the scheme's terms in words, the
criteria as rows, the facts, the steps, where an approved waiver stands and the documents."""

from django.utils.translation import gettext as _

from core.dates import special_days
from marketplace.catalogue.models import BurialChoice
from marketplace.catalogue.models.choices import District
from marketplace.orders.models import ChangeStatus

from . import eligibility, services, waivers
from .forms import DocumentForm
from .models import (
    DECIDED_STATES,
    ApplicationStatus,
    FamilyStatus,
)

A = ApplicationStatus


# --- Presentation ------------------------------------------------------------------------------------


def _labels(choices, values):
    labels = dict(choices)
    return eligibility.joined(labels.get(value, value) for value in values)


def scheme_terms(scheme):
    """The scheme's criteria in words, as the family reads them before applying."""
    terms = []
    if scheme.districts:
        terms.append(
            _("逝者户籍在%(districts)s。") % {"districts": _labels(District.choices, scheme.districts)}
        )
    else:
        terms.append(_("逝者户籍在本市任一区。"))
    if scheme.burial_types:
        terms.append(
            _("安葬方式为%(types)s。") % {"types": _labels(BurialChoice.choices, scheme.burial_types)}
        )
    if scheme.family_statuses:
        terms.append(
            _("家庭情况为%(statuses)s之一。")
            % {"statuses": _labels(FamilyStatus.choices, scheme.family_statuses)}
        )
    if scheme.effective_until:
        terms.append(
            _("死亡日期在 %(start)s 至 %(end)s 之间。")
            % {"start": scheme.effective_from.isoformat(), "end": scheme.effective_until.isoformat()}
        )
    else:
        terms.append(_("死亡日期在 %(start)s 以后。") % {"start": scheme.effective_from.isoformat()})
    if scheme.claim_window_days is not None:
        terms.append(_("须在死亡后 %(days)s 天内申请。") % {"days": scheme.claim_window_days})
    if scheme.is_waiver:
        terms.append(_("须通过本平台的殡葬服务订单申请，减免计入订单账单。"))
    else:
        terms.append(_("同一逝者只能享受一次。"))
    return terms


# The answers each criterion reads: while one is blank the criterion is pending (待填写),
# not failed, so a form being filled in doesn't start as a wall of crosses.
CHECK_INPUTS = {
    "in_force": ("date_of_death",),
    "window": ("date_of_death",),
    "district": ("hukou_district",),
    "burial": ("burial_type",),
    "family_status": ("family_status",),
    "payee": ("payee_name", "payee_bank", "payee_account"),
    "once": ("deceased_id_hmac",),
}


def check_rows(checks, application, *, new=False):
    """The checks as the pages show them: passed, failed, or pending with what it waits for."""
    rows = []
    for check in checks:
        row = {"check": check, "state": "pass" if check.passed else "fail", "explanation": check.explanation}
        blank = check.key in CHECK_INPUTS and not all(
            getattr(application, name, "") for name in CHECK_INPUTS[check.key]
        )
        if check.key == "documents" and new and not check.passed:
            row.update(
                state="pending",
                badge=_("待上传"),
                explanation=_("保存草稿后，逐项上传所需材料。") + " " + check.explanation,
            )
        elif check.key == "once" and blank:
            row.update(state="pending", badge=_("待填写"), explanation=_("填写逝者身份证号后核对。"))
        elif blank and not check.passed:
            row.update(state="pending", badge=_("待填写"))
        rows.append(row)
    return rows


def days_left_each(applications, today):
    """``services.days_left`` for a list, with one calendar lookup for all of them (the page's
    queries stay flat however many applications the family has)."""
    waiting = [a for a in applications if a.status == A.SUBMITTED and a.decision_due is not None]
    if not waiting:
        return {}
    days = [today, *(a.decision_due for a in waiting)]
    special = special_days(min(days), max(days))
    return {a.pk: services.days_left(a, today, special) for a in waiting}


def facts_of(application):
    """The application's facts as (label, value) rows; the identity number and the bank
    account only masked."""
    rows = [
        (_("政策"), application.scheme.display_name),
        (_("逝者姓名"), application.deceased_name),
        (_("逝者居民身份证号"), application.deceased_id_masked),
        (_("死亡日期"), application.date_of_death.isoformat()),
        (_("逝者户籍所在区"), application.get_hukou_district_display() or "—"),
        (_("安葬方式"), application.get_burial_type_display() or "—"),
        (_("家庭情况"), application.get_family_status_display() or "—"),
        (_("申请人与逝者关系"), application.relation or "—"),
    ]
    if not application.scheme.is_waiver:
        rows += [
            (_("收款人姓名"), application.payee_name or "—"),
            (_("开户银行"), application.payee_bank or "—"),
            (_("银行账号"), application.payee_account_masked or "—"),
        ]
    return rows


def steps_of(application, days_left):
    """The timeline: submitted, more documents requested (each item and why), the bureau's
    review and its deadline, the decision. Each step done, current or upcoming."""

    def step(key, title):
        return {"key": key, "title": title, "state": "upcoming", "date": None, "note": "", "items": []}

    status = application.status
    submitted = step("submitted", _("提交申请"))
    if application.first_submitted_on:
        submitted.update(state="done", date=application.first_submitted_on)
    elif status == A.DRAFT:
        submitted.update(state="current", note=_("上传全部材料、各项条件都通过后提交。"))
    steps = [submitted]
    if application.documents_requested_on:
        more = step("more_documents", _("补充材料"))
        more.update(date=application.documents_requested_on, items=application.requested_documents)
        if status == A.MORE_DOCUMENTS:
            more.update(state="current", note=_("请按要求上传后重新提交；重新提交后，审核期限重新计算。"))
        else:
            more.update(state="done")
            if application.submitted_on and application.submitted_on >= application.documents_requested_on:
                more["note"] = _("已于 %(date)s 重新提交。") % {"date": application.submitted_on.isoformat()}
        steps.append(more)
    review = step("review", _("民政部门审核"))
    if status == A.SUBMITTED:
        review["state"] = "current"
        if application.decision_due:
            review["note"] = _("民政部门应在 %(date)s 前作出决定。") % {
                "date": application.decision_due.isoformat()
            }
            if days_left is not None and days_left < 0:
                review["note"] += " " + _("已超过审核期限，已自动提醒民政部门。")
    elif status in DECIDED_STATES:
        review.update(state="done", date=application.submitted_on)
    steps.append(review)
    decision = step("decision", _("审核决定"))
    if status in DECIDED_STATES:
        decision.update(state="done", date=application.decided_on, note=application.get_status_display())
    elif status == A.WITHDRAWN:
        decision.update(state="done", title=_("已撤回"), note=_("申请人撤回了申请。"))
    steps.append(decision)
    return steps


def waiver_state(application):
    """Where an approved waiver stands: waiting for the contract, a change order to sign,
    signed (and what was refunded), or a payment instruction for a completed service."""
    if application.instruction_number:
        return {"state": "instruction"}
    change = application.waiver_change
    if change is None:
        return {"state": "waiting"}
    state = {"change": change, "order": application.order}
    if change.status == ChangeStatus.PROPOSED:
        return {**state, "state": "to_sign"}
    if change.status == ChangeStatus.FAMILY_SIGNED:
        return {**state, "state": "countersign"}
    if change.status == ChangeStatus.SIGNED:
        return {**state, "state": "signed", "refunded": waivers.refunded_for(application)}
    return {**state, "state": "waiting"}


def document_rows(application, bound=None):
    """One row per required item: the current upload, the files it replaced, the bureau's
    reason when it asked for the item again, and (while editable) its upload form."""
    required = eligibility.criteria_of(application)["required_documents"]
    reasons = {}
    if application.status == A.MORE_DOCUMENTS:
        for request in application.requested_documents or ():
            reasons.setdefault(request.get("item"), []).append(request.get("reason", ""))
    uploads = {}
    for document in application.documents.all().order_by("item", "-pk"):
        uploads.setdefault(document.item, []).append(document)
    current_uploads = {d.item: d.uploaded_at for files in uploads.values() for d in files if d.current}
    missing = set(
        eligibility.missing_documents(application, eligibility.criteria_of(application), current_uploads)
    )
    rows = []
    for index, item in enumerate(required):
        files = uploads.get(item, [])
        current = next((d for d in files if d.current), None)
        form = None
        if application.is_editable:
            if bound is not None and bound.data.get("item") == item:
                form = bound
            else:
                form = DocumentForm(auto_id=f"doc{index}_%s", initial={"item": item}, item=item)
        requested = reasons.get(item, [])
        rows.append(
            {
                "index": index,
                "item": item,
                "current": current,
                # Asked for again: the file on record is from before the request (B1's documents check).
                "reupload": bool(requested) and item in missing,
                "replaced": [d for d in files if not d.current],
                "reasons": reasons.get(item, []),
                "form": form,
            }
        )
    return rows
