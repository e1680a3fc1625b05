"""Free tributes (M1): a flower, a candle or a message.

- Nothing is paid for and nothing is ranked: a tribute has no price, and tributes are listed
  newest first, never by count.
- The only limit is a rate limit in a sliding hour, per account (over every memorial,
  ``M1_TRIBUTES_PER_ACCOUNT_PER_HOUR``) and per memorial (from every account,
  ``M1_TRIBUTES_PER_MEMORIAL_PER_HOUR``), counted in the database under the memorial's row lock.
- A message containing a word of the bureau's sensitive-word list is held for the keeper or the
  bureau; otherwise it is published at once, or held for the keeper's approval when the keeper
  chose that (``Memorial.approve_messages``).
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from core.statemachine import transition

from ..models import Memorial, MemorialStatus, Tribute, TributeKind, TributeStatus
from .common import MemorialRefused, matched_words
from .memorials import can_view, is_keeper

TS = TributeStatus


def visible_tributes(memorial):
    """The published tributes of a memorial, newest first (never ranked)."""
    return Tribute.objects.filter(memorial=memorial, status=TS.PUBLISHED).order_by("-created_at", "-id")


def held_tributes(memorial):
    return Tribute.objects.filter(memorial=memorial, status__in=(TS.PENDING, TS.HELD)).order_by(
        "created_at", "id"
    )


def leave_tribute(memorial, user, *, kind, message="", signed_as="", session=None):
    """Leave a free tribute. Returns the tribute (published, pending or held)."""
    if not user.is_authenticated:
        raise MemorialRefused(_("请先登录再祭奠。"), code="sign_in")
    if kind not in TributeKind.values:
        raise MemorialRefused(_("请选择献花、点烛或留言。"), code="kind")
    message = (message or "").strip() if kind == TributeKind.MESSAGE else ""
    if kind == TributeKind.MESSAGE and not message:
        raise MemorialRefused(_("请填写留言内容。"), code="message")
    if len(message) > 500:
        raise MemorialRefused(_("留言不能超过 500 字。"), code="message")
    signed_as = (signed_as or "").strip()[:30] or (user.display_name or _("访客"))[:30]
    words = matched_words(message) if message else []
    now = timezone.now()
    since = now - datetime.timedelta(hours=1)
    with transaction.atomic():
        memorial = Memorial.objects.select_for_update().get(pk=memorial.pk)
        if memorial.status != MemorialStatus.ACTIVE or not can_view(memorial, user, session):
            raise Http404
        if (
            Tribute.objects.filter(author=user, created_at__gte=since).count()
            >= settings.M1_TRIBUTES_PER_ACCOUNT_PER_HOUR
        ):
            raise MemorialRefused(
                _("您一小时内的祭奠已达 %(n)s 次，请稍后再来。")
                % {"n": settings.M1_TRIBUTES_PER_ACCOUNT_PER_HOUR},
                code="account_rate",
            )
        if (
            Tribute.objects.filter(memorial=memorial, created_at__gte=since).count()
            >= settings.M1_TRIBUTES_PER_MEMORIAL_PER_HOUR
        ):
            raise MemorialRefused(
                _("该纪念馆一小时内的祭奠已达 %(n)s 次，请稍后再来。")
                % {"n": settings.M1_TRIBUTES_PER_MEMORIAL_PER_HOUR},
                code="memorial_rate",
            )
        if words:
            status = TS.HELD
        elif kind == TributeKind.MESSAGE and memorial.approve_messages and not is_keeper(memorial, user):
            status = TS.PENDING
        else:
            status = TS.PUBLISHED
        return Tribute.objects.create(
            memorial=memorial,
            author=user,
            kind=kind,
            message=message,
            signed_as=signed_as,
            status=status,
            held_words="、".join(words)[:200],
        )


def decide_tribute(memorial, user, tribute_id, *, approve, reason=""):
    """A keeper publishes or declines a held or pending message of their memorial."""
    if not is_keeper(memorial, user):
        raise Http404
    tribute = held_tributes(memorial).filter(pk=tribute_id).first()
    if tribute is None:
        raise Http404
    target = TS.PUBLISHED if approve else TS.REJECTED
    reason = (reason or "").strip() or (_("馆主审核通过") if approve else _("馆主未予发布"))
    tribute.decision_reason = reason[:500]
    return transition(tribute, target, user=user, reason=reason, save_fields=("decision_reason",))
