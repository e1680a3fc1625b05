"""Issuing electronic licences (电子证照, S9).

| function | what |
|---|---|
| :func:`facts_of` | the facts a licence prints, read from the registry now |
| :func:`title_for` | the certificate's title for the organisation's type and registration state |
| :func:`issue_licence` | seal and register a new licence when the facts differ from the current one; the old one is superseded |
| :func:`current_licence` | the organisation's current licence, or None |
| :func:`issue_missing` | a first licence for every organisation without one (bulk, idempotent) |

Every change registration (``orgs.registry.services.record_change``, including deregistration
and revocation, which change the status) and every correction of the registry in the admin
(``registry_corrected``) issues the next licence inside the change's own transaction
(:func:`on_registration_change`; nothing when the printed facts did not change), so there is never a registration state without
its current licence, nor two current licences (a partial unique constraint).
"""

import io

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.models import VerifiableDocument
from core.verification import issue_document, supersede
from orgs.registry.models import Organization, OrgStatus, OrgType

from .models import FACT_FIELDS, Licence

ISSUER = "北京市民政局"

# The certificate each type of organisation holds while registered (登记证书).
CERTIFICATE_TITLES = {
    OrgType.SOCIAL_GROUP: "社会团体法人登记证书",
    OrgType.SOCIAL_SERVICE: "社会服务机构登记证书",
    OrgType.FOUNDATION: "基金会法人登记证书",
}
# Once the organisation is no longer registered, its current document certifies that.
STATE_TITLES = {
    OrgStatus.DEREGISTERED: "注销登记证明",
    OrgStatus.REVOKED: "撤销登记证明",
}


def facts_of(organization):
    """The registry's facts as the licence prints them, each as text (stored with the licence)."""
    facts = {}
    for field in FACT_FIELDS:
        if field == "supervising_unit":
            value = organization.supervising_unit.name if organization.supervising_unit_id else ""
        elif field == "registered_funds":
            value = f"{organization.registered_funds:,.2f}"
        elif field == "registered_on":
            value = organization.registered_on.isoformat()
        elif field in ("org_type", "registration_authority", "status"):
            value = str(getattr(organization, f"get_{field}_display")())
        else:
            value = str(getattr(organization, field))
        facts[field] = value
    return facts


def title_for(organization):
    if organization.status in STATE_TITLES:
        return STATE_TITLES[organization.status]
    return CERTIFICATE_TITLES[organization.org_type]


def fact_rows(facts):
    """(label, value) pairs in the certificate's order, labelled by the registry's own field names."""
    rows = []
    for field in FACT_FIELDS:
        label = Organization._meta.get_field(field).verbose_name
        rows.append((str(label), facts.get(field, "")))
    return rows


def render_licence(*, title, facts, version, reason, issued_on, code, url):
    """The licence as a PDF (reportlab, embedded CJK font) with its verification code and QR code."""
    from reportlab.lib import colors
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

    from core import pdf

    styles = pdf.styles()
    font = pdf.cjk_font_name()
    body, small = styles["BodyText"], styles["Small"]
    buffer = io.BytesIO()
    doc = pdf.document(
        buffer,
        title=title,
        author=ISSUER,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
    )

    def p(text, style=body):
        return Paragraph(str(text), style)

    rows = [[p(label), p(value or "—")] for label, value in fact_rows(facts)]
    rows += [
        [p(_("证照版本")), p(_("第 %(version)s 版（%(reason)s）") % {"version": version, "reason": reason})],
        [p(_("发证日期")), p(issued_on.isoformat())],
    ]
    facts_table = Table(rows, colWidths=[42 * mm, 128 * mm])
    facts_table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#eef0f3")),
            ]
        )
    )
    drawing = pdf.qr_drawing(url, size_mm=32)
    foot = Table(
        [
            [
                [
                    p(
                        _("发证机关：%(authority)s；电子印章：%(issuer)s（北京市民政公共服务平台）")
                        % {"authority": facts.get("registration_authority", ""), "issuer": ISSUER}
                    ),
                    p(_("核验码：%(code)s") % {"code": code}),
                    p(_("核验网址：%(url)s") % {"url": url}, small),
                    p(
                        _(
                            "扫描二维码或在核验网址输入核验码，可查验本证照是否为现行有效版本；"
                            "登记事项变更后，本证照由新版本取代。"
                        ),
                        small,
                    ),
                ],
                drawing,
            ]
        ],
        colWidths=[134 * mm, 36 * mm],
    )
    foot.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONTNAME", (0, 0), (-1, -1), font)]))
    story = [p(title, styles["Title"]), p(_("（电子证照）"), styles["Title"]), Spacer(1, 6 * mm)]
    story += [facts_table, Spacer(1, 8 * mm), foot]
    doc.build(story)
    return buffer.getvalue()


def current_licence(organization):
    return Licence.objects.filter(organization=organization, current=True).select_related("document").first()


def issue_licence(organization, *, reason, user=None, base_url=""):
    """The licence is an official document in Chinese, whatever the language of the request
    that caused it (its stored facts are compared as text, so they must not vary either)."""
    with translation.override(settings.LANGUAGE_CODE):
        # Issued from a registry change or a command there is no request: the QR code then
        # points at the site's configured address.
        base_url = (base_url or settings.WAGTAILADMIN_BASE_URL).rstrip("/")
        return _issue_licence(organization, reason=str(reason), user=user, base_url=base_url)


def _issue_licence(organization, *, reason, user, base_url):
    """S9: the organisation's current licence for its registration state now.

    Returns the current licence unchanged when its facts and state are the registry's (so
    running it twice issues nothing). Otherwise seals the next version, makes it the current
    one and marks the previous one's document superseded by it. The organisation's row is
    locked, so two changes at once issue two versions one after the other."""
    with transaction.atomic():
        organization = (
            Organization.objects.select_for_update(of=("self",))
            .select_related("supervising_unit")
            .get(pk=organization.pk)
        )
        facts = facts_of(organization)
        previous = current_licence(organization)
        if previous is not None and previous.facts == facts and previous.status == organization.status:
            return previous
        version = (
            Licence.objects.filter(organization=organization).aggregate(top=Max("version"))["top"] or 0
        ) + 1
        title = title_for(organization)
        issued_at = timezone.now()
        document = issue_document(
            source=organization,
            kind=VerifiableDocument.Kind.REGISTRATION_LICENCE,
            title=f"{organization.name} {title}",
            issuer_name=facts["registration_authority"],
            holder_name=organization.name,
            holder_is_person=False,
            render=lambda code, url: render_licence(
                title=title,
                facts=facts,
                version=version,
                reason=reason,
                issued_on=timezone.localdate(issued_at),
                code=code,
                url=url,
            ),
            reason=title,
            base_url=base_url,
        )
        if previous is not None:
            previous.current = False
            previous.save(update_fields=["current"])
            supersede(
                previous.document,
                document,
                _("登记事项变更，已由第 %(version)s 版取代") % {"version": version},
            )
        return Licence.objects.create(
            organization=organization,
            version=version,
            status=organization.status,
            facts=facts,
            reason=str(reason)[: Licence._meta.get_field("reason").max_length],
            document=document,
            current=True,
            issued_at=issued_at,
            issued_by=user,
        )


def change_reason(change):
    if change is None:
        return _("登记信息更正后重新发放")
    return _("变更登记：%(item)s（%(day)s 核准）") % {
        "item": change.get_item_display(),
        "day": change.changed_on.isoformat(),
    }


def on_registration_change(organization, change, *, user):
    """Listener of ``orgs.registry.services.record_change``: the next licence, in the same transaction."""
    with translation.override(settings.LANGUAGE_CODE):
        reason = change_reason(change)
    issue_licence(organization, reason=reason, user=user)


def issue_missing(*, user=None, base_url="", limit=None):
    """A first licence for every organisation that has none; returns how many were issued."""
    missing = Organization.objects.exclude(licences__current=True).order_by("pk")
    if limit is not None:
        missing = missing[:limit]
    issued = 0
    for organization in missing:
        with translation.override(settings.LANGUAGE_CODE):
            reason = _("首次发放电子证照")
        issue_licence(organization, reason=reason, user=user, base_url=base_url)
        issued += 1
    return issued
