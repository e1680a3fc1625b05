"""Registry operations that carry rules: name search, change registration, invitations."""

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from accounts.validators import normalize_mobile, validate_mobile
from search.text import terms

from . import uscc as uscc_module
from .models import Invitation, MemberRole, Membership, Organization, OrgStatus, RegistryChange

USCC_LIKE = re.compile(r"^[0-9A-Za-z]{18}$")


def search_organizations(queryset, query):
    """Filter by name (substring or all jieba words) or by exact USCC. Works on any database."""
    query = (query or "").strip()
    if not query:
        return queryset
    condition = Q(name__icontains=query)
    compact = uscc_module.normalize(query)
    if USCC_LIKE.match(compact):
        condition |= Q(uscc=compact)
    words = terms(query)
    if len(words) > 1:
        all_words = Q()
        for word in words:
            all_words &= Q(name__icontains=word)
        condition |= all_words
    return queryset.filter(condition)


def update_profile(organization, data, *, user):
    """Members change only the non-registry fields."""
    changed = {}
    for field in Organization.MEMBER_EDITABLE_FIELDS:
        if field in data and getattr(organization, field) != data[field]:
            changed[field] = data[field]
            setattr(organization, field, data[field])
    if changed:
        organization.save(update_fields=[*changed, "updated_at"])
        log(organization, "wagtail.edit", user=user, data={"fields": sorted(changed)})
    return sorted(changed)


def _coerce(item, raw):
    if item == RegistryChange.Item.REGISTERED_FUNDS:
        try:
            value = Decimal(str(raw).replace(",", "").strip()).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError) as error:
            raise ValidationError({"after": _("注册资金应为金额，例如 300000.00。")}) from error
        if value < 0:
            raise ValidationError({"after": _("注册资金不能为负数。")})
        return value
    if item == RegistryChange.Item.STATUS:
        if raw not in OrgStatus.values:
            labels = "、".join(f"{value}（{label}）" for value, label in OrgStatus.choices)
            raise ValidationError({"after": _("登记状态应为以下之一：%(labels)s") % {"labels": labels}})
        return raw
    raw = str(raw).strip()
    if not raw:
        raise ValidationError({"after": _("请填写变更后的内容。")})
    return raw


def _display(organization, item, value):
    if item == RegistryChange.Item.STATUS:
        return str(OrgStatus(value).label)
    return str(value)


def check_change(organization, item, after):
    """Validate a change registration; returns the new value in the field's type."""
    if item not in RegistryChange.Item.values:
        raise ValidationError({"item": _("请选择变更事项。")})
    value = _coerce(item, after)
    if getattr(organization, item) == value:
        raise ValidationError({"after": _("变更后的内容与当前登记内容相同。")})
    if (
        item == RegistryChange.Item.NAME
        and Organization.objects.filter(name=value).exclude(pk=organization.pk).exists()
    ):
        raise ValidationError({"after": _("该名称已被其他社会组织使用。")})
    return value


# Higher apps that keep something in step with the registry (the electronic licence, S9) add
# ``func(organization, change, *, user)`` here from ``AppConfig.ready()``; each runs inside the
# change's transaction, so a change and what follows from it commit or fail together. ``change``
# is None for a correction made in the admin (:func:`registry_corrected`).
_change_listeners = []


def on_registration_change(func):
    if func not in _change_listeners:
        _change_listeners.append(func)
    return func


def registry_corrected(organization, *, user):
    """The bureau corrected registry facts that are not change-registration items (the type,
    the registration authority, the supervising unit, the date of registration) in the admin:
    the listeners keep in step, with ``change=None``."""
    notify_change(organization, None, user=user)


def record_change(organization, item, after, *, changed_on, user, note="", notify=True):
    """Register a change (变更登记): apply it to the organisation and append the history row.
    ``notify=False`` leaves telling the listeners to the caller, which records several items as
    one registration (``orgs.licensing``) and then calls :func:`notify_change` once."""
    with transaction.atomic():
        organization = Organization.objects.select_for_update().get(pk=organization.pk)
        value = check_change(organization, item, after)
        before = getattr(organization, item)
        change = RegistryChange.objects.create(
            organization=organization,
            item=item,
            before=_display(organization, item, before),
            after=_display(organization, item, value),
            changed_on=changed_on,
            note=note,
            recorded_by=user,
        )
        setattr(organization, item, value)
        organization.save(update_fields=[item, "updated_at"])
        log(organization, "registry.change", user=user, data={"item": item, "change": change.pk})
        if notify:
            notify_change(organization, change, user=user)
        return change


def notify_change(organization, change, *, user):
    """Tell the listeners (:func:`on_registration_change`) that the registry changed."""
    for listener in _change_listeners:
        listener(organization, change, user=user)


def _grant(invitation, user):
    membership, created = Membership.objects.get_or_create(
        user=user,
        organization=invitation.organization,
        defaults={"role": invitation.role, "invited_by": invitation.invited_by},
    )
    if not created and membership.role == MemberRole.FILER and invitation.role == MemberRole.ADMIN:
        membership.role = MemberRole.ADMIN
        membership.save(update_fields=["role"])
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    log(invitation.organization, "registry.member_joined", user=user, data={"role": membership.role})
    return membership


def invite(organization, mobile, role, *, invited_by):
    """Invite a person by mobile number. The invitation waits until the holder of that
    number proves it by SMS code (sign-up, or sign-in by SMS code) after this moment; see
    :func:`accept_pending_invitations`."""
    with transaction.atomic():
        from django.contrib.auth import get_user_model

        mobile = normalize_mobile(mobile)
        try:
            validate_mobile(mobile)
        except ValidationError as error:
            raise ValidationError({"mobile": error.messages}) from error
        if role not in MemberRole.values:
            raise ValidationError({"role": _("请选择角色。")})
        if Membership.objects.filter(organization=organization, user__mobile=mobile, role=role).exists():
            raise ValidationError({"mobile": _("该手机号码已是本机构成员。")})
        invitation = Invitation.objects.filter(
            organization=organization, mobile=mobile, role=role, accepted_at__isnull=True
        ).first() or Invitation.objects.create(
            organization=organization, mobile=mobile, role=role, invited_by=invited_by
        )
        log(
            organization,
            "registry.invite",
            user=invited_by,
            data={"role": role, "mobile": invitation.mobile[-4:]},
        )
        user = get_user_model().objects.filter(mobile=mobile, is_active=True).first()
        if user is not None and _proven_since(user, invitation):
            _grant(invitation, user)
        return invitation


def _proven_since(user, invitation):
    return user.mobile_verified_at is not None and user.mobile_verified_at > invitation.created_at


def accept_pending_invitations(user):
    """Called when a user signs in: turn the invitations for their number into memberships.

    Only invitations made before the user last proved the number by SMS code count, so
    that the person invited is whoever holds the number now: an account that was never
    verified, or was verified before the invitation (a number can change hands), has to
    prove the number again (sign-up or sign-in by SMS code) before it joins."""
    if user.mobile_verified_at is None:
        return []
    accepted = []
    for invitation in Invitation.objects.filter(
        mobile=user.mobile, accepted_at__isnull=True, created_at__lt=user.mobile_verified_at
    ).select_related("organization"):
        with transaction.atomic():
            accepted.append(_grant(invitation, user))
    return accepted


def memberships_for(user):
    if not (user and user.is_authenticated):
        return Membership.objects.none()
    return Membership.objects.filter(user=user).select_related("organization")


def is_member(user, organization):
    return user.is_authenticated and any(m.organization_id == organization.pk for m in memberships_for(user))


def is_admin(user, organization):
    return (
        user.is_authenticated
        and Membership.objects.filter(user=user, organization=organization, role=MemberRole.ADMIN).exists()
    )
