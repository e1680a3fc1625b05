"""Creating, editing and seeing a memorial (M1).

- Only a real-name-verified account creates a memorial (``user.is_real_name_verified``), and
  only for a deceased person: the date of death is required and not in the future, and the
  birth date is not after it (also a database constraint).
- Provenance: an order of the creator's on the platform whose deceased has the same name
  (its cremation or burial certificate is cited when it has a valid one): 已核验逝者信息.
  Without one, the creator's typed declaration (a relative; the person has died) and its time.
- The creator is the keeper; the keeper invites co-keepers, and keepers invite visitors of a
  private memorial, by mobile number; the account holding the number accepts.
- Visibility: public, unlisted (the link only) or private (members, or the access code: only
  its hash is stored; wrong codes are throttled per client IP and per memorial in a window,
  ``M1_ACCESS_CODE_*``, counted in the database).
- A memorial hidden by the bureau answers 404 to everyone but its keepers, who see why.
"""

import datetime
import html
import json

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _

from accounts.validators import normalize_mobile
from marketplace.catalogue.models import Provider, ProviderType
from marketplace.orders.models import Certificate, Order

from ..models import (
    AccessAttempt,
    MemberRole,
    Memorial,
    MemorialInvitation,
    MemorialMember,
    MemorialStatus,
    RestingKind,
    Visibility,
)
from .common import MemorialRefused, ip_hash

RESTING_PROVIDER_TYPES = (ProviderType.CEMETERY, ProviderType.COLUMBARIUM, ProviderType.FUNERAL_HOME)
KEEPER_ROLES = (MemberRole.KEEPER, MemberRole.CO_KEEPER)
SESSION_KEY = "memorials_unlocked"


# --- The biography: plain text in the form, a limited StreamField in the database -------------


def biography_from_text(text):
    """Blank-line separated paragraphs; a paragraph whose lines start with "> " is a quote."""
    blocks = []
    for chunk in (text or "").replace("\r\n", "\n").split("\n\n"):
        lines = [line.rstrip() for line in chunk.strip("\n").split("\n") if line.strip()]
        if not lines:
            continue
        if all(line.startswith(">") for line in lines):
            quote = "\n".join(line[1:].strip() for line in lines)
            blocks.append({"type": "quote", "value": {"text": quote, "source": ""}})
        else:
            body = "<br/>".join(html.escape(line.strip()) for line in lines)
            blocks.append({"type": "paragraph", "value": f"<p>{body}</p>"})
    return json.dumps(blocks, ensure_ascii=False)


def biography_to_text(stream):
    chunks = []
    for block in stream:
        if block.block_type == "quote":
            chunks.append("\n".join(f"> {line}" for line in block.value["text"].split("\n")))
        else:
            source = block.value.source.replace("<br/>", "\n").replace("<br>", "\n")
            chunks.append(html.unescape(strip_tags(source)))
    return "\n\n".join(chunks)


# --- Who may see or keep -------------------------------------------------------------------------


def role_of(memorial, user):
    if not user.is_authenticated:
        return None
    return MemorialMember.objects.filter(memorial=memorial, user=user).values_list("role", flat=True).first()


def is_keeper(memorial, user):
    return role_of(memorial, user) in KEEPER_ROLES


def _unlocked(session, memorial):
    return session is not None and memorial.pk in session.get(SESSION_KEY, [])


_UNKNOWN = object()


def can_view(memorial, user, session=None, *, role=_UNKNOWN):
    """Whether ``user`` (with this session) may read the memorial's page; ``role`` when the
    caller already looked it up (None: no role)."""
    role = role_of(memorial, user) if role is _UNKNOWN else role
    if memorial.status == MemorialStatus.HIDDEN:
        return role in KEEPER_ROLES
    if memorial.visibility == Visibility.PRIVATE:
        return role is not None or _unlocked(session, memorial)
    return True


def viewable_or_404(token, user, session=None):
    """(memorial, role, locked): 404 for an unknown token or a memorial hidden from this user;
    ``locked`` when a private memorial needs its access code first."""
    memorial = (
        Memorial.objects.select_related("resting_provider", "certificate", "order")
        .filter(token=token)
        .first()
    )
    if memorial is None:
        raise Http404
    role = role_of(memorial, user)
    if memorial.status == MemorialStatus.HIDDEN and role not in KEEPER_ROLES:
        raise Http404
    locked = not can_view(memorial, user, session, role=role)
    return memorial, role, locked


def kept_or_404(token, user):
    """A memorial ``user`` keeps; anyone else's answers 404."""
    memorial = Memorial.objects.kept_by(user).filter(token=token).select_related("resting_provider").first()
    if memorial is None:
        raise Http404
    return memorial


# --- Creating and editing ------------------------------------------------------------------------


def orders_matching(user, name=None):
    """The creator's orders that can prove a memorial (optionally: for this deceased name)."""
    if not user.is_authenticated:
        return Order.objects.none()
    orders = Order.objects.filter(user=user).select_related("provider").order_by("-submitted_at")
    if name is not None:
        orders = orders.filter(deceased_name=name.strip())
    return orders


def _certificate_of(order):
    return (
        Certificate.objects.filter(order=order, document__status="valid")
        .select_related("document")
        .order_by("-issued_at")
        .first()
    )


def _check_content(data, *, today):
    name = (data.get("name") or "").strip()
    if not name:
        raise MemorialRefused(_("请填写逝者姓名。"), code="name")
    death = data.get("death_date")
    birth = data.get("birth_date")
    if death is None:
        raise MemorialRefused(_("纪念馆只为已故之人建立：请填写逝世日期。"), code="not_deceased")
    if death > today:
        raise MemorialRefused(_("逝世日期不能晚于今天：纪念馆只为已故之人建立。"), code="not_deceased")
    if birth is None:
        raise MemorialRefused(_("请填写出生日期。"), code="birth")
    if birth > death:
        raise MemorialRefused(_("出生日期不能晚于逝世日期。"), code="birth_after_death")
    kind = data.get("resting_kind")
    if kind not in RestingKind.values:
        raise MemorialRefused(_("请选择安息方式。"), code="resting_kind")
    provider = data.get("resting_provider")
    if kind == RestingKind.PROVIDER and (
        provider is None or not provider.is_published or provider.type not in RESTING_PROVIDER_TYPES
    ):
        raise MemorialRefused(_("请选择平台上公开的公墓、骨灰堂或殡仪馆。"), code="resting_provider")
    if kind == RestingKind.SEA:
        sea_date = data.get("sea_date")
        if sea_date is None or not (data.get("sea_area") or "").strip():
            raise MemorialRefused(_("海葬请填写日期和海域。"), code="sea")
        if sea_date < death:
            raise MemorialRefused(_("海葬日期不能早于逝世日期。"), code="sea_date")
    if kind in (RestingKind.NATURAL, RestingKind.OTHER) and not (data.get("resting_note") or "").strip():
        raise MemorialRefused(_("请简要说明安息之所（如：某公墓树葬区）。"), code="resting_note")
    return name


def _apply_content(memorial, data, name):
    kind = data["resting_kind"]
    memorial.name = name
    memorial.birth_date = data["birth_date"]
    memorial.death_date = data["death_date"]
    memorial.epitaph = (data.get("epitaph") or "").strip()
    memorial.biography = biography_from_text(data.get("biography") or "")
    memorial.resting_kind = kind
    memorial.resting_provider = data.get("resting_provider") if kind == RestingKind.PROVIDER else None
    memorial.resting_plot = (data.get("resting_plot") or "").strip() if kind == RestingKind.PROVIDER else ""
    memorial.sea_date = data.get("sea_date") if kind == RestingKind.SEA else None
    memorial.sea_area = (data.get("sea_area") or "").strip() if kind == RestingKind.SEA else ""
    memorial.resting_note = (
        (data.get("resting_note") or "").strip() if kind in (RestingKind.NATURAL, RestingKind.OTHER) else ""
    )


def _check_access_code_value(code):
    if len(code) < settings.M1_ACCESS_CODE_MIN_LENGTH:
        raise MemorialRefused(
            _("访问码至少 %(n)s 位。") % {"n": settings.M1_ACCESS_CODE_MIN_LENGTH}, code="access_code"
        )


def create_memorial(
    user, *, order=None, declaration="", visibility=Visibility.PUBLIC, access_code="", **data
):
    """Create a memorial for a deceased person; ``user`` becomes its keeper (M1)."""
    if not user.is_authenticated or not user.is_real_name_verified:
        raise MemorialRefused(_("只有完成实名认证的账户才能创建纪念馆。"), code="real_name")
    today = timezone.localdate()
    name = _check_content(data, today=today)
    declaration = (declaration or "").strip()
    certificate = None
    if order is not None:
        if order.user_id != user.pk:
            raise MemorialRefused(_("只能引用您本人的订单。"), code="order")
        if order.deceased_name.strip() != name:
            raise MemorialRefused(
                _("订单上的逝者姓名与所填姓名不一致，无法核验；请改用亲属声明。"), code="order_name"
            )
        certificate = _certificate_of(order)
    elif not declaration:
        raise MemorialRefused(
            _("请引用平台上的订单，或填写亲属声明（您是逝者亲属，且逝者已经去世）。"), code="provenance"
        )
    if visibility not in Visibility.values:
        raise MemorialRefused(_("请选择公开范围。"), code="visibility")
    access_code = (access_code or "").strip()
    if access_code:
        _check_access_code_value(access_code)
    memorial = Memorial(
        created_by=user,
        order=order,
        certificate=certificate,
        declaration="" if order is not None else declaration,
        declared_at=None if order is not None else timezone.now(),
        visibility=visibility,
        access_code_hash=make_password(access_code)
        if access_code and visibility == Visibility.PRIVATE
        else "",
        approve_messages=bool(data.get("approve_messages")),
    )
    _apply_content(memorial, data, name)
    with transaction.atomic():
        memorial.save()
        MemorialMember.objects.create(memorial=memorial, user=user, role=MemberRole.KEEPER)
    return memorial


def update_memorial(memorial, user, **data):
    """A keeper edits the content and resting place. A memorial verified by an order keeps the
    name on the order."""
    if not is_keeper(memorial, user):
        raise Http404
    name = _check_content(data, today=timezone.localdate())
    if memorial.order_id and memorial.order.deceased_name.strip() != name:
        raise MemorialRefused(_("该纪念馆已按订单核验逝者信息，姓名须与订单一致。"), code="order_name")
    _apply_content(memorial, data, name)
    memorial.save()
    return memorial


def update_settings(memorial, user, *, visibility, approve_messages, access_code="", clear_access_code=False):
    """A keeper sets visibility, the access code (stored as a hash only) and the approval mode."""
    if not is_keeper(memorial, user):
        raise Http404
    if visibility not in Visibility.values:
        raise MemorialRefused(_("请选择公开范围。"), code="visibility")
    access_code = (access_code or "").strip()
    fields = ["visibility", "approve_messages", "updated_at"]
    if access_code:
        _check_access_code_value(access_code)
        memorial.access_code_hash = make_password(access_code)
        fields.append("access_code_hash")
    elif clear_access_code or visibility != Visibility.PRIVATE:
        memorial.access_code_hash = ""
        fields.append("access_code_hash")
    memorial.visibility = visibility
    memorial.approve_messages = bool(approve_messages)
    memorial.save(update_fields=fields)
    return memorial


# --- The access code ---------------------------------------------------------------------------


def check_access_code(memorial, code, *, ip, session):
    """Unlock a private memorial for this session with its access code. Wrong codes are
    counted per client IP and per memorial; past the limits every try is refused until the
    window has passed, right code or not (M1)."""
    if memorial.visibility != Visibility.PRIVATE or not memorial.access_code_hash:
        raise MemorialRefused(_("该纪念馆不使用访问码，请联系馆主邀请您。"), code="no_code")
    since = timezone.now() - datetime.timedelta(minutes=settings.M1_ACCESS_CODE_WINDOW_MINUTES)
    client = ip_hash(ip)
    with transaction.atomic():
        # One memorial's tries are counted one at a time.
        Memorial.objects.select_for_update().filter(pk=memorial.pk).first()
        failures = AccessAttempt.objects.filter(succeeded=False, created_at__gte=since)
        if (
            failures.filter(ip_hash=client).count() >= settings.M1_ACCESS_CODE_FAILURES_PER_IP
            or failures.filter(memorial=memorial).count() >= settings.M1_ACCESS_CODE_FAILURES_PER_MEMORIAL
        ):
            refused = MemorialRefused(
                _("访问码错误次数过多，请 %(minutes)s 分钟后再试。")
                % {"minutes": settings.M1_ACCESS_CODE_WINDOW_MINUTES},
                code="throttled",
            )
        else:
            succeeded = check_password(code or "", memorial.access_code_hash)
            AccessAttempt.objects.create(memorial=memorial, ip_hash=client, succeeded=succeeded)
            refused = None if succeeded else MemorialRefused(_("访问码不正确。"), code="wrong_code")
    if refused is not None:
        raise refused
    unlocked = list(session.get(SESSION_KEY, []))
    if memorial.pk not in unlocked:
        session[SESSION_KEY] = [*unlocked, memorial.pk]
    return memorial


# --- Invitations ---------------------------------------------------------------------------------


def invite(memorial, user, *, mobile, role):
    """Invite the holder of ``mobile`` as co-keeper (the keeper only) or visitor (any keeper)."""
    my_role = role_of(memorial, user)
    if my_role not in KEEPER_ROLES:
        raise Http404
    if role not in (MemberRole.CO_KEEPER, MemberRole.VISITOR):
        raise MemorialRefused(_("请选择邀请身份。"), code="role")
    if role == MemberRole.CO_KEEPER and my_role != MemberRole.KEEPER:
        raise MemorialRefused(_("只有馆主可以邀请共同管理人。"), code="keeper_only")
    try:
        mobile = normalize_mobile(mobile)
    except Exception as error:  # the validator's own message
        raise MemorialRefused(_("请填写正确的手机号码。"), code="mobile") from error
    if not mobile or len(mobile) != 11 or not mobile.isdigit():
        raise MemorialRefused(_("请填写正确的手机号码。"), code="mobile")
    existing = (
        MemorialMember.objects.filter(memorial=memorial, user__mobile=mobile)
        .values_list("role", flat=True)
        .first()
    )
    if existing in KEEPER_ROLES or existing == role:
        raise MemorialRefused(_("该手机号码的账户已是本纪念馆成员。"), code="member")
    expires = timezone.now() + datetime.timedelta(days=settings.M1_INVITATION_DAYS)
    with transaction.atomic():
        invitation = (
            MemorialInvitation.objects.select_for_update()
            .filter(memorial=memorial, mobile=mobile, accepted_at__isnull=True)
            .first()
        )
        if invitation is None:
            invitation = MemorialInvitation.objects.create(
                memorial=memorial, mobile=mobile, role=role, invited_by=user, expires_at=expires
            )
        else:
            invitation.role, invitation.invited_by, invitation.expires_at = role, user, expires
            invitation.save(update_fields=["role", "invited_by", "expires_at"])
    return invitation


def pending_invitations(user):
    if not user.is_authenticated or not user.mobile:
        return MemorialInvitation.objects.none()
    return MemorialInvitation.objects.filter(
        mobile=user.mobile,
        accepted_at__isnull=True,
        expires_at__gt=timezone.now(),
        memorial__status=MemorialStatus.ACTIVE,
    ).select_related("memorial")


def accept_invitation(user, invitation_id):
    """The account holding the invited number accepts; another account's invitation is 404."""
    with transaction.atomic():
        invitation = (
            pending_invitations(user).select_for_update(of=("self",)).filter(pk=invitation_id).first()
        )
        if invitation is None:
            raise Http404
        member = MemorialMember.objects.filter(memorial=invitation.memorial, user=user).first()
        if member is None:
            try:
                with transaction.atomic():
                    MemorialMember.objects.create(
                        memorial=invitation.memorial, user=user, role=invitation.role
                    )
            except IntegrityError:
                pass  # accepted twice at once: the first one counts
        elif member.role == MemberRole.VISITOR and invitation.role == MemberRole.CO_KEEPER:
            member.role = MemberRole.CO_KEEPER
            member.save(update_fields=["role"])
        invitation.accepted_by = user
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_by", "accepted_at"])
    return invitation.memorial


def resting_providers():
    return Provider.objects.public().filter(type__in=RESTING_PROVIDER_TYPES).order_by("name")
