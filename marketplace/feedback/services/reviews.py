"""Reviews (R1): only verified purchases are reviewed; moderated; providers reply once.

Rules:
- R1 eligibility: the order's own family (``order.user``), an order that is ``completed`` (its
  contract fulfilled, and its cremation or burial certificate issued where M2 requires one: the
  orders app completes an order only with it), within ``R1_REVIEW_WINDOW_DAYS`` of
  ``completed_at``; one review per order (also a database constraint, so a retry can't make two).
  Refusals raise :class:`ReviewRefused` subclasses with a translated message.
- R1 publication: under a masked name (王*), with the month of completion and the services of
  the contract lines (plus signed change lines), never typed in.
- R1 moderation: a review containing a word of the bureau's list (``SensitiveWord``) is held
  for staff; otherwise the filter publishes it, unless ``R1_MODERATE_ALL_REVIEWS`` sends every
  review to the staff queue. Staff publish or reject (a reason is required, and the family sees
  it). Anyone may report a published review; it goes back to the queue, and staff dismiss the
  report or hide the review (with a reason). Every move is ``core.statemachine.transition``.
- R1 replies: one per review, only on a published review, by the provider's staff; editable
  within ``R1_REPLY_EDIT_HOURS`` of the first reply; every text kept (``ReviewReplyVersion``).
- R1 summary: after every move in or out of ``published``, the provider's count, average and
  distribution are recomputed and handed to ``marketplace.catalogue.services.ratings``.
"""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.statemachine import transition
from marketplace.catalogue.services.ratings import record_ratings
from marketplace.orders.models import ChangeStatus, Order, OrderLine, OrderStatus

from ..models import (
    Review,
    ReviewReply,
    ReviewReplyVersion,
    ReviewReport,
    ReviewStatus,
    SensitiveWord,
)

RS = ReviewStatus


class ReviewRefused(ValidationError):
    """A review, reply or decision the rules don't allow; the message says why."""


class NotEligible(ReviewRefused):
    pass


class AlreadyReviewed(ReviewRefused):
    pass


class WindowClosed(ReviewRefused):
    pass


class ReplyRefused(ReviewRefused):
    pass


class DecisionRefused(ReviewRefused):
    pass


# --- Eligibility ------------------------------------------------------------------------------


def window_closes(order):
    """The last moment the order can be reviewed (aware, Asia/Shanghai), or ``None``."""
    if order.completed_at is None:
        return None
    return order.completed_at + datetime.timedelta(days=settings.R1_REVIEW_WINDOW_DAYS)


def check_eligibility(user, order, *, now=None):
    """Raise the reason ``user`` may not review ``order`` now; return ``None`` when they may."""
    now = now or timezone.now()
    if user is None or not user.is_authenticated or order.user_id != user.pk:
        raise NotEligible(_("只有下单的家属本人可以评价该订单。"), code="not_family")
    if order.status != OrderStatus.COMPLETED or order.completed_at is None:
        raise NotEligible(
            _("只有已完成的订单可以评价：服务完成（并出具火化或安葬证明）后即可评价。"), code="not_completed"
        )
    if Review.objects.filter(order=order).exists():
        raise AlreadyReviewed(_("该订单已经评价过，每个订单只能评价一次。"), code="already_reviewed")
    if now > window_closes(order):
        raise WindowClosed(
            _("评价期限已过：订单完成后 %(days)s 天内可以评价。") % {"days": settings.R1_REVIEW_WINDOW_DAYS},
            code="window_closed",
        )


def eligible_orders(user, *, now=None):
    """The user's completed orders that can still be reviewed, newest first."""
    now = now or timezone.now()
    since = now - datetime.timedelta(days=settings.R1_REVIEW_WINDOW_DAYS)
    return (
        Order.objects.filter(user=user, status=OrderStatus.COMPLETED, completed_at__gte=since)
        .filter(review__isnull=True)
        .select_related("provider")
        .order_by("-completed_at")
    )


# --- Published facts --------------------------------------------------------------------------


def masked_name(user, order):
    """The reviewer's surname and one star: 王丽 → 王*."""
    name = (getattr(user, "real_name", "") or order.contact_name or "").strip()
    return f"{name[0]}*" if name else "*"


def bought_services(order):
    """The names of the items of the contract and its signed change lines, in contract order."""
    lines = (
        OrderLine.objects.filter(order=order, kind=OrderLine.Kind.ITEM, quantity__gt=0)
        .filter(
            Q(stage=OrderLine.Stage.CONTRACT)
            | Q(stage=OrderLine.Stage.CHANGE, change_order__status=ChangeStatus.SIGNED)
        )
        .order_by("stage", "sort_order", "pk")
        .values_list("name", flat=True)
    )
    names = []
    for name in lines:
        if name not in names:
            names.append(name)
    return "、".join(names)[:500]


def matched_words(text):
    """The bureau's sensitive words that occur in ``text`` (case-insensitive)."""
    lowered = text.casefold()
    return [
        word for word in SensitiveWord.objects.values_list("word", flat=True) if word.casefold() in lowered
    ]


# --- Submitting and moderating ------------------------------------------------------------------


def submit_review(user, order, *, overall, price_transparency, service_attitude, facilities, text):
    """Write the family's review of its completed order and run the word filter (R1)."""
    text = (text or "").strip()
    if not text:
        raise ReviewRefused(_("请填写评价内容。"), code="empty")
    scores = (overall, price_transparency, service_attitude, facilities)
    if any(not isinstance(score, int) or not 1 <= score <= 5 for score in scores):
        raise ReviewRefused(_("每项评分须为 1 至 5 星。"), code="score")
    try:
        with transaction.atomic():
            order = Order.objects.select_for_update().get(pk=order.pk)
            check_eligibility(user, order)
            completed = timezone.localtime(order.completed_at)
            review = Review.objects.create(
                order=order,
                provider_id=order.provider_id,
                user=user,
                overall=overall,
                price_transparency=price_transparency,
                service_attitude=service_attitude,
                facilities=facilities,
                text=text,
                display_name=masked_name(user, order),
                order_month=completed.date().replace(day=1),
                services=bought_services(order),
            )
            _filter(review, user)
    except IntegrityError as error:
        # The one-review-per-order constraint: a concurrent or repeated submission.
        raise AlreadyReviewed(
            _("该订单已经评价过，每个订单只能评价一次。"), code="already_reviewed"
        ) from error
    return review


def _filter(review, user):
    words = matched_words(review.text)
    if words:
        review.held_words = "、".join(words)[:300]
        transition(
            review,
            RS.HELD,
            user=user,
            reason=_("含敏感词：%(words)s") % {"words": review.held_words},
            save_fields=("held_words",),
        )
    elif not settings.R1_MODERATE_ALL_REVIEWS:
        _publish(review, None, _("敏感词检查通过，自动发布"))


def _publish(review, user, reason):
    review.published_at = review.published_at or timezone.now()
    transition(review, RS.PUBLISHED, user=user, reason=reason, save_fields=("published_at",))
    refresh_provider_rating(review.provider_id)


def moderate(review, decision, *, user, reason=""):
    """A bureau officer's decision on a review in the queue: ``published``, ``rejected`` or
    ``hidden`` (a report upheld). Rejecting and hiding need a reason, shown to the family."""
    reason = (reason or "").strip()
    with transaction.atomic():
        review = Review.objects.select_for_update().get(pk=review.pk)
        if (review.status, decision) not in Review.TRANSITIONS or review.status not in Review.QUEUE:
            raise DecisionRefused(
                _("该评价当前状态（%(status)s）下不能作此决定。") % {"status": review.get_status_display()},
                code="illegal",
            )
        if decision in Review.NEEDS_REASON and not reason:
            raise DecisionRefused(_("不通过或隐藏评价时必须写明理由，评价人会看到该理由。"), code="reason")
        was_reported = review.status == RS.REPORTED
        review.decided_by = user
        review.decided_at = timezone.now()
        review.decision_reason = reason if decision in Review.NEEDS_REASON else ""
        fields = ("decided_by", "decided_at", "decision_reason")
        if decision == RS.PUBLISHED:
            review.published_at = review.published_at or review.decided_at
            transition(
                review,
                decision,
                user=user,
                reason=reason or (_("举报不成立，继续显示") if was_reported else _("人工审核通过")),
                save_fields=(*fields, "published_at"),
            )
        else:
            transition(review, decision, user=user, reason=reason, save_fields=fields)
        if was_reported:
            for report in ReviewReport.objects.filter(review=review, resolved_at__isnull=True):
                report.resolved_at = review.decided_at
                report.save(update_fields=["resolved_at"])
        refresh_provider_rating(review.provider_id)
    return review


def report_review(review, *, reason, reporter=None):
    """Anyone's report of a published review: it goes to the staff's queue and stays public
    until they decide (``Review.PUBLIC``); only staff hide a review."""
    reason = (reason or "").strip()
    if not reason:
        raise ReviewRefused(_("请写明举报理由。"), code="reason")
    with transaction.atomic():
        review = Review.objects.select_for_update().get(pk=review.pk)
        if review.status not in (RS.PUBLISHED, RS.REPORTED):
            raise ReviewRefused(_("只能举报已发布的评价。"), code="not_published")
        report = ReviewReport.objects.create(
            review=review,
            reason=reason[:500],
            reporter=reporter if reporter is not None and reporter.is_authenticated else None,
        )
        if review.status == RS.PUBLISHED:
            transition(
                review, RS.REPORTED, user=reporter, reason=_("被举报：%(reason)s") % {"reason": reason}
            )
    return report


# --- The provider's reply ------------------------------------------------------------------------


def reply_edit_deadline(reply):
    return reply.created_at + datetime.timedelta(hours=settings.R1_REPLY_EDIT_HOURS)


def can_edit_reply(reply, *, now=None):
    return (now or timezone.now()) <= reply_edit_deadline(reply)


def post_reply(review, user, text):
    """The provider's one public reply, or an edit of it within ``R1_REPLY_EDIT_HOURS``. The
    caller has checked that ``user`` is staff of the review's provider (the workbench scope)."""
    text = (text or "").strip()
    if not text:
        raise ReplyRefused(_("请填写回复内容。"), code="empty")
    with transaction.atomic():
        review = Review.objects.select_for_update().get(pk=review.pk)
        if review.status not in Review.PUBLIC:
            raise ReplyRefused(_("只能回复已发布的评价。"), code="not_published")
        reply = ReviewReply.objects.filter(review=review).first()
        if reply is None:
            reply = ReviewReply.objects.create(review=review, created_by=user)
            sequence = 1
        else:
            if not can_edit_reply(reply):
                raise ReplyRefused(
                    _("回复发布 %(hours)s 小时后不能再修改。") % {"hours": settings.R1_REPLY_EDIT_HOURS},
                    code="edit_closed",
                )
            latest = reply.versions.order_by("-sequence").first()
            if latest is not None and latest.text == text:
                return reply
            sequence = (latest.sequence if latest else 0) + 1
        ReviewReplyVersion.objects.create(reply=reply, sequence=sequence, text=text, written_by=user)
    return reply


def published_reviews(provider):
    """A provider's published reviews with their replies, newest first (3 queries for any number)."""
    return (
        Review.objects.filter(provider=provider, status__in=Review.PUBLIC)
        .select_related("provider", "reply")
        .prefetch_related(
            Prefetch("reply__versions", queryset=ReviewReplyVersion.objects.order_by("sequence"))
        )
        .order_by("-published_at", "-id")
    )


# --- The provider's summary -----------------------------------------------------------------------


def refresh_provider_rating(provider_id):
    """Recompute a provider's published-review summary and store it on the provider."""
    published = Review.objects.filter(provider_id=provider_id, status__in=Review.PUBLIC)
    summary = published.aggregate(count=Count("pk"), average=Avg("overall"))
    distribution = dict(published.values_list("overall").annotate(n=Count("pk")).order_by())
    average = summary["average"]
    record_ratings(
        provider_id,
        count=summary["count"],
        average=Decimal(str(average)) if average is not None else None,
        distribution=distribution,
    )
