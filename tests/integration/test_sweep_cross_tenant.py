"""Cross-tenant sweep (issue 24, point 3): every object URL of the workbench, the family's
orders and the payment pages, taken from the URL conf, is requested by everyone who must not
reach it — anonymous, another tenant of the same kind, another kind of user — with GET and
POST. Each answer must be 404, 403, 405 (the method is refused before anything is read) or a
redirect to sign-in; never a page, a redirect elsewhere or an error, and the database must
not change.

The list of URLs is not written here: ``tests.sweep_objects.swept_urls()`` reads it from the
resolver, and a URL that isn't in the table fails ``test_every_swept_url_is_classified``.
"""

import pytest
from django.test import Client
from django.urls import reverse

from accounts import sms
from orgs.registry.models import MemberRole, Membership
from tests.factories.accounts import UserFactory
from tests.factories.orgs import OrganizationFactory
from tests.sweep_objects import (
    EXEMPT,
    FAMILY,
    ORGANISATION,
    PROVIDER,
    URLS,
    differences,
    make_funeral_tenant,
    make_organisation_tenant,
    snapshot,
    swept_urls,
)

# Harmless but plausible form fields, so a view that skipped its owner check would act on
# them (or re-render a form) instead of failing on a missing field.
POST_DATA = {"reason": "跨租户探测", "consent": "on", "channel": "pc", "confirm": "1"}


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def test_every_swept_url_is_classified():
    """A new object URL under /workbench/, /orders/, /payments/ or /benefits/ must be added to
    the sweep's table (or exempted with a reason) before it can ship."""
    found = swept_urls()
    unclassified = sorted(set(found) - set(URLS) - set(EXEMPT))
    assert unclassified == [], f"add these URLs to tests/sweep_objects.py URLS: {unclassified}"
    stale = sorted((set(URLS) | set(EXEMPT)) - set(found))
    assert stale == [], f"these names are no longer in the URL conf: {stale}"
    for name, entry in URLS.items():
        assert set(entry.global_ids) <= set(found[name].kwarg_names), name


def test_the_sweep_covers_every_workbench_orders_and_payments_area():
    """The walker reaches through includes, namespaces and i18n_patterns."""
    namespaces = {name.split(":")[0] for name in swept_urls()}
    assert {
        "catalogue_workbench",
        "orders_workbench",
        "registry_workbench",
        "reports_workbench",
        "credit_workbench",
        "charity_workbench",
        "orders",
        "payments",
    } <= namespaces


def _client(user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _refused(response):
    if response.status_code in (403, 404, 405):
        return True
    if response.status_code in (301, 302, 303, 307, 308):
        return response["Location"].split("?")[0] == reverse("accounts:login")
    return False


def _describe(response):
    where = f" → {response['Location']}" if response.has_header("Location") else ""
    return f"{response.status_code}{where}"


def _org_staff():
    user = UserFactory()
    Membership.objects.create(user=user, organization=OrganizationFactory(), role=MemberRole.ADMIN)
    return user


def _sweep(kind, victim, attacker_tenant, attackers):
    """Request every URL of ``kind`` built from ``victim``'s objects as each attacker; also the
    attacker's own scope with the victim's global ids. Returns the list of violations."""
    names = sorted(name for name, entry in URLS.items() if entry.kind == kind)
    owner = {
        PROVIDER: getattr(victim, "staff", None),
        ORGANISATION: getattr(victim, "admin", None),
        FAMILY: getattr(victim, "family", None),
    }[kind]
    owner_client = _client(owner)
    clients = {label: _client(user) for label, user in attackers.items()}
    same_kind = clients["same kind"]
    violations = []
    # The owner reaches every URL first: the kwargs name real records, so a 404 below is the
    # permission check and not a bad id. (Some GETs make a document on first view; that is
    # done here, before the snapshot.)
    for name in names:
        url = reverse(name, kwargs=URLS[name].kwargs(victim))
        response = owner_client.get(url)
        if response.status_code not in (200, 302, 405) or (
            response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
        ):
            violations.append(f"owner cannot reach {name} {url}: {_describe(response)}")
    assert not violations, "\n".join(violations)

    for name in names:
        entry = URLS[name]
        kwargs = entry.kwargs(victim)
        requests = [(label, client, reverse(name, kwargs=kwargs)) for label, client in clients.items()]
        if entry.global_ids and len(kwargs) > len(entry.global_ids):
            # The attacker's own scope (provider, organisation, order) with the victim's id.
            mixed = {**entry.kwargs(attacker_tenant), **{key: kwargs[key] for key in entry.global_ids}}
            requests.append(("same kind, own scope", same_kind, reverse(name, kwargs=mixed)))
        before = snapshot()
        for label, client, url in requests:
            for method in ("get", "post"):
                try:
                    response = getattr(client, method)(url, POST_DATA if method == "post" else None)
                except Exception as exc:  # a 500 is a failure of the sweep, not of the test run
                    violations.append(f"{label} {method.upper()} {name} {url}: raised {exc!r}")
                    continue
                if not _refused(response):
                    violations.append(f"{label} {method.upper()} {name} {url}: {_describe(response)}")
        changed = differences(before, snapshot())
        if changed:
            violations.append(f"{name}: refused requests changed the database: {changed}")
    return violations


@pytest.mark.django_db
def test_provider_urls_refuse_everyone_but_the_providers_staff():
    victim, other = make_funeral_tenant("甲"), make_funeral_tenant("乙")
    attackers = {
        "anonymous": None,
        "same kind": other.staff,
        "organisation staff": _org_staff(),
        "the order's family": victim.family,
    }
    violations = _sweep(PROVIDER, victim, other, attackers)
    assert not violations, "\n".join(violations)


@pytest.mark.django_db
def test_organisation_urls_refuse_everyone_but_the_organisations_staff():
    victim, other = make_organisation_tenant(), make_organisation_tenant()
    funeral = make_funeral_tenant("丙")
    attackers = {
        "anonymous": None,
        "same kind": other.admin,
        "provider staff": funeral.staff,
        "a family": funeral.family,
    }
    violations = _sweep(ORGANISATION, victim, other, attackers)
    assert not violations, "\n".join(violations)


@pytest.mark.django_db
def test_family_urls_refuse_everyone_but_the_family():
    victim, other = make_funeral_tenant("丁"), make_funeral_tenant("戊")
    attackers = {
        "anonymous": None,
        "same kind": other.family,
        "the order's provider staff": victim.staff,
        "organisation staff": _org_staff(),
    }
    violations = _sweep(FAMILY, victim, other, attackers)
    assert not violations, "\n".join(violations)


# --- The two access mutants the audit named ------------------------------------------------------


@pytest.mark.django_db
def test_provider_draft_pdf_of_other_providers_order_is_404():
    victim, other = make_funeral_tenant("己"), make_funeral_tenant("庚")
    client = _client(other.staff)
    for name, kwargs in (
        ("orders_workbench:contract_draft", {"reference": victim.order.reference}),
        (
            "orders_workbench:change_draft",
            {"reference": victim.order.reference, "number": victim.change_number},
        ),
    ):
        response = client.get(reverse(name, kwargs=kwargs))
        assert response.status_code == 404, name
        assert response.get("Content-Type", "") != "application/pdf"
    # Its own provider's staff do get the draft.
    own = _client(victim.staff).get(
        reverse("orders_workbench:contract_draft", kwargs={"reference": victim.order.reference})
    )
    assert own.status_code == 200 and own["Content-Type"] == "application/pdf"


@pytest.mark.django_db
def test_family_cannot_reach_other_familys_order():
    victim, other = make_funeral_tenant("辛"), make_funeral_tenant("壬")
    client = _client(other.family)
    for name, entry in URLS.items():
        if not name.startswith("orders:"):
            continue
        url = reverse(name, kwargs=entry.kwargs(victim))
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code in (404, 405), (name, method, response.status_code)
    # Not in their own list either, and their own order opens.
    listing = client.get(reverse("orders:index")).content.decode()
    assert victim.order.reference not in listing and other.order.reference in listing
    assert (
        client.get(reverse("orders:detail", kwargs={"reference": other.order.reference})).status_code == 200
    )


@pytest.mark.django_db
def test_order_providers_staff_cannot_act_as_the_family():
    """The family's helper filters on the owner, not only on "may manage": the provider's
    staff may manage the order in the workbench but never sign, decline or pay as the family."""
    victim = make_funeral_tenant("癸")
    client = _client(victim.staff)
    for name, entry in URLS.items():
        if name.startswith("orders:"):
            response = client.get(reverse(name, kwargs=entry.kwargs(victim)))
            assert response.status_code in (404, 405), (name, response.status_code)
