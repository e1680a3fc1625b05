"""How an application reads on its pages: its steps on the clock, and its facts by kind."""

from django.utils.translation import gettext as _

from core.money import format_money
from orgs.registry.models import RegistryChange

from .consents import masked
from .models import ApplicationKind, ApplicationStatus
from .prechecks import joined

A = ApplicationStatus


def _step(title, day=None, state="upcoming", note=""):
    return {"title": title, "date": day, "state": state, "note": note}


def steps_of(application):
    """The four steps (submission, formal check, substantive review, decision), each done,
    current or upcoming, with its date or deadline."""
    status = application.status
    decided = status in (A.APPROVED, A.REFUSED)
    submitted = _step(_("提交申请"))
    formal = _step(_("形式审查"))
    review = _step(_("实质审查"))
    decision = _step(_("登记决定"))
    if application.submitted_on:
        submitted.update(state="done", date=application.submitted_on)
    elif status == A.DRAFT:
        submitted.update(state="current", note=_("上传全部材料、各项预检通过后提交。"))
    if status == A.SUBMITTED:
        formal.update(
            state="current",
            note=_("登记管理机关应在%(date)s前受理或一次性告知需补正的材料。")
            % {"date": application.formal_check_due.isoformat()},
        )
    elif status == A.RETURNED:
        formal.update(
            state="current",
            date=application.returned_on,
            note=_("退回补正：%(items)s。补齐后重新提交。") % {"items": joined(application.returned_items)},
        )
    elif application.accepted_on:
        formal.update(state="done", date=application.accepted_on, note=_("材料齐全，已受理。"))
    if status == A.IN_REVIEW:
        review.update(
            state="current",
            note=_("登记管理机关应在%(date)s前作出决定。") % {"date": application.decision_due.isoformat()},
        )
    elif decided:
        review.update(state="done", date=application.decided_on)
    if decided:
        note = application.decision_reason
        if status == A.REFUSED:
            note = _("不予登记。理由：%(reason)s；依据：%(basis)s") % {
                "reason": application.decision_reason,
                "basis": application.legal_basis,
            }
        decision.update(
            state="done", date=application.decided_on, note=note or application.get_status_display()
        )
    if status == A.WITHDRAWN:
        decision.update(state="done", note=_("申请人已撤回申请。"))
    return [submitted, formal, review, decision]


def founders_lines(founders):
    """The founders as the pages show them: a unit with its USCC, a person with a masked number."""
    return "\n".join(
        " ".join(filter(None, (f.get("name", ""), f.get("unit_uscc") or masked(f.get("mobile", "")))))
        for f in founders or ()
    )


def _row(label, value, multiline=False):
    return {"label": label, "value": value if value not in (None, "") else "—", "multiline": multiline}


def summary_sections(application):
    kind = application.kind
    if kind == ApplicationKind.ESTABLISH:
        rows = [
            _row(_("组织类型"), application.get_org_type_display()),
            _row(_("拟登记名称"), application.proposed_name),
            _row(_("住所"), application.domicile),
            _row(_("住所所在区"), application.get_district_display()),
            _row(_("拟任法定代表人"), application.legal_representative),
            _row(_("业务范围"), application.business_scope, multiline=True),
            _row(_("服务领域"), application.get_service_field_display()),
            _row(
                _("注册资金（元）"),
                format_money(application.registered_capital)
                if application.registered_capital is not None
                else "",
            ),
            _row(
                _("业务主管单位"),
                application.supervising_unit.name if application.supervising_unit_id else "",
            ),
            _row(
                _("发起人（%(count)s）") % {"count": len(application.founders or [])},
                founders_lines(application.founders),
                multiline=True,
            ),
        ]
        title = _("拟登记事项")
    elif kind == ApplicationKind.CHANGE:
        organization = application.organization
        rows = [
            _row(
                RegistryChange.Item(item).label,
                _("%(before)s → %(after)s")
                % {"before": application.changed_from.get(item, getattr(organization, item)), "after": after},
                multiline=True,
            )
            for item, after in application.change_items.items()
        ]
        rows.append(_row(_("变更理由"), application.reason, multiline=True))
        title = _("变更事项")
    else:
        rows = [
            _row(
                _("清算完成日期"),
                application.liquidation_completed_on.isoformat()
                if application.liquidation_completed_on
                else "",
            ),
            _row(_("注销理由"), application.reason, multiline=True),
        ]
        title = _("注销登记")
    return [{"key": "facts", "title": title, "rows": rows}]
