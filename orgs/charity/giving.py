"""Online giving through the payments app (issue 8 §5).

A signed-in donor picks an amount and whether to stay anonymous; the payment intent
pays for the project and carries the donor's choice in its metadata. The
``Donation`` is created only from ``payment_succeeded`` (a verified notification or
the platform's own query of the gateway), exactly once: its receipt number is the
intent's public id, unique per organisation, so a replayed signal finds it again.

A refund of a gift reaches the disclosure as a correcting row (C4, append-only): the
donation's current row is corrected to what the charity keeps, so the project totals,
the donation lookup and the open data all show the net amount. A donor can cancel a gift
not yet paid: its intent is closed at the gateway, and money that still arrives for it
(or for a project no longer fundraising) is refunded in full by the payments app.
"""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import pdf as platform_pdf
from core.models import VerifiableDocument
from core.verification import documents_for, issue_document, revoke
from payments import services as payments
from payments.models import PaymentIntent
from payments.providers import NotificationRejected, ProviderError

from .models import CharityProject, Donation, ProjectStatus

MIN_ONLINE_DONATION = Decimal("1.00")
MAX_ONLINE_DONATION = Decimal("500000.00")


def accepts_online_gifts(project):
    return project.status == ProjectStatus.FUNDRAISING and project.organization.is_charity


def donor_name(user):
    return user.real_name or user.display_name or user.masked_mobile


def start_gift(project, user, *, amount, anonymous, return_url):
    """The payment intent for one gift. Each press of "donate" is a new gift, so the key
    is random; the intent's metadata keeps the donor's anonymity choice."""
    if not accepts_online_gifts(project):
        raise ValidationError(_("该项目当前不接受在线捐赠。"))
    return payments.create_intent(
        amount,
        _("慈善捐赠 · %(project)s") % {"project": project.name},
        f"gift:{project.pk}:{user.pk}:{secrets.token_hex(8)}",
        payable=project,
        user=user,
        return_url=return_url,
        metadata={"project": project.pk, "anonymous": bool(anonymous), "donor": donor_name(user)},
    )


def gift_refusal(project):
    """Registered with ``payments.payables``: a project takes online gifts only while fundraising."""
    if accepts_online_gifts(project):
        return ""
    return _("项目“%(project)s”已停止接受在线捐赠") % {"project": project.name}


def cancel_gift(intent, user):
    """The donor calls off a gift not yet paid. Returns True when cancelled, False when the
    payment had already gone through (the gift then stands and is disclosed)."""
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("捐赠人已取消这笔捐赠")
    try:
        return payments.close_intent(intent, user=user, reason="withdrawn", refuse=reason)
    except (ProviderError, NotificationRejected) as exc:
        raise ValidationError(_("支付渠道暂时无法取消这笔支付，请稍后再试。")) from exc


def on_payment_succeeded(sender, intent, transaction, **kwargs):
    project = intent.payable if isinstance(intent.payable, CharityProject) else None
    if project is not None:
        record_gift(project, intent, transaction.amount)


def record_gift(project, intent, amount):
    """Create the donation for a paid intent; a second call returns the same donation."""
    existing = Donation.objects.filter(
        organization=project.organization, receipt_number=intent.public_id
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Donation.objects.create(
                organization=project.organization,
                project=project,
                donor_name=intent.metadata.get("donor") or _("在线捐赠人"),
                anonymous=bool(intent.metadata.get("anonymous")),
                kind=Donation.Kind.MONEY,
                amount=amount,
                donated_on=timezone.localdate(),
                channel=Donation.Channel.ONLINE,
                receipt_number=intent.public_id,
            )
    except IntegrityError:  # a concurrent delivery created it first
        return Donation.objects.get(organization=project.organization, receipt_number=intent.public_id)


def on_refund_succeeded(sender, refund, intent, transaction, **kwargs):
    project = intent.payable if isinstance(intent.payable, CharityProject) else None
    if project is not None:
        record_refund(project, intent, refund)


def record_refund(project, intent, refund):
    """Correct the gift's current disclosure row to what the charity keeps after ``refund``.

    Runs inside the transaction that records the refund, with the intent locked, so the
    ledger's net is exact; a second call finds the row already right and adds nothing."""
    original = Donation.objects.filter(
        organization=project.organization, receipt_number=intent.public_id, corrects__isnull=True
    ).first()
    if original is None:
        return None
    current = latest_version(original)
    kept = intent.amount_captured - intent.amount_refunded
    if current.amount == kept:
        return current
    with translation.override(settings.LANGUAGE_CODE):
        note = _("退款 ¥%(amount)s（%(refund)s）：%(reason)s") % {
            "amount": refund.amount,
            "refund": refund.public_id,
            "reason": refund.reason,
        }
    correction = Donation.objects.create(
        corrects=current,
        organization=current.organization,
        project=current.project,
        donor_name=current.donor_name,
        anonymous=current.anonymous,
        kind=current.kind,
        amount=kept,
        in_kind_description=current.in_kind_description,
        donated_on=current.donated_on,
        channel=current.channel,
        receipt_number=current.receipt_number,
        correction_note=note[:300],
    )
    for document in documents_for(current).filter(kind=VerifiableDocument.Kind.DONATION_RECEIPT):
        # The receipt for the old amount no longer stands for the gift: /verify/ says so.
        revoke(document, note)
    return correction


def latest_version(donation):
    """The row that currently stands for ``donation`` (following its corrections)."""
    while True:
        newer = Donation.objects.filter(corrects=donation).first()
        if newer is None:
            return donation
        donation = newer


def gifts_of(user):
    """The user's online gifts: paid intents for projects, with their donations."""
    intents = PaymentIntent.objects.filter(
        user=user, content_type__app_label="charity", content_type__model="charityproject"
    ).order_by("-created_at")
    by_receipt = {
        d.receipt_number: d
        for d in Donation.objects.current()
        .filter(channel=Donation.Channel.ONLINE, receipt_number__in=[i.public_id for i in intents])
        .select_related("project")
    }
    return [(intent, by_receipt.get(intent.public_id)) for intent in intents]


def receipt_for(donation, base_url=""):
    """The sealed donation receipt (捐赠票据), made the first time it is asked for."""
    existing = documents_for(donation).filter(kind=VerifiableDocument.Kind.DONATION_RECEIPT).first()
    if existing is not None:
        return existing
    return issue_document(
        source=donation,
        kind=VerifiableDocument.Kind.DONATION_RECEIPT,
        title=_("捐赠票据 %(number)s") % {"number": donation.receipt_number},
        issuer_name=donation.organization.name,
        holder_name="" if donation.anonymous else donation.donor_name,
        render=lambda code, url: render_receipt(donation, code, url),
        reason=_("捐赠票据"),
        base_url=base_url or settings.WAGTAILADMIN_BASE_URL,
    )


def render_receipt(donation, code, url):
    return platform_pdf.receipt(
        title="慈善捐赠票据",
        document_title=f"捐赠票据 {donation.receipt_number}",
        rows=[
            ("受赠单位", donation.organization.name),
            ("统一社会信用代码", donation.organization.uscc),
            ("捐赠项目", donation.project.name),
            ("捐赠人", donation.public_donor_name),
            ("捐赠金额", f"¥{donation.amount:,.2f}"),
            ("捐赠日期", donation.donated_on.isoformat()),
            ("票据号", donation.receipt_number),
            ("捐赠渠道", "北京市民政公共服务平台在线捐赠"),
        ],
        notes=["可凭慈善组织名称和票据号在平台“我的捐赠去哪了”查询捐赠去向。"],
        code=code,
        url=url,
    )
