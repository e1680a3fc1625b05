"""身后一件事: co-keepers. The owner invites a mobile number by SMS (a link with an unguessable
token, stored only as its digest); only the account holding that SMS-verified number accepts;
the owner revokes. Settings: ``CHECKLIST_INVITATION_DAYS``, ``CHECKLIST_MAX_KEEPERS``,
``CHECKLIST_INVITATION_RESEND_SECONDS``."""

import datetime
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from accounts.sms import send_sms_on_commit
from accounts.validators import normalize_mobile, validate_mobile
from core import demo
from core.statemachine import transition
from core.verification import mask_name

from .common import ACTION_INVITED, ACTION_JOINED, ACTION_REVOKED, ChecklistRefused
from .models import (
    LIVE_KEEPER_STATUSES,
    Checklist,
    ChecklistKeeper,
    KeeperStatus,
    token_digest,
)

# --- Co-keepers ------------------------------------------------------------------------------------


def _is_expired(keeper, now):
    return keeper.status == KeeperStatus.INVITED and keeper.expires_at <= now


def invitation_link(token, base_url=""):
    """The accept page in the platform's language (the SMS is in Chinese)."""
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("benefit_checklist:accept", kwargs={"token": token})
    return f"{base_url.rstrip('/')}{path}"


def _invitation_text(checklist, inviter, link, expires_at):
    with translation.override(settings.LANGUAGE_CODE):
        who = (
            mask_name(inviter.real_name)
            if inviter.real_name
            else _("尾号 %(tail)s 的用户") % {"tail": inviter.mobile[-4:]}
        )
        return _(
            "【北京市民政公共服务平台】%(who)s邀请您共同办理逝者%(name)s的身后一件事。请用本手机号登录平台后打开 %(link)s 接受邀请（%(date)s 前有效）。如不认识邀请人，请忽略本短信。"
        ) % {
            "who": who,
            "name": mask_name(checklist.deceased_name),
            "link": link,
            "date": timezone.localtime(expires_at).strftime("%Y-%m-%d"),
        }


def invite(checklist, user, *, mobile, base_url="", now=None):
    """The owner invites the holder of ``mobile`` as a co-keeper: a new unguessable link by SMS
    (inviting a number again sends a fresh link and the old one stops working). Co-keepers
    cannot invite. Returns the keeper row; the raw token is only in the SMS."""
    now = now or timezone.now()
    if checklist.owner_id != user.pk:
        raise Http404
    mobile = normalize_mobile(mobile)
    try:
        validate_mobile(mobile)
    except ValidationError:
        raise ChecklistRefused(_("请填写正确的手机号码（11 位数字）。"), code="mobile") from None
    if mobile == user.mobile:
        raise ChecklistRefused(_("这是您自己的手机号码，您已是本清单的建立人。"), code="mobile")
    token = secrets.token_urlsafe(24)
    expires = now + datetime.timedelta(days=settings.CHECKLIST_INVITATION_DAYS)
    with transaction.atomic():
        Checklist.objects.select_for_update().filter(pk=checklist.pk).first()  # one invitation at a time
        live = list(ChecklistKeeper.objects.filter(checklist=checklist, status__in=LIVE_KEEPER_STATUSES))
        same = next((k for k in live if k.mobile == mobile), None)
        if same is not None and same.status == KeeperStatus.ACCEPTED:
            raise ChecklistRefused(_("该手机号码的账户已是共同办理人。"), code="member")
        if same is not None:
            gap = settings.CHECKLIST_INVITATION_RESEND_SECONDS
            if (now - same.invited_at).total_seconds() < gap:
                raise ChecklistRefused(
                    _("刚刚已向该号码发送过邀请，请 %(seconds)s 秒后再试。") % {"seconds": gap},
                    code="too_soon",
                )
            same.token_hash, same.invited_at, same.expires_at, same.invited_by = (
                token_digest(token),
                now,
                expires,
                user,
            )
            same.save(update_fields=["token_hash", "invited_at", "expires_at", "invited_by"])
            keeper = same
        else:
            counted = [k for k in live if not _is_expired(k, now)]
            if len(counted) >= settings.CHECKLIST_MAX_KEEPERS:
                raise ChecklistRefused(
                    _("每份清单最多 %(max)s 位共同办理人（含待接受的邀请）。请先撤销不再需要的。")
                    % {"max": settings.CHECKLIST_MAX_KEEPERS},
                    code="too_many",
                )
            for stale in live:  # an expired invitation to another number frees its place
                if _is_expired(stale, now):
                    transition(stale, KeeperStatus.REVOKED, user=user, reason="expired")
            keeper = ChecklistKeeper.objects.create(
                checklist=checklist,
                mobile=mobile,
                token_hash=token_digest(token),
                invited_by=user,
                invited_at=now,
                expires_at=expires,
            )
        log(checklist, ACTION_INVITED, user=user, data={"mobile": keeper.masked_mobile})
        if not demo.is_loading():
            send_sms_on_commit(
                mobile,
                _invitation_text(checklist, user, invitation_link(token, base_url), expires),
                what="checklist invitation",
            )
    keeper.token = token  # for the caller (tests, the demo); never stored
    return keeper


def invitation_or_404(token, user):
    """The invitation behind ``token`` if it was sent to ``user``'s number; anything else
    (an unknown token, another account) answers 404, disclosing nothing."""
    if not token or not user.is_authenticated:
        raise Http404
    keeper = (
        ChecklistKeeper.objects.select_related("checklist__owner", "invited_by")
        .filter(token_hash=token_digest(token))
        .first()
    )
    if keeper is None or keeper.mobile != user.mobile:
        raise Http404
    return keeper


def acceptance_problem(keeper, user, *, now=None):
    """Why ``user`` (holding the invited number) can't accept now, or ``None``."""
    now = now or timezone.now()
    if keeper.status == KeeperStatus.ACCEPTED and keeper.user_id == user.pk:
        return None
    if keeper.status != KeeperStatus.INVITED:
        return ChecklistRefused(_("该邀请已被撤销。如仍需共同办理，请联系邀请人重新邀请。"), code="revoked")
    if keeper.expires_at <= now:
        return ChecklistRefused(_("该邀请已过期。请联系邀请人重新邀请。"), code="expired")
    if keeper.checklist.owner_id == user.pk:
        return ChecklistRefused(_("您是本清单的建立人，无需接受邀请。"), code="owner")
    if not user.is_mobile_verified:
        return ChecklistRefused(
            _("您的手机号码尚未通过短信验证。请先用短信验证码登录，证明您持有这个号码，再接受邀请。"),
            code="unverified",
        )
    return None


def accept(token, user, *, now=None):
    """The account holding the invited, SMS-verified number becomes a co-keeper."""
    now = now or timezone.now()
    with transaction.atomic():
        keeper = invitation_or_404(token, user)
        keeper = (
            ChecklistKeeper.objects.select_for_update().select_related("checklist__owner").get(pk=keeper.pk)
        )
        problem = acceptance_problem(keeper, user, now=now)
        if problem is not None:
            raise problem
        if keeper.status == KeeperStatus.ACCEPTED:
            return keeper.checklist
        keeper.user, keeper.accepted_at = user, now
        transition(keeper, KeeperStatus.ACCEPTED, user=user, save_fields=("user", "accepted_at"))
        log(keeper.checklist, ACTION_JOINED, user=user, data={"mobile": keeper.masked_mobile})
    return keeper.checklist


def revoke(checklist, keeper_id, user, *, now=None):
    """The owner withdraws an invitation or a co-keeper's access (at once)."""
    now = now or timezone.now()
    if checklist.owner_id != user.pk:
        raise Http404
    try:
        keeper_id = int(keeper_id)
    except (TypeError, ValueError):
        raise Http404 from None
    with transaction.atomic():
        keeper = (
            ChecklistKeeper.objects.select_for_update()
            .filter(checklist=checklist, pk=keeper_id, status__in=LIVE_KEEPER_STATUSES)
            .first()
        )
        if keeper is None:
            raise Http404
        keeper.revoked_at = now
        transition(keeper, KeeperStatus.REVOKED, user=user, save_fields=("revoked_at",))
        log(checklist, ACTION_REVOKED, user=user, data={"mobile": keeper.masked_mobile})
    return keeper


def is_expired(keeper, now=None):
    return _is_expired(keeper, now or timezone.now())
