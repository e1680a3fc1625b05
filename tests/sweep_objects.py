"""The cross-tenant sweep's table: every tenant-scoped URL of the workbench, the family's
orders and the payment pages, and how to build its kwargs from the objects of the tenant
that owns it.

``swept_urls()`` walks the URL conf (``get_resolver().url_patterns``, through includes,
``i18n_patterns`` and namespaces) and returns every pattern under the swept prefixes that
takes a kwarg. ``URLS`` maps each such URL name to the kind of tenant that owns it, a
function building the kwargs from that tenant's objects, and which kwargs are global ids
(used for the "mixed" request: the attacker's own scope with the victim's id). ``EXEMPT``
lists the few kwarg URLs that aren't a tenant's record, with the reason. A URL in neither
table fails ``test_every_swept_url_is_classified``, so a new URL can't slip past the sweep.
"""

import datetime
from dataclasses import dataclass, field

from django.apps import apps
from django.urls import URLResolver, get_resolver
from django.utils import timezone
from wagtail.models import ModelLogEntry, PageLogEntry

# Prefixes of the URL map (see ARCHITECTURE.md) whose object URLs are swept. Benefits is
# listed for when it is built; today nothing is mounted there.
SWEPT_PREFIXES = ("workbench/", "orders/", "payments/", "benefits/", "complaints/", "reviews/")

PROVIDER = "provider"
ORGANISATION = "organisation"
FAMILY = "family"


@dataclass(frozen=True)
class SweptUrl:
    name: str
    route: str
    kwarg_names: tuple


def _walk(patterns, prefix="", namespace="", converters=None):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        found = dict(converters or {})
        found.update(getattr(pattern.pattern, "converters", {}) or {})
        # A regex pattern's named groups are kwargs too.
        regex = getattr(pattern.pattern, "regex", None)
        if regex is not None and not getattr(pattern.pattern, "converters", None):
            found.update(dict.fromkeys(regex.groupindex))
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, route, inner, found)
        else:
            name = f"{namespace}{pattern.name}" if pattern.name else f"{namespace}<unnamed {route}>"
            yield SweptUrl(name, route, tuple(found))


def swept_urls():
    """Every URL under the swept prefixes that carries a kwarg (an object id), by name."""
    result = {}
    for url in _walk(get_resolver().url_patterns):
        if url.route.startswith(SWEPT_PREFIXES) and url.kwarg_names:
            result.setdefault(url.name, url)
    return result


# --- Tenants -----------------------------------------------------------------------------------


@dataclass
class FuneralTenant:
    """A provider with staff, and one family's order taken all the way: contract sealed, one
    change order signed, paid, completed with a certificate, and an open payment intent."""

    provider: object
    staff: object
    family: object
    order: object
    item: object
    change_number: int
    certificate_number: str
    payment_reference: str
    intent: object
    review: object = None
    complaint: object = None
    evidence_pk: int = 0
    # The tenant's cemetery, run by the same staff (booked visits), and a day to open its sheet.
    extra: dict = field(default_factory=dict)


@dataclass
class OrganisationTenant:
    """A charity foundation with an admin, a submitted annual report with attachments, a
    credit record with an objection, a fundraising project, and an application to an
    incubator programme (extra["programme"], extra["application"])."""

    organization: object
    admin: object
    report_year: int
    attachment_pk: int
    submission_sequence: int
    record_pk: int
    objection_pk: int
    project_pk: int
    extra: dict = field(default_factory=dict)


def make_funeral_tenant(name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from marketplace.feedback.models import ComplaintEvidence
    from marketplace.feedback.services import complaints, reviews
    from marketplace.orders import services
    from marketplace.orders.models import Signature
    from payments import services as payments
    from tests.factories.catalogue import make_member
    from tests.factories.orders import Scenario, cemetery, funeral_home, items, sign_as
    from tests.factories.orgs import PNG_BYTES

    provider = funeral_home(name=f"{name}殡仪馆")
    scenario = Scenario(provider=provider)
    scenario.advance("paid")
    urn = items(provider)["骨灰盒"]
    change = services.propose_change(
        scenario.order, scenario.staff, additions={urn.pk: 1}, removals={}, reason="家属要求加一个骨灰盒"
    )
    sign_as(change, scenario.family, Signature.Role.FAMILY)
    sign_as(change, scenario.staff, Signature.Role.PROVIDER)
    order = scenario.advance("completed")
    certificate = order.certificates.get()
    payment = order.payments.filter(kind="charge").first()
    intent = payments.create_intent(
        "10.00",
        f"{name} 测试付款",
        f"sweep:{order.reference}",
        payable=order,
        user=scenario.family,
    )
    review = reviews.submit_review(
        scenario.family,
        order,
        overall=4,
        price_transparency=4,
        service_attitude=4,
        facilities=4,
        text=f"{name}的服务周到",
    )
    complaint = complaints.file_complaint(
        user=scenario.family,
        provider=provider,
        order=order,
        category="quality",
        text=f"{name}的告别厅迟开了半小时",
        contact_name="王丽",
    )
    complaints.accept(complaint, bureau_officer(name))  # so the provider's staff see it
    evidence = ComplaintEvidence.objects.create(
        complaint=complaint, file=SimpleUploadedFile("现场.png", PNG_BYTES), name="现场.png"
    )
    cemetery_provider = cemetery(name=f"{name}公墓")
    make_member(cemetery_provider, user=scenario.staff)
    slot_booking = _slot_booking(provider, scenario.family, scenario.staff, order)
    return FuneralTenant(
        provider=provider,
        staff=scenario.staff,
        family=scenario.family,
        order=order,
        item=urn,
        change_number=change.number,
        certificate_number=certificate.number,
        payment_reference=payment.reference,
        intent=intent,
        review=review,
        complaint=complaint,
        evidence_pk=evidence.pk,
        extra={
            "cemetery": cemetery_provider,
            "visit_day": timezone.localdate().isoformat(),
            "slot_booking": slot_booking,
            "slot_day": timezone.localtime(slot_booking.starts_at).date().isoformat(),
            "benefit": _benefit_application(scenario.family, name),
        },
    )


def _checklist(t):
    """The tenant family's 身后一件事 checklist of its order (started on first use)."""
    from marketplace.benefits.checklist import services

    checklist, _created = services.start_checklist(t.family, order=t.order)
    return checklist


def _checklist_keeper(t):
    from marketplace.benefits.checklist import services
    from marketplace.benefits.checklist.models import ChecklistKeeper

    checklist = _checklist(t)
    return ChecklistKeeper.objects.filter(checklist=checklist).first() or services.invite(
        checklist, t.family, mobile="13822220000"
    )


def _checklist_step(t):
    from marketplace.benefits.checklist.models import ChecklistStep

    step = ChecklistStep.objects.active().filter(platform_item="").first()
    return {"reference": _checklist(t).reference, "step": step.pk}


def _benefit_application(family, name):
    """The family's decided 惠民殡葬 application (B1): its sealed letter and uploaded documents."""
    from marketplace.benefits import services as benefits
    from marketplace.benefits.models import BenefitScheme
    from tests.factories.benefits import sea_subsidy, standalone, submitted
    from tests.factories.orders import id_number

    scheme = BenefitScheme.objects.filter(code="sea-burial-subsidy").first() or sea_subsidy()
    # Each tenant's own deceased: one benefit of a scheme per death (B1).
    deceased_id = id_number(f"1101051940{sum(map(ord, name)) % 10**7:07d}")
    application = submitted(standalone(scheme, applicant=family, deceased_id=deceased_id))
    return benefits.approve(application, user=bureau_officer(name))


def _slot_booking(provider, family, staff, order):
    """A hall of the tenant's funeral home with a booking of the tenant's order and a move the
    provider proposed (F11): the family answers it, the provider's workbench lists it."""
    from marketplace.orders.slots import services as slots
    from marketplace.orders.slots.models import Booking, BookingStatus
    from tests.factories.slots import hall, published

    resource = published(hall(provider), days=1)
    first, later = resource.slots.order_by("starts_at")[:2]
    booking = slots.hold(first, family)
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.BOOKED, order=order, held_until=None)
    booking.refresh_from_db()
    return slots.propose_move(booking, later, staff, note="礼厅检修")


def bureau_officer(name):
    from accounts.groups import FUNERAL_SECTION
    from tests.factories.accounts import UserFactory

    officer = UserFactory(is_staff=True)
    officer.groups.add(apps.get_model("auth", "Group").objects.get(name=FUNERAL_SECTION))
    return officer


def _incubator_objects(organization, admin, programme, application):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from orgs.incubator.models import Milestone, MilestoneEvidence, Offer, OfferKind
    from orgs.incubator.services.offers import post_need
    from tests.factories.orgs import pdf_bytes

    today = timezone.localdate()
    offer = Offer.objects.create(
        kind=OfferKind.VENUE,
        title="共享工位",
        provider_name="社会组织服务中心",
        description="共享工位。",
        opens_on=today - datetime.timedelta(days=1),
        deadline=today + datetime.timedelta(days=30),
        published=True,
    )
    need = post_need(
        organization, user=admin, kind=OfferKind.PRO_BONO, title="需要审计", description="年度审计。"
    )
    milestone = Milestone.objects.create(programme=programme, order=1, title="制度建设", due_months=3)
    evidence = MilestoneEvidence.objects.create(
        application=application,
        milestone=milestone,
        summary="已完成",
        file=SimpleUploadedFile("证明.pdf", pdf_bytes()),
        submitted_by=admin,
    )
    return offer, need, milestone, evidence


def make_organisation_tenant():
    from orgs.credit import services as credit
    from orgs.registry.models import MemberRole, Membership
    from tests.factories.accounts import UserFactory
    from tests.factories.charity import CharityFactory, CharityProjectFactory
    from tests.factories.credit import evidence, make_record
    from tests.factories.incubator import ProgrammeFactory, apply
    from tests.factories.orgs import submitted_report

    organization = CharityFactory()
    admin = UserFactory()
    Membership.objects.create(user=admin, organization=organization, role=MemberRole.ADMIN)
    report, submission = submitted_report(organization, 2025, user=admin)
    record = make_record(organization, decided_on=datetime.date(2026, 4, 20))
    objection = credit.file_objection(record, user=admin, grounds="记录与事实不符", evidence=evidence())
    project = CharityProjectFactory(organization=organization)
    # An incubator programme open today (public, anyone may read it) and the tenant's
    # application to it, filed through the service (I1: the tenant is eligible).
    programme = ProgrammeFactory()
    application = apply(programme, organization, user=admin)
    # The resource pool and milestones: a public offer, the tenant's need, and evidence the
    # tenant filed for a milestone of the programme.
    offer, need, milestone, milestone_evidence = _incubator_objects(
        organization, admin, programme, application
    )
    # The tenant's electronic licence (S9).
    from orgs.licensing.services import issue_licence

    licence = issue_licence(organization, reason="首次发放电子证照")
    # The admin's own change-registration application (S9), with its materials.
    from tests.factories.licensing import change as registration_change
    from tests.factories.licensing import publish_checklists, upload_all

    admin.real_name, admin.real_name_verified_at = "张测试", timezone.now()
    admin.save(update_fields=["real_name", "real_name_verified_at"])
    publish_checklists()
    registration = upload_all(
        registration_change(organization, applicant=admin, domicile="北京市朝阳区新址1号")
    )
    return OrganisationTenant(
        organization=organization,
        admin=admin,
        report_year=report.year,
        attachment_pk=report.attachments.first().pk,
        submission_sequence=submission.sequence,
        record_pk=record.pk,
        objection_pk=objection.pk,
        project_pk=project.pk,
        extra={
            "programme": programme,
            "application": application,
            "offer": offer,
            "need": need,
            "milestone": milestone,
            "evidence": milestone_evidence,
            "licence": licence,
            "registration": registration,
        },
    )


# --- The table ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    kind: str
    kwargs: object  # tenant -> dict
    global_ids: tuple = ()  # kwargs that name a record by a platform-wide id


def _ref(t):
    return {"reference": t.order.reference}


def _change(t):
    return {"reference": t.order.reference, "number": t.change_number}


def _uscc(t):
    return {"uscc": t.organization.uscc}


def _project(t):
    return {"uscc": t.organization.uscc, "pk": t.project_pk}


URLS = {
    # Provider workbench: catalogue
    "catalogue_workbench:provider": Entry(PROVIDER, lambda t: {"slug": t.provider.slug}),
    "catalogue_workbench:profile": Entry(PROVIDER, lambda t: {"slug": t.provider.slug}),
    "catalogue_workbench:item_create": Entry(PROVIDER, lambda t: {"slug": t.provider.slug}),
    "catalogue_workbench:flags": Entry(PROVIDER, lambda t: {"slug": t.provider.slug}),
    "catalogue_workbench:package": Entry(PROVIDER, lambda t: {"slug": t.provider.slug}),
    "catalogue_workbench:item_edit": Entry(PROVIDER, lambda t: {"pk": t.item.pk}),
    "catalogue_workbench:item_price": Entry(PROVIDER, lambda t: {"pk": t.item.pk}),
    # Cemetery workbench: booked visits (M3). Each funeral tenant's staff also runs the tenant's
    # cemetery (extra["cemetery"]), so the owner reaches these and the other tenants don't.
    **{
        f"memorial_visits_workbench:{name}": Entry(PROVIDER, lambda t: {"slug": t.extra["cemetery"].slug})
        for name in ("provider", "bulk_create", "gate")
    },
    **{
        f"memorial_visits_workbench:{name}": Entry(
            PROVIDER, lambda t: {"slug": t.extra["cemetery"].slug, "day": t.extra["visit_day"]}
        )
        for name in ("day", "day_csv", "day_pdf", "no_shows")
    },
    # Provider workbench: orders
    "orders_workbench:detail": Entry(PROVIDER, _ref),
    "orders_workbench:confirm": Entry(PROVIDER, _ref),
    "orders_workbench:issue_contract": Entry(PROVIDER, _ref),
    "orders_workbench:contract_sign": Entry(PROVIDER, _ref),
    "orders_workbench:contract_draft": Entry(PROVIDER, _ref),
    "orders_workbench:contract_sealed": Entry(PROVIDER, _ref),
    "orders_workbench:start": Entry(PROVIDER, _ref),
    "orders_workbench:complete": Entry(PROVIDER, _ref),
    "orders_workbench:cancel": Entry(PROVIDER, _ref),
    "orders_workbench:change_new": Entry(PROVIDER, _ref),
    "orders_workbench:change_sign": Entry(PROVIDER, _change),
    "orders_workbench:change_withdraw": Entry(PROVIDER, _change),
    "orders_workbench:change_draft": Entry(PROVIDER, _change),
    "orders_workbench:change_sealed": Entry(PROVIDER, _change),
    "orders_workbench:certificate": Entry(
        PROVIDER,
        lambda t: {"reference": t.order.reference, "number": t.certificate_number},
        global_ids=("number",),
    ),
    # Organisation workbench: registry, reports, credit, charity
    "registry_workbench:home": Entry(ORGANISATION, _uscc),
    "registry_workbench:profile": Entry(ORGANISATION, _uscc),
    "registry_workbench:members": Entry(ORGANISATION, _uscc),
    "reports_workbench:list": Entry(ORGANISATION, _uscc),
    "reports_workbench:edit": Entry(ORGANISATION, lambda t: {**_uscc(t), "year": t.report_year}),
    "reports_workbench:check": Entry(ORGANISATION, lambda t: {**_uscc(t), "year": t.report_year}),
    "reports_workbench:attachment": Entry(
        ORGANISATION,
        lambda t: {**_uscc(t), "year": t.report_year, "pk": t.attachment_pk},
        global_ids=("pk",),
    ),
    "reports_workbench:receipt": Entry(
        ORGANISATION, lambda t: {**_uscc(t), "year": t.report_year, "sequence": t.submission_sequence}
    ),
    "credit_workbench:home": Entry(ORGANISATION, _uscc),
    "credit_workbench:objection_new": Entry(
        ORGANISATION, lambda t: {**_uscc(t), "record_id": t.record_pk}, global_ids=("record_id",)
    ),
    "credit_workbench:objection": Entry(
        ORGANISATION, lambda t: {**_uscc(t), "pk": t.objection_pk}, global_ids=("pk",)
    ),
    "credit_workbench:evidence": Entry(
        ORGANISATION, lambda t: {**_uscc(t), "pk": t.objection_pk}, global_ids=("pk",)
    ),
    "charity_workbench:home": Entry(ORGANISATION, _uscc),
    "charity_workbench:basic_info": Entry(ORGANISATION, _uscc),
    "charity_workbench:import_template": Entry(ORGANISATION, lambda t: {**_uscc(t), "kind": "donations"}),
    "charity_workbench:import": Entry(
        ORGANISATION, lambda t: {**_project(t), "kind": "donations"}, global_ids=("pk",)
    ),
    "charity_workbench:status": Entry(ORGANISATION, _project, global_ids=("pk",)),
    "charity_workbench:project_new": Entry(ORGANISATION, _uscc),
    "charity_workbench:project": Entry(ORGANISATION, _project, global_ids=("pk",)),
    "charity_workbench:project_edit": Entry(ORGANISATION, _project, global_ids=("pk",)),
    "charity_workbench:donation_new": Entry(ORGANISATION, _project, global_ids=("pk",)),
    "charity_workbench:expenditure_new": Entry(ORGANISATION, _project, global_ids=("pk",)),
    "charity_workbench:report_new": Entry(ORGANISATION, _project, global_ids=("pk",)),
    # Organisation workbench: the incubator (issue 16). The programme id of "apply" is public
    # (any organisation may check its eligibility for any published programme), so it is not a
    # global id: another tenant's own scope with it is their own page. The victim's uscc with
    # it answers 404, the organisation being checked first. An application id is the tenant's.
    "incubator_workbench:home": Entry(ORGANISATION, _uscc),
    "incubator_workbench:apply": Entry(ORGANISATION, lambda t: {**_uscc(t), "pk": t.extra["programme"].pk}),
    "incubator_workbench:application": Entry(
        ORGANISATION, lambda t: {**_uscc(t), "pk": t.extra["application"].pk}, global_ids=("pk",)
    ),
    "incubator_workbench:milestone": Entry(
        ORGANISATION,
        lambda t: {**_uscc(t), "pk": t.extra["application"].pk, "milestone": t.extra["milestone"].pk},
        global_ids=("pk",),
    ),
    "incubator_workbench:evidence": Entry(
        ORGANISATION, lambda t: {**_uscc(t), "pk": t.extra["evidence"].pk}, global_ids=("pk",)
    ),
    # The resource pool: an offer is public like a programme; a need is the tenant's.
    "incubator_workbench:matches": Entry(ORGANISATION, _uscc),
    "incubator_workbench:offer": Entry(ORGANISATION, lambda t: {**_uscc(t), "pk": t.extra["offer"].pk}),
    "incubator_workbench:needs": Entry(ORGANISATION, _uscc),
    "incubator_workbench:close_need": Entry(
        ORGANISATION, lambda t: {**_uscc(t), "pk": t.extra["need"].pk}, global_ids=("pk",)
    ),
    # Organisation workbench: electronic licences (S9). A licence id is the tenant's.
    "licensing_workbench:home": Entry(ORGANISATION, _uscc),
    "licensing_workbench:archive": Entry(ORGANISATION, _uscc),
    "licensing_workbench:download": Entry(
        ORGANISATION, lambda t: {**_uscc(t), "pk": t.extra["licence"].pk}, global_ids=("pk",)
    ),
    # The applicant's registration application (S9): its number is platform-wide.
    **{
        f"registration_workbench:{name}": Entry(
            ORGANISATION, lambda t: {"number": t.extra["registration"].number}, global_ids=("number",)
        )
        for name in ("detail", "edit", "upload", "invite", "submit", "withdraw")
    },
    "registration_workbench:material": Entry(
        ORGANISATION,
        lambda t: {
            "number": t.extra["registration"].number,
            "pk": t.extra["registration"].materials.first().pk,
        },
        global_ids=("number", "pk"),
    ),
    # F11: the funeral home's slots workbench, and the family's answer to a proposed move
    **{
        f"order_slots_workbench:{name}": Entry(PROVIDER, lambda t: {"slug": t.provider.slug})
        for name in ("provider", "add_resource", "publish", "close")
    },
    **{
        f"order_slots_workbench:{name}": Entry(
            PROVIDER, lambda t: {"slug": t.provider.slug, "day": t.extra["slot_day"]}
        )
        for name in ("day", "day_csv", "day_pdf")
    },
    "order_slots_workbench:edit_resource": Entry(
        PROVIDER,
        lambda t: {"slug": t.provider.slug, "pk": t.extra["slot_booking"].resource_id},
        global_ids=("pk",),
    ),
    "order_slots_workbench:move": Entry(
        PROVIDER, lambda t: {"slug": t.provider.slug, "pk": t.extra["slot_booking"].pk}, global_ids=("pk",)
    ),
    # The family's 惠民殡葬 applications (B1): the number is platform-wide.
    **{
        f"benefits:{name}": Entry(
            FAMILY, lambda t: {"number": t.extra["benefit"].number}, global_ids=("number",)
        )
        for name in ("detail", "edit", "upload", "submit", "withdraw", "letter")
    },
    "benefits:document": Entry(
        FAMILY,
        lambda t: {"number": t.extra["benefit"].number, "pk": t.extra["benefit"].documents.first().pk},
        global_ids=("number", "pk"),
    ),
    # 身后一件事 (issue 20): only the owner and accepted co-keepers see a checklist.
    "benefit_checklist:detail": Entry(FAMILY, lambda t: {"reference": _checklist(t).reference}),
    "benefit_checklist:pdf": Entry(FAMILY, lambda t: {"reference": _checklist(t).reference}),
    "benefit_checklist:keepers": Entry(FAMILY, lambda t: {"reference": _checklist(t).reference}),
    "benefit_checklist:tick": Entry(FAMILY, _checklist_step),
    "benefit_checklist:untick": Entry(FAMILY, _checklist_step),
    "benefit_checklist:revoke": Entry(
        FAMILY,
        lambda t: {"reference": _checklist(t).reference, "pk": _checklist_keeper(t).pk},
        global_ids=("pk",),
    ),
    "orders:slot_accept_move": Entry(
        FAMILY,
        lambda t: {"reference": t.order.reference, "pk": t.extra["slot_booking"].pk},
        global_ids=("pk",),
    ),
    "orders:slot_decline_move": Entry(
        FAMILY,
        lambda t: {"reference": t.order.reference, "pk": t.extra["slot_booking"].pk},
        global_ids=("pk",),
    ),
    # The family's orders
    "orders:detail": Entry(FAMILY, _ref),
    "orders:cancel": Entry(FAMILY, _ref),
    "orders:contract_draft": Entry(FAMILY, _ref),
    "orders:contract_sealed": Entry(FAMILY, _ref),
    "orders:contract_sign": Entry(FAMILY, _ref),
    "orders:change_draft": Entry(FAMILY, _change),
    "orders:change_sealed": Entry(FAMILY, _change),
    "orders:change_sign": Entry(FAMILY, _change),
    "orders:change_decline": Entry(FAMILY, _change),
    "orders:certificate": Entry(
        FAMILY,
        lambda t: {"reference": t.order.reference, "number": t.certificate_number},
        global_ids=("number",),
    ),
    "orders:pay": Entry(FAMILY, _ref),
    "orders:receipt": Entry(
        FAMILY,
        lambda t: {"reference": t.order.reference, "payment_reference": t.payment_reference},
        global_ids=("payment_reference",),
    ),
    # Reviews and complaints: the provider's workbench and the family's own complaint pages
    "review_workbench:reply": Entry(PROVIDER, lambda t: {"pk": t.review.pk}, global_ids=("pk",)),
    "complaint_workbench:detail": Entry(
        PROVIDER, lambda t: {"reference": t.complaint.reference}, global_ids=("reference",)
    ),
    "complaint_workbench:evidence": Entry(
        PROVIDER,
        lambda t: {"reference": t.complaint.reference, "pk": t.evidence_pk},
        global_ids=("reference", "pk"),
    ),
    "complaints:detail": Entry(FAMILY, lambda t: {"reference": t.complaint.reference}),
    "complaints:evidence": Entry(
        FAMILY, lambda t: {"reference": t.complaint.reference, "pk": t.evidence_pk}, global_ids=("pk",)
    ),
    "reviews:new": Entry(FAMILY, _ref),
    # The payer's payment pages
    "payments:checkout": Entry(FAMILY, lambda t: {"public_id": t.intent.public_id}),
    "payments:return": Entry(FAMILY, lambda t: {"public_id": t.intent.public_id}),
    "payments:refresh": Entry(FAMILY, lambda t: {"public_id": t.intent.public_id}),
}

EXEMPT = {
    "registration_workbench:start": "its kwarg is the kind of application (establish, change, "
    "deregister), not a record; a change or deregistration names the organisation by ?org=, "
    "looked up among the user's own admin memberships (tests/integration/test_registration_views.py)",
    "registration_workbench:prechecks": "its kwarg is the kind of application; an application "
    "named in the body is looked up among the user's own (tests/integration/test_registration_views.py)",
    "benefits:apply": "its kwarg is a scheme's code (the bureau's schemes, listed to every family); an order "
    "named by ?order= is looked up among the user's own orders (tests/integration/test_benefits_views.py)",
    "benefits:checks": "its kwarg is a scheme's code; an application or order named in the body is looked up "
    "among the user's own (tests/integration/test_benefits_views.py)",
    "benefit_checklist:accept": "its token is the invitee's capability from the SMS; any account whose "
    "mobile is not the invited number gets 404, and an unverified number cannot accept "
    "(tests/integration/test_benefit_checklist.py)",
    "reviews:report": "public by design: anyone may report a published review (R1); a report "
    "only puts it in the staff's queue (tests/integration/test_feedback_reviews.py)",
    "reviews:provider": "a provider's public page of published reviews, the same for everyone",
    "payments:notify": "the gateway's server-to-server callback: its kwarg is the provider variant, "
    "not a record, and the body is authenticated by the gateway's RSA2 signature "
    "(tests/integration/test_payments_notifications.py, test_sweep_payments_guards.py)",
    "payments:sandbox:cashier": "the local gateway simulator's cashier (stands for Alipay's own site); "
    "its token is the buyer's capability at the simulated gateway and it holds no platform record",
}


# --- What must not change ----------------------------------------------------------------------

SNAPSHOT_APPS = (
    "core",
    "accounts",
    "catalogue",
    "orders",
    "order_slots",
    "benefits",
    "benefit_checklist",
    "feedback",
    "registry",
    "reports",
    "credit",
    "charity",
    "incubator",
    "licensing",
    "payments",
)


def snapshot():
    """Row counts of every model of the swept apps, the status of every row that has one,
    and the audit log's size: a refused request changes none of it."""
    state = {}
    for label in SNAPSHOT_APPS:
        for model in apps.get_app_config(label).get_models():
            if not model._meta.managed or model._meta.proxy:
                continue
            key = model._meta.label
            state[key] = model.objects.count()
            names = {f.name for f in model._meta.concrete_fields}
            if "status" in names:
                state[key + ".status"] = sorted(model.objects.values_list("pk", "status"))
    for model in (ModelLogEntry, PageLogEntry):
        state[model._meta.label] = model.objects.count()
    return state


def differences(before, after):
    return {
        key: (before.get(key), after.get(key))
        for key in set(before) | set(after)
        if before.get(key) != after.get(key)
    }
