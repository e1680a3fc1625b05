"""S9: the consent of the people an application names, each with their own SMS code.

Who consents (:func:`consenters`): for an establishment, the proposed legal representative and
every founder who is a person; for a change of legal representative, the new one. Each gets an
SMS with a link to a page (``/orgs/registration/consent/<token>/``) that shows what they are
agreeing to; they type their name, ask for a code sent to their number and enter it, the way a
family signs a contract. A consent covers the facts as they were (:func:`facts_digest`): if the
applicant changes the application, the consents stop being current and are asked for again.
The pre-check ``consents`` blocks submission until everyone has consented.

Sending is throttled twice: the invitation to one person at most once per
``S9_CONSENT_RESEND_SECONDS``, and the code under the platform's SMS limits per number and per
address (``accounts.services.request_mobile_proof``); wrong codes are counted by ``accounts.otp``.
"""

import hashlib
import json
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import otp
from accounts.services import request_mobile_proof
from accounts.sms import send_sms_on_commit

from .models import (
    APPLICANT_FIELDS,
    EDITABLE_STATES,
    ApplicationKind,
    Consent,
    ConsentRole,
    RegistrationApplication,
)

# What a consent covers: every fact the applicant fills in.
FACT_FIELDS = ("kind", *APPLICANT_FIELDS)


@dataclass(frozen=True)
class Consenter:
    role: str
    name: str
    mobile: str

    @property
    def role_label(self):
        return ConsentRole(self.role).label

    @property
    def masked_mobile(self):
        return masked(self.mobile)


def masked(mobile):
    """A mobile number as pages show it to others: 139****0033."""
    return f"{mobile[:3]}****{mobile[7:]}" if len(mobile or "") == 11 else ""


def facts_digest(application):
    facts = {name: getattr(application, name) for name in FACT_FIELDS if name != "supervising_unit"}
    facts["supervising_unit"] = application.supervising_unit_id
    facts["organization"] = application.organization.uscc if application.organization_id else ""
    text = json.dumps(facts, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def consenters(application):
    """Who must consent to ``application`` as it stands."""
    people = []
    if application.kind == ApplicationKind.ESTABLISH:
        if application.legal_representative:
            people.append(
                Consenter(
                    ConsentRole.LEGAL_REPRESENTATIVE,
                    application.legal_representative.strip(),
                    application.legal_representative_mobile,
                )
            )
        for founder in application.founders or ():
            if not founder.get("unit_uscc") and founder.get("name"):
                people.append(
                    Consenter(ConsentRole.FOUNDER, founder["name"].strip(), founder.get("mobile", ""))
                )
    elif application.kind == ApplicationKind.CHANGE and (application.change_items or {}).get(
        "legal_representative"
    ):
        people.append(
            Consenter(
                ConsentRole.LEGAL_REPRESENTATIVE,
                str(application.change_items["legal_representative"]).strip(),
                application.legal_representative_mobile,
            )
        )
    return people


def _valid(application):
    """The current consents that cover the application as it stands, by (role, name, mobile)."""
    digest = facts_digest(application)
    rows = application.consents.filter(current=True, facts_sha256=digest) if application.pk else []
    return {(row.role, row.name, row.mobile): row for row in rows}


def missing_consents(application):
    """The people who have not consented yet to the application as it stands."""
    valid = _valid(application)
    return [
        person
        for person in consenters(application)
        if not (row := valid.get((person.role, person.name, person.mobile))) or row.signed_at is None
    ]


def void_stale(application):
    """The applicant changed the facts: consents to the old ones stop being current."""
    digest = facts_digest(application)
    for row in application.consents.filter(current=True).exclude(facts_sha256=digest):
        row.current = False
        row.save(update_fields=["current"])


def consent_url(consent, base_url=""):
    with translation.override(settings.LANGUAGE_CODE):
        path = reverse("registration:consent", args=[consent.token])
    return (base_url or settings.WAGTAILADMIN_BASE_URL).rstrip("/") + path


@transaction.atomic
def invite(application, *, user, base_url=""):
    """Send each person who has not consented an SMS with their link; returns how many were sent.
    The applicant only, while the application can be edited."""
    application = RegistrationApplication.objects.select_for_update().get(pk=application.pk)
    if application.applicant_id != user.pk:
        raise PermissionDenied(_("只有申请人本人可以办理这一步。"))
    if application.status not in EDITABLE_STATES:
        raise ValidationError(_("申请已提交，无需再请相关人员确认。"))
    void_stale(application)
    people = missing_consents(application)
    without_number = [person.name for person in people if not person.mobile]
    if without_number:
        raise ValidationError(
            _("请先填写以下人员的手机号码：%(names)s。") % {"names": "、".join(without_number)}
        )
    digest = facts_digest(application)
    now = timezone.now()
    sent = 0
    for person in people:
        row, _created = Consent.objects.get_or_create(
            application=application,
            role=person.role,
            name=person.name,
            mobile=person.mobile,
            facts_sha256=digest,
            current=True,
            defaults={"token": secrets.token_urlsafe(32)},
        )
        if row.invited_at and (now - row.invited_at).total_seconds() < settings.S9_CONSENT_RESEND_SECONDS:
            continue
        row.invited_at = now
        row.save(update_fields=["invited_at"])
        with translation.override(settings.LANGUAGE_CODE):
            text = _(
                "【北京市民政公共服务平台】%(applicant)s 提交的%(kind)s（%(number)s）将您列为%(role)s，"
                "请打开链接核对并用短信验证码确认：%(url)s"
            ) % {
                "applicant": application.applicant.real_name,
                "kind": application.get_kind_display(),
                "number": application.number,
                "role": row.get_role_display(),
                "url": consent_url(row, base_url),
            }
        send_sms_on_commit(row.mobile, text, what="registration consent")
        sent += 1
    return sent


def _purpose(consent):
    return f"registration_consent:{consent.pk}"


def open_consent(token):
    """The consent a link names, if it can still be given; None otherwise."""
    consent = (
        Consent.objects.select_related("application__organization", "application__applicant")
        .filter(token=token, current=True)
        .first()
    )
    if consent is None or consent.application.status not in EDITABLE_STATES:
        return None
    if consent.facts_sha256 != facts_digest(consent.application):
        return None
    return consent


def send_consent_code(consent, *, ip):
    """A code to the consenting person's own number (throttled by number and address)."""
    with translation.override(settings.LANGUAGE_CODE):
        action = _("确认登记申请 %(number)s") % {"number": consent.application.number}
    return request_mobile_proof(consent.mobile, ip, _purpose(consent), action)


def sign(consent, *, full_name, agree, code, ip=None, user_agent=""):
    """S9: record the person's consent after checking their name, their agreement and their code.
    Raises ValidationError (by field) or ``accounts.otp.OtpError``."""
    errors = {}
    if (full_name or "").strip() != consent.name:
        errors["full_name"] = _("请输入申请中登记的您的姓名。")
    if not agree:
        errors["agree"] = _("请核对申请内容并勾选同意后再确认。")
    if errors:
        raise ValidationError(errors)
    otp_error = None
    with transaction.atomic():
        # The application's row first, as every change of the application takes it.
        RegistrationApplication.objects.select_for_update().get(pk=consent.application_id)
        consent = Consent.objects.select_for_update().get(pk=consent.pk)
        if open_consent(consent.token) is None:
            raise ValidationError(_("申请内容已变更或已提交，这个确认链接已失效。"))
        if consent.signed_at is not None:
            return consent
        try:
            otp.check_mobile_code(consent.mobile, _purpose(consent), code)
        except otp.OtpError as error:
            # Leave the block normally, so the wrong code's attempt count is committed; raised below.
            otp_error = error
        else:
            consent.signed_at = timezone.now()
            consent.signed_ip = ip
            consent.signed_user_agent = (user_agent or "")[:300]
            consent.save(update_fields=["signed_at", "signed_ip", "signed_user_agent"])
    if otp_error is not None:
        raise otp_error
    return consent
