"""S9: the automatic pre-checks of a registration application, each explained.

:func:`run_prechecks` returns one :class:`Check` per rule that applies to the application's
kind (and, for a change, to the items it changes):

| key | rule |
|---|---|
| ``name_free`` | no registered organisation and no other open application uses the proposed name |
| ``name_words`` | the name carries no word of ``S9_BANNED_NAME_WORDS`` and ends with a form word of its type (``S9_NAME_ENDINGS``) |
| ``founders`` | an establishment names at least ``S9_MIN_FOUNDERS[type]`` founders, each with a name |
| ``serious_list`` | no founder and no (new) legal representative is on the serious-violation list (S6), or is the legal representative of an organisation on it |
| ``capital`` | the registered capital is at least ``S9_MIN_CAPITAL[type]`` (a foundation with public fundraising: ``foundation_public``) |
| ``district`` | the domicile district is one of Beijing's districts |
| ``registered`` | a change or deregistration is for a registered organisation |
| ``liquidation`` | a deregistration names the date its liquidation was completed, not in the future |
| ``materials`` | every item of the checklist (the service guide's 申请材料, ``checklists``) is uploaded |
| ``consents`` | every person the application names has consented with their own SMS code (``consents``) |

Every failed check blocks submission. The serious list is matched on the unit founder's USCC,
and on a person's name against the legal representatives the registry holds: a namesake is
possible, so the explanation names the organisation and the applicant can ask the bureau to
clear it (the check then fails for them, and the bureau's review decides).
"""

import re
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from core.checks import Check, failures, joined  # noqa: F401 (the pre-checks' public names)
from core.money import format_money
from orgs.credit.models import EntryStatus, ListEntry, ListType
from orgs.registry.models import (
    District,
    Organization,
    OrgStatus,
    OrgType,
    RegistryChange,
    name_key,
    name_key_expression,
)

from .checklists import checklist
from .consents import consenters, missing_consents
from .models import OPEN_STATES, ApplicationKind, ConsentRole, RegistrationApplication

Item = RegistryChange.Item


def proposed(application, item):
    """What the application proposes for a registry item (a change: only the items it changes)."""
    if application.kind == ApplicationKind.ESTABLISH:
        return {
            Item.NAME: application.proposed_name,
            Item.LEGAL_REPRESENTATIVE: application.legal_representative,
            Item.DOMICILE: application.domicile,
            Item.REGISTERED_FUNDS: application.registered_capital,
        }.get(item)
    return (application.change_items or {}).get(item)


def org_type_of(application):
    if application.kind == ApplicationKind.ESTABLISH:
        return application.org_type
    return application.organization.org_type if application.organization_id else ""


def registered_named(key):
    """Organisations whose name has this key: served by the registry's expression index."""
    return Organization.objects.alias(key=name_key_expression()).filter(key=key).order_by()


def applications_naming(key):
    """Open applications proposing a name with this key: served by their ``name_key`` index."""
    return RegistrationApplication.objects.filter(name_key=key, status__in=OPEN_STATES)


def _check_name_free(application, name):
    """One indexed lookup in the registry (its name-key expression index) and one in the open
    applications (their stored ``name_key``): names differing only in spaces or bracket width
    are the same name."""
    wanted = name_key(name)
    taken = registered_named(wanted).exclude(pk=application.organization_id).only("uscc").first()
    if taken:
        return False, _("“%(name)s”已是登记在册的社会组织（%(uscc)s）的名称。") % {
            "name": name,
            "uscc": taken.uscc,
        }
    other = applications_naming(wanted).exclude(pk=application.pk).only("number").first()
    if other:
        return False, _("“%(name)s”已由另一件正在办理的登记申请（%(number)s）使用。") % {
            "name": name,
            "number": other.number,
        }
    return True, _("“%(name)s”未被登记在册的社会组织或正在办理的申请使用。") % {"name": name}


# A trailing bracketed qualifier (such as （示例） or （筹）) is not the name's form word.
TRAILING_QUALIFIER = re.compile(r"[（(][^（）()]*[）)]$")


def _check_name_words(name, org_type):
    banned = [word for word in settings.S9_BANNED_NAME_WORDS if word in name]
    name = TRAILING_QUALIFIER.sub("", name.strip())
    if banned:
        return False, _("名称不得含有“%(words)s”。") % {"words": joined(banned)}
    endings = settings.S9_NAME_ENDINGS.get(org_type, ())
    if endings and not name.endswith(tuple(endings)):
        return False, _("%(type)s的名称应以“%(endings)s”之一结尾。") % {
            "type": OrgType(org_type).label,
            "endings": joined(endings),
        }
    return True, _("名称不含禁用字词，并以组织形式用语结尾。")


def founder_names(application):
    return [str(founder.get("name", "")).strip() for founder in application.founders or []]


def _check_founders(application):
    names = founder_names(application)
    minimum = settings.S9_MIN_FOUNDERS.get(application.org_type, 1)
    if any(not name for name in names):
        return False, _("每位发起人都要填写姓名或单位名称。")
    without = [
        str(f.get("name", ""))
        for f in application.founders or ()
        if not f.get("unit_uscc") and not f.get("mobile")
    ]
    if without:
        return False, _("以下个人发起人没有填写手机号码，无法用短信确认：%(names)s。") % {
            "names": joined(without)
        }
    if len(names) < minimum:
        return False, _("%(type)s至少需要%(minimum)s名发起人或会员，现有%(count)s名。") % {
            "type": OrgType(application.org_type).label,
            "minimum": minimum,
            "count": len(names),
        }
    return True, _("共%(count)s名发起人，达到%(minimum)s名的最低要求。") % {
        "count": len(names),
        "minimum": minimum,
    }


def _check_serious_list(application):
    persons = set()
    units = set()
    if application.kind == ApplicationKind.ESTABLISH:
        for founder in application.founders or []:
            if founder.get("unit_uscc"):
                units.add(str(founder["unit_uscc"]).strip().upper())
            elif founder.get("name"):
                persons.add(str(founder["name"]).strip())
    representative = proposed(application, Item.LEGAL_REPRESENTATIVE)
    if representative:
        persons.add(str(representative).strip())
    listed = ListEntry.objects.filter(list_type=ListType.SERIOUS, status=EntryStatus.LISTED).select_related(
        "organization"
    )
    hits = []
    for entry in listed.filter(organization__uscc__in=units):
        hits.append(_("发起单位“%(org)s”在严重违法失信名单中。") % {"org": entry.organization.name})
    for entry in listed.filter(organization__legal_representative__in=persons):
        hits.append(
            _("“%(person)s”是严重违法失信名单中“%(org)s”的法定代表人。")
            % {"person": entry.organization.legal_representative, "org": entry.organization.name}
        )
    if hits:
        return False, " ".join(dict.fromkeys(hits)) + " " + _(
            "如系同名，请在申请理由中说明，由登记管理机关核实。"
        )
    return True, _("发起人和法定代表人均不在严重违法失信名单中，也不是名单中组织的法定代表人。")


def capital_minimum(org_type, public_fundraising=False):
    if org_type == OrgType.FOUNDATION and public_fundraising:
        return settings.S9_MIN_CAPITAL["foundation_public"]
    return settings.S9_MIN_CAPITAL.get(org_type, Decimal("0"))


def _check_capital(application, capital):
    org_type = org_type_of(application)
    public = application.public_fundraising or (
        application.organization_id is not None and application.organization.public_fundraising
    )
    minimum = capital_minimum(org_type, public)
    try:
        amount = Decimal(str(capital).replace(",", "")) if capital not in (None, "") else None
    except InvalidOperation:
        amount = None
    if amount is None:
        return False, _("请填写注册资金。")
    if amount < minimum:
        return False, _("注册资金%(amount)s元低于%(minimum)s元的最低限额。") % {
            "amount": format_money(amount),
            "minimum": format_money(minimum),
        }
    return True, _("注册资金%(amount)s元，不低于%(minimum)s元的最低限额。") % {
        "amount": format_money(amount),
        "minimum": format_money(minimum),
    }


def _check_district(district):
    if district in District.values:
        return True, _("住所位于%(district)s。") % {"district": District(district).label}
    return False, _("请选择住所所在的北京市辖区。")


def checklist_of(application):
    org_type = application.org_type if application.kind == ApplicationKind.ESTABLISH else ""
    return checklist(application.kind, org_type)


def missing_materials(application, items=None):
    items = checklist_of(application) if items is None else items
    uploaded = (
        set(application.materials.filter(current=True).values_list("item", flat=True))
        if application.pk
        else set()
    )
    return [item.name for item in items or () if item.required and item.name not in uploaded]


def _check_materials(application):
    items = checklist_of(application)
    if items is None:
        return False, _(
            "登记管理机关尚未发布这一事项的办事指南和材料清单，暂不能在线提交，请咨询登记管理机关。"
        )
    missing = missing_materials(application, items)
    if missing:
        return False, _("还缺少以下材料：%(items)s。") % {"items": joined(missing)}
    return True, _("材料清单中的%(count)s项必交材料均已上传。") % {
        "count": len([item for item in items if item.required])
    }


def _check_consents(application):
    people = consenters(application)
    if not people:
        return None
    waiting = missing_consents(application)
    if waiting:
        return False, _("还需以下人员用本人手机短信验证码确认：%(names)s。") % {
            "names": joined(f"{person.name}（{ConsentRole(person.role).label}）" for person in waiting)
        }
    return True, _("%(count)s名相关人员均已用本人手机短信验证码确认。") % {"count": len(people)}


def run_prechecks(application, today=None):
    """S9: the pre-checks that apply to ``application``, each with its explanation."""
    today = today or timezone.localdate()
    checks = []

    def add(key, label, result):
        checks.append(Check(key, str(label), result[0], str(result[1])))

    kind = application.kind
    if kind != ApplicationKind.ESTABLISH:
        registered = application.organization_id is not None and (
            application.organization.status == OrgStatus.NORMAL
        )
        add(
            "registered",
            _("登记状态"),
            (True, _("该组织现为登记状态。"))
            if registered
            else (False, _("只有登记状态的社会组织才能申请变更或注销登记。")),
        )
    name = proposed(application, Item.NAME)
    if kind == ApplicationKind.ESTABLISH or name:
        if not name:
            add("name_free", _("名称可用"), (False, _("请填写拟登记名称。")))
        else:
            add("name_free", _("名称可用"), _check_name_free(application, name))
            add("name_words", _("名称用字"), _check_name_words(name, org_type_of(application)))
    if kind == ApplicationKind.ESTABLISH:
        add("founders", _("发起人人数"), _check_founders(application))
    if kind == ApplicationKind.ESTABLISH or proposed(application, Item.LEGAL_REPRESENTATIVE):
        add("serious_list", _("严重违法失信名单"), _check_serious_list(application))
    capital = proposed(application, Item.REGISTERED_FUNDS)
    if kind == ApplicationKind.ESTABLISH or capital not in (None, ""):
        add("capital", _("注册资金"), _check_capital(application, capital))
    if kind == ApplicationKind.ESTABLISH:
        add("district", _("住所所在区"), _check_district(application.district))
    if kind == ApplicationKind.DEREGISTER:
        done = application.liquidation_completed_on
        if done is None:
            result = (False, _("注销登记应在清算完成后申请，请填写清算完成日期。"))
        elif done > today:
            result = (False, _("清算完成日期不能晚于今天。"))
        else:
            result = (True, _("清算已于%(date)s完成。") % {"date": done.isoformat()})
        add("liquidation", _("清算完成"), result)
    add("materials", _("申请材料"), _check_materials(application))
    consents = _check_consents(application)
    if consents is not None:
        add("consents", _("本人确认"), consents)
    return checks
