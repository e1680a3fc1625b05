"""B1: a benefit application's eligibility, computed and explained per criterion.

:func:`check` returns one :class:`Check` for every criterion the scheme sets (an empty list in
the scheme means "any", and that criterion is not shown):

| key | criterion |
|---|---|
| ``in_force`` | the date of death falls within the scheme's effective dates |
| ``window`` | the (first) application comes within the scheme's claim window after the death |
| ``district`` | the deceased's household registration is in one of the scheme's districts (any Beijing district when it names none) |
| ``burial`` | the burial type is one the scheme names (F7's sea and natural burial, for example) |
| ``family_status`` | the family's status is one the scheme names |
| ``order`` | a waiver: the application cites an order on the platform, still open or complete, whose bill holds services the scheme waives and no discount has covered yet |
| ``payee`` | a cash subsidy names the payee, the bank and the account |
| ``once`` | no other application of the scheme for the same deceased is in progress or approved |
| ``documents`` | every document the scheme requires is uploaded |

Every failed criterion blocks submission and approval. An application already submitted is
judged against the criteria stored with it (``BenefitApplication.criteria``), not the scheme
as it reads today.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from core.checks import Check, failures, joined
from core.money import format_money
from marketplace.catalogue.models import BurialChoice
from marketplace.catalogue.models.choices import District

from .models import HOLDING_STATES, ApplicationStatus, BenefitApplication, FamilyStatus, SchemeKind
from .waivers import WAIVABLE_ORDER_STATUSES, waiver_lines


def criteria_of(application):
    """The criteria the application is judged against: those stored at its submission, else the
    scheme's current ones."""
    return application.criteria or application.scheme.criteria()


def _label(choices, value):
    return dict(choices).get(value, value)


def _in_force(application, criteria):
    start = datetime.date.fromisoformat(criteria["effective_from"])
    end = datetime.date.fromisoformat(criteria["effective_until"]) if criteria["effective_until"] else None
    death = application.date_of_death
    period = (
        _("%(start)s 至 %(end)s") % {"start": start.isoformat(), "end": end.isoformat()}
        if end
        else _("%(start)s 起") % {"start": start.isoformat()}
    )
    if death is None:
        return Check("in_force", _("政策有效期"), False, _("请填写死亡日期。"))
    passed = start <= death and (end is None or death <= end)
    return Check(
        "in_force",
        _("政策有效期"),
        passed,
        (
            _("死亡日期 %(date)s 在政策有效期（%(period)s）内。")
            if passed
            else _("死亡日期 %(date)s 不在政策有效期（%(period)s）内。")
        )
        % {"date": death.isoformat(), "period": period},
    )


def _window(application, criteria, today):
    days = criteria["claim_window_days"]
    death = application.date_of_death
    if death is None:
        return Check("window", _("申请期限"), False, _("请填写死亡日期。"))
    last = death + datetime.timedelta(days=days)
    applied = application.first_submitted_on or today
    passed = applied <= last
    return Check(
        "window",
        _("申请期限"),
        passed,
        (
            _("须在死亡后 %(days)s 天内（%(last)s 前）申请，本申请于 %(applied)s 提出。")
            if passed
            else _("须在死亡后 %(days)s 天内（%(last)s 前）申请，已超过期限。")
        )
        % {"days": days, "last": last.isoformat(), "applied": applied.isoformat()},
    )


def _district(application, criteria):
    allowed = criteria["districts"]
    district = application.hukou_district
    scope = joined(_label(District.choices, d) for d in allowed) if allowed else _("本市任一区")
    if not district:
        return Check(
            "district",
            _("户籍所在区"),
            False,
            _("请选择逝者户籍所在区（须为：%(scope)s）。") % {"scope": scope},
        )
    passed = not allowed or district in allowed
    return Check(
        "district",
        _("户籍所在区"),
        passed,
        (
            _("逝者户籍在%(district)s，符合（%(scope)s）。")
            if passed
            else _("逝者户籍在%(district)s，不在%(scope)s。")
        )
        % {"district": _label(District.choices, district), "scope": scope},
    )


def _one_of(key, label, choices, value, allowed, *, missing, passed_text, failed_text):
    """A criterion the scheme names as a list of allowed values (burial type, family status)."""
    scope = joined(_label(choices, v) for v in allowed)
    if not value:
        return Check(key, label, False, missing % {"scope": scope})
    passed = value in allowed
    shown = _label(choices, value)
    # The texts name the value "choice" or "status"; both are given.
    return Check(
        key,
        label,
        passed,
        (passed_text if passed else failed_text) % {"choice": shown, "status": shown, "scope": scope},
    )


def _burial(application, criteria):
    return _one_of(
        "burial",
        _("安葬方式"),
        BurialChoice.choices,
        application.burial_type,
        criteria["burial_types"],
        missing=_("请选择安葬方式（须为：%(scope)s）。"),
        passed_text=_("安葬方式为%(choice)s，符合（%(scope)s）。"),
        failed_text=_("安葬方式为%(choice)s，政策仅适用于%(scope)s。"),
    )


def _family_status(application, criteria):
    return _one_of(
        "family_status",
        _("家庭情况"),
        FamilyStatus.choices,
        application.family_status,
        criteria["family_statuses"],
        missing=_("请选择家庭情况（须为：%(scope)s）。"),
        passed_text=_("家庭情况为%(status)s，符合（%(scope)s）。"),
        failed_text=_("家庭情况为%(status)s，政策仅适用于%(scope)s。"),
    )


def _order(application, criteria):
    order = application.order
    label = _("可减免的服务")
    if order is None:
        return Check(
            "order",
            label,
            False,
            _("费用减免须通过本平台的殡葬服务订单办理；在其他机构办理的，请申请现金补贴类政策。"),
        )
    if order.status not in WAIVABLE_ORDER_STATUSES:
        return Check(
            "order",
            label,
            False,
            _("订单 %(ref)s 已%(status)s，不能减免。")
            % {"ref": order.reference, "status": order.get_status_display()},
        )
    lines = waiver_lines(order, criteria["waived_categories"], policy_reference="")
    if not lines:
        return Check(
            "order",
            label,
            False,
            _("订单 %(ref)s 中没有本政策免除的服务，或已按其他政策减免。") % {"ref": order.reference},
        )
    amount = -sum(line.amount for line in lines)
    return Check(
        "order",
        label,
        True,
        _("订单 %(ref)s 中可减免：%(items)s，共 ¥%(amount)s。")
        % {
            "ref": order.reference,
            "items": joined(line.name for line in lines),
            "amount": format_money(amount),
        },
    )


def holding_application(application):
    """Another application of the same scheme for the same deceased that holds the benefit."""
    if not application.deceased_id_hmac:
        return None
    return (
        BenefitApplication.objects.filter(
            scheme_id=application.scheme_id,
            deceased_id_hmac=application.deceased_id_hmac,
            status__in=HOLDING_STATES,
        )
        .exclude(pk=application.pk)
        .only("number", "status")
        .first()
    )


def _once(application):
    other = holding_application(application)
    label = _("同一逝者仅享受一次")
    if other is None:
        return Check("once", label, True, _("该逝者没有在办或已批准的同一政策申请。"))
    return Check(
        "once",
        label,
        False,
        _("该逝者已有同一政策的申请 %(number)s（%(status)s）。")
        % {"number": other.number, "status": other.get_status_display()},
    )


def missing_documents(application, criteria, uploaded=None):
    """The required documents not uploaded; while the bureau waits for documents it asked for,
    also those asked for and not uploaded again since."""
    if uploaded is None:
        uploaded = {}
        if application.pk:
            uploaded = dict(application.documents.filter(current=True).values_list("item", "uploaded_at"))
    asked = (
        application.documents_requested_at if application.status == ApplicationStatus.MORE_DOCUMENTS else None
    )
    again = {r["item"] for r in application.requested_documents or ()} if asked else set()
    return [
        item
        for item in criteria["required_documents"]
        if item not in uploaded or (item in again and (uploaded[item] is None or uploaded[item] <= asked))
    ]


def _documents(application, criteria):
    missing = missing_documents(application, criteria)
    if missing:
        return Check(
            "documents", _("申请材料"), False, _("尚未上传：%(items)s。") % {"items": joined(missing)}
        )
    return Check(
        "documents",
        _("申请材料"),
        True,
        _("所需材料均已上传：%(items)s。") % {"items": joined(criteria["required_documents"])}
        if criteria["required_documents"]
        else _("本政策无需上传材料。"),
    )


def _payee(application):
    label = _("收款账户")
    if application.payee_name and application.payee_bank and application.payee_account:
        return Check(
            "payee",
            label,
            True,
            _("补贴支付至 %(name)s（%(bank)s，账号 %(account)s）。")
            % {
                "name": application.payee_name,
                "bank": application.payee_bank,
                "account": application.payee_account_masked,
            },
        )
    return Check("payee", label, False, _("请填写收款人姓名、开户银行和银行账号。"))


def check(application, *, today=None):
    """Every criterion of the application's scheme, each with pass or fail and why."""
    today = today or timezone.localdate()
    criteria = criteria_of(application)
    checks = [_in_force(application, criteria)]
    if criteria["claim_window_days"] is not None:
        checks.append(_window(application, criteria, today))
    checks.append(_district(application, criteria))
    if criteria["burial_types"]:
        checks.append(_burial(application, criteria))
    if criteria["family_statuses"]:
        checks.append(_family_status(application, criteria))
    if criteria["kind"] == SchemeKind.WAIVER:
        checks.append(_order(application, criteria))
    else:
        checks.append(_payee(application))
    checks.append(_once(application))
    checks.append(_documents(application, criteria))
    return checks


def explain(checks):
    return [
        _("%(label)s：%(explanation)s") % {"label": c.label, "explanation": c.explanation}
        for c in failures(checks)
    ]
