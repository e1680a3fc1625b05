"""The public change feed (issue 19): every kind of public change is recorded exactly once, in the
transaction that makes it, through the apps' real services; a rolled-back change never appears;
``/api/v1/changes/?after=`` pages through the changes once each, in order, even while writers
commit out of order; the Atom feeds parse and list the expected entries; no row holds private data.
"""

import datetime
import threading
import time
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone
from freezegun import freeze_time

from api.changes import Change, record_changes
from api.models import PublicChange
from core.models import AppendOnlyError
from marketplace.catalogue.services import publish_price
from orgs.charity import imports
from orgs.charity import services as charity_services
from orgs.charity.models import Donation
from orgs.credit import services as credit_services
from orgs.credit.public_changes import record_expired_ratings
from orgs.credit.services.rules import run_daily
from orgs.registry import services as registry_services
from orgs.reports.services import accept_report, return_report, submit_report
from tests.factories.accounts import UserFactory
from tests.factories.catalogue import ProviderFactory, make_item
from tests.factories.charity import CharityFactory, CharityProjectFactory
from tests.factories.credit import at, make_listing, officer
from tests.factories.orgs import MembershipFactory, OrganizationFactory, submitted_report
from tests.integration.test_charity_imports import HEADER, csv_bytes

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
D = datetime.date


def last_cursor():
    return PublicChange.objects.order_by("-id").values_list("id", flat=True).first() or 0


def changes_after(cursor, **filters):
    return list(PublicChange.objects.after(cursor).filter(**filters))


def only_change(cursor, kind):
    rows = changes_after(cursor)
    assert [row.kind for row in rows] == [kind], [(row.kind, row.title) for row in rows]
    return rows[0]


def api_changes(client, **params):
    """Every change the API lists for ``params``, following the ``next`` links."""
    response = client.get("/api/v1/changes/", params)
    assert response.status_code == 200, response.content
    data = response.json()
    rows = list(data["results"])
    while data["next"]:
        data = client.get(data["next"]).json()
        rows.extend(data["results"])
    return rows


def next_year_price(item, price):
    return publish_price(
        item,
        price=Decimal(price),
        effective_from=timezone.localdate() + datetime.timedelta(days=30),
        reason="人工成本上涨",
        user=UserFactory(),
    )


def donation_rows(*rows):
    return csv_bytes(
        [
            [receipt, donor, anonymous, "资金", amount, "", "2026-02-03", "银行转账"]
            for receipt, donor, anonymous, amount in rows
        ],
        header=HEADER,
    )


# --- Every kind, exactly once ------------------------------------------------------------------


def test_a_published_price_is_one_change_with_its_public_urls():
    provider = ProviderFactory(name="测试京西殡仪馆", slug="test-jingxi")
    item = make_item(provider, "urn", name="骨灰盒（标准）")
    cursor = last_cursor()
    version = next_year_price(item, "120.00")
    change = only_change(cursor, "price.published")
    assert change.subject == "test-jingxi"
    assert "测试京西殡仪馆" in change.title and "骨灰盒（标准）" in change.title and "120.00" in change.title
    assert change.html_url == f"/funeral/items/{item.pk}/history/"
    assert change.api_url == f"/api/v1/price-versions/{version.pk}/"
    assert change.occurred_at == version.announced_at


def test_a_price_of_an_unpublished_provider_is_not_a_public_change():
    provider = ProviderFactory(is_published=False)
    cursor = last_cursor()
    make_item(provider, "urn")
    assert changes_after(cursor) == []


def test_a_provider_verified_is_one_change_even_when_saved_twice():
    provider = ProviderFactory(is_verified=False, slug="test-verify")
    cursor = last_cursor()
    with transaction.atomic():
        provider.is_verified = True
        provider.verified_at = timezone.now()
        provider.save()
        provider.description = "核验后补充简介"
        provider.save()
    change = only_change(cursor, "provider.verified")
    assert change.subject == "test-verify" and change.html_url == "/funeral/providers/test-verify/"
    assert change.api_url == "/api/v1/providers/test-verify/"
    provider.save()  # still verified: nothing new
    assert len(changes_after(cursor)) == 1


def test_a_verified_provider_becoming_published_is_when_its_verification_becomes_public():
    provider = ProviderFactory(is_published=False, is_verified=True)
    cursor = last_cursor()
    provider.is_published = True
    provider.save()
    assert only_change(cursor, "provider.verified").subject == provider.slug


def test_a_listing_confirmed_and_removed_are_one_change_each():
    organization = OrganizationFactory(name="北京市测试失联协会")
    cursor = last_cursor()
    entry = make_listing(organization, listed_on=D(2024, 3, 1))
    listed = only_change(cursor, "listing.confirmed")
    assert listed.subject == organization.uscc and listed.html_url == f"/credit/{organization.uscc}/"
    assert (
        "北京市测试失联协会" in listed.title
        and "活动异常名录" in listed.title
        and "2024-03-01" in listed.title
    )
    assert listed.api_url == f"/api/v1/credit/{organization.uscc}/"
    cursor = listed.pk
    with freeze_time(at(D(2024, 9, 2))):
        credit_services.remove_entry(
            entry,
            removed_on=D(2024, 9, 1),
            removal_reason="fixed",
            document_number="京民移〔2024〕1号",
            user=officer(),
            note="内部备注：联系人张某某",
        )
    removed = only_change(cursor, "listing.removed")
    assert "2024-09-01" in removed.title and "张某某" not in removed.title


def test_a_listing_confirmed_from_a_rule_proposal_is_one_change():
    from orgs.credit.models import Proposal, ProposalStatus

    organization = OrganizationFactory()
    with freeze_time(at(D(2026, 6, 15))):
        credit_services.run_rules(D(2026, 6, 15))
        proposal = Proposal.objects.filter(organization=organization, status=ProposalStatus.PENDING).first()
        assert proposal is not None, "an organisation without its 2025 report is proposed for S5"
        cursor = last_cursor()
        credit_services.confirm_proposal(
            proposal, user=officer(), reason="逾期未报", document_number="京民异1号"
        )
    assert only_change(cursor, "listing.confirmed").subject == organization.uscc


def test_a_report_accepted_is_one_change_and_a_returned_report_none():
    organization = OrganizationFactory(name="北京市测试年报协会")
    with freeze_time(at(D(2026, 4, 1))):
        report, _submission = submitted_report(organization, 2025)
        cursor = last_cursor()
        return_report(report, reasons="财务报表不平衡：内部审核意见", user=officer())
        assert changes_after(cursor) == []  # a returned report is not public
        report.refresh_from_db()
        submit_report(report, user=report.created_by)
        assert changes_after(cursor) == []  # nor a submitted one
        accept_report(report, conclusion="qualified", comment="", user=officer())
    change = only_change(cursor, "report.accepted")
    assert "北京市测试年报协会" in change.title and "2025" in change.title and "合格" in change.title
    assert change.html_url == f"/orgs/{organization.uscc}/"
    assert change.api_url == f"/api/v1/annual-reports/{organization.uscc}-2025/"
    assert "财务报表不平衡" not in change.title


def test_imported_donations_are_one_change_each_and_a_reimport_adds_none():
    project = CharityProjectFactory(name="测试助学项目")
    user = MembershipFactory(organization=project.organization).user
    data = donation_rows(("IMP-1", "王小明", "否", "100.00"), ("IMP-2", "李秘密", "是", "200.00"))
    cursor = last_cursor()
    result = imports.confirm(project, imports.read_rows("d.csv", data), user=user)
    assert result.created == 2
    rows = changes_after(cursor)
    assert [row.kind for row in rows] == ["donation.published", "donation.published"]
    assert {row.subject for row in rows} == {project.organization.uscc}
    assert all(row.html_url == f"/charity/projects/{project.pk}/" for row in rows)
    assert any("IMP-2" in row.title and "200.00" in row.title for row in rows)
    uscc = project.organization.uscc
    assert [row.api_url for row in rows] == [
        f"/api/v1/charity/donations/IMP-{n}/?organization={uscc}" for n in (1, 2)
    ]
    again = imports.confirm(project, imports.read_rows("d.csv", data), user=user)
    assert again.skipped == 2 and len(changes_after(cursor)) == 2


def test_a_corrected_donation_is_one_change():
    project = CharityProjectFactory()
    user = MembershipFactory(organization=project.organization).user
    imports.confirm(
        project, imports.read_rows("d.csv", donation_rows(("IMP-9", "赵六", "否", "300.00"))), user=user
    )
    original = Donation.objects.get(receipt_number="IMP-9")
    cursor = last_cursor()
    correction = Donation(
        corrects=original,
        organization=original.organization,
        project=project,
        donor_name=original.donor_name,
        anonymous=original.anonymous,
        amount=Decimal("250.00"),
        donated_on=original.donated_on,
        channel=original.channel,
        receipt_number=original.receipt_number,
    )
    charity_services.publish(correction, user=user)
    change = only_change(cursor, "donation.corrected")
    assert "IMP-9" in change.title and "250.00" in change.title


def test_a_new_charity_project_is_one_change():
    organization = CharityFactory()
    cursor = last_cursor()
    project = CharityProjectFactory(organization=organization, name="测试养老助餐项目")
    project.description = "更新简介"
    charity_services.save_project(project, user=UserFactory())  # an edit is no new project
    change = only_change(cursor, "project.published")
    assert "测试养老助餐项目" in change.title and change.html_url == f"/charity/projects/{project.pk}/"
    assert change.api_url == f"/api/v1/charity/projects/{project.pk}/"


def _rated(organization):
    on = D(2026, 6, 1)
    with freeze_time(at(D(2026, 5, 10))):
        submitted_report(organization, 2025)
    with freeze_time(at(on)):
        return credit_services.rate(
            organization,
            score=Decimal("955"),
            evaluating_body="北京市社会组织评估委员会",
            rated_on=on,
            user=officer(),
        )


def test_a_rating_given_and_expired_are_one_change_each_however_often_the_daily_job_runs():
    organization = OrganizationFactory(name="北京市测试评估协会")
    cursor = last_cursor()
    rating = _rated(organization)
    given = only_change(cursor, "rating.given")
    assert "5A" in given.title and "2031-05-31" in given.title and given.subject == organization.uscc
    cursor = given.pk
    assert record_expired_ratings(D(2031, 5, 31)) == []  # its last valid day
    with freeze_time(at(D(2031, 6, 1))):
        run_daily(D(2031, 6, 1), warning_kinds=[])
        run_daily(D(2031, 6, 1), warning_kinds=[])
    expired = only_change(cursor, "rating.expired")
    assert expired.key == f"rating.expired:{rating.pk}" and "2031-05-31" in expired.title
    assert timezone.localtime(expired.occurred_at).date() == D(2031, 6, 1)
    assert record_expired_ratings(D(2032, 1, 1)) == []


def test_a_registration_change_is_one_change():
    organization = OrganizationFactory()
    cursor = last_cursor()
    registry_services.record_change(
        organization, "domicile", "北京市西城区示例路2号", changed_on=D(2026, 5, 1), user=UserFactory()
    )
    change = only_change(cursor, "registration.changed")
    assert change.subject == organization.uscc and "2026-05-01" in change.title
    assert change.api_url == f"/api/v1/organisations/{organization.uscc}/"


def test_an_establishment_approved_online_is_one_change():
    from orgs.licensing import registration
    from tests.factories.licensing import establishment, publish_checklists, ready

    publish_checklists()
    bureau = officer()
    application = ready(establishment())
    registration.submit(application, user=application.applicant)
    registration.accept(application, user=bureau)
    cursor = last_cursor()
    organization = registration.approve(application, user=bureau).organization
    change = only_change(cursor, "registration.established")
    assert change.subject == organization.uscc and organization.name in change.title
    assert change.key == f"registration.established:{application.pk}"
    assert change.api_url == f"/api/v1/organisations/{organization.uscc}/"
    # Saving the approved application again tells nobody anything new.
    application.refresh_from_db()
    application.save()
    assert len(changes_after(cursor)) == 1


def test_the_api_url_of_a_change_answers_with_its_record(client):
    project = CharityProjectFactory()
    user = MembershipFactory(organization=project.organization).user
    cursor = last_cursor()
    imports.confirm(
        project, imports.read_rows("d.csv", donation_rows(("IMP-77", "周八", "是", "88.00"))), user=user
    )
    make_listing(project.organization, listed_on=D(2024, 3, 1))
    donation, listing = api_changes(client, after=cursor)
    record = client.get(donation["api_url"]).json()
    assert record["receipt_number"] == "IMP-77" and "周八" not in str(record)
    assert client.get(listing["api_url"]).json()["uscc"] == project.organization.uscc
    assert client.get(donation["html_url"]).status_code == 200


def test_every_registered_kind_is_driven_by_a_test_above():
    from api.changes import kinds

    assert set(kinds()) == {
        "price.published",
        "provider.verified",
        "listing.confirmed",
        "listing.removed",
        "report.accepted",
        "donation.published",
        "donation.corrected",
        "rating.given",
        "rating.expired",
        "project.published",
        "registration.changed",
        "registration.established",
    }


# --- Transactions --------------------------------------------------------------------------------


class Boom(Exception):
    pass


def test_a_rolled_back_change_never_appears():
    provider = ProviderFactory()
    item = make_item(provider, "urn")
    organization = OrganizationFactory()
    cursor = last_cursor()
    with pytest.raises(Boom), transaction.atomic():
        next_year_price(item, "150.00")
        make_listing(organization, listed_on=D(2024, 3, 1))
        assert len(changes_after(cursor)) == 2  # written in the same transaction
        raise Boom
    assert changes_after(cursor) == []
    version = next_year_price(item, "160.00")
    (change,) = changes_after(cursor)
    assert change.key == f"price.published:{version.pk}"  # a gap in the ids, and no row


def test_a_service_that_fails_after_its_write_leaves_no_change():
    project = CharityProjectFactory()
    user = MembershipFactory(organization=project.organization).user
    cursor = last_cursor()
    data = donation_rows(("IMP-31", "孙七", "否", "100.00"))
    with pytest.raises(Boom), transaction.atomic():
        imports.confirm(project, imports.read_rows("d.csv", data), user=user)
        raise Boom  # e.g. the request failing after the service
    assert changes_after(cursor) == [] and not Donation.objects.filter(receipt_number="IMP-31").exists()


def test_a_change_is_append_only():
    organization = OrganizationFactory()
    make_listing(organization, listed_on=D(2024, 3, 1))
    change = PublicChange.objects.get(subject=organization.uscc)
    change.title = "改写的标题"
    with pytest.raises(AppendOnlyError):
        change.save()
    with pytest.raises(AppendOnlyError):
        change.delete()
    with pytest.raises(AppendOnlyError):
        PublicChange.objects.filter(pk=change.pk).update(title="x")
    with pytest.raises(AppendOnlyError):
        PublicChange.objects.filter(pk=change.pk).delete()


def test_an_unregistered_kind_is_refused():
    with pytest.raises(LookupError):
        record_changes(Change(kind="made.up", key="made.up:1", title="x"))


# --- The endpoint --------------------------------------------------------------------------------


def test_after_is_exclusive_and_pages_return_each_change_once_in_order(client, settings):
    settings.API_PAGE_SIZE = 2
    organizations = [OrganizationFactory() for _ in range(5)]
    start = last_cursor()
    for organization in organizations:
        make_listing(organization, listed_on=D(2024, 3, 1))
    rows = api_changes(client, after=start)
    assert [row["subject"] for row in rows] == [o.uscc for o in organizations]
    cursors = [row["cursor"] for row in rows]
    assert cursors == sorted(cursors) and len(set(cursors)) == 5
    assert [row["subject"] for row in api_changes(client, after=cursors[1])] == [
        o.uscc for o in organizations[2:]
    ]
    first = rows[0]
    assert first["kind"] == "listing.confirmed" and first["kind_label"] == "列入信用名录"
    assert first["html_url"] == f"http://testserver/credit/{organizations[0].uscc}/"
    assert set(first) == {
        "cursor",
        "kind",
        "kind_label",
        "subject",
        "title",
        "occurred_at",
        "html_url",
        "api_url",
    }


def test_inserts_between_pages_are_read_once(client, settings):
    settings.API_PAGE_SIZE = 2
    start = last_cursor()
    first_batch = [OrganizationFactory() for _ in range(3)]
    for organization in first_batch:
        make_listing(organization, listed_on=D(2024, 3, 1))
    page = client.get("/api/v1/changes/", {"after": start}).json()
    late = OrganizationFactory()
    make_listing(late, listed_on=D(2024, 3, 1))
    rows = list(page["results"])
    data = page
    while data["next"]:
        data = client.get(data["next"]).json()
        rows.extend(data["results"])
    assert [row["subject"] for row in rows] == [o.uscc for o in [*first_batch, late]]


def test_kind_and_subject_filter_the_changes(client):
    provider = ProviderFactory()
    item = make_item(provider, "urn")
    organization = OrganizationFactory()
    start = last_cursor()
    make_listing(organization, listed_on=D(2024, 3, 1))
    next_year_price(item, "130.00")
    assert [row["kind"] for row in api_changes(client, after=start, kind="price.published")] == [
        "price.published"
    ]
    both = api_changes(client, after=start, kind=["price.published", "listing.confirmed"])
    assert [row["kind"] for row in both] == ["listing.confirmed", "price.published"]
    assert [row["subject"] for row in api_changes(client, after=start, subject=organization.uscc)] == [
        organization.uscc
    ]


def test_an_unknown_kind_or_a_bad_cursor_is_a_clear_400(client):
    response = client.get("/api/v1/changes/", {"kind": "price.deleted"})
    assert response.status_code == 400
    message = response.json()["kind"][0]
    assert (
        "未知的变更类型“price.deleted”" in message
        and "price.published" in message
        and "rating.expired" in message
    )
    response = client.get("/api/v1/changes/", {"after": "yesterday"})
    assert response.status_code == 400 and "after" in response.json()


def test_one_change_by_its_cursor(client):
    organization = OrganizationFactory()
    make_listing(organization, listed_on=D(2024, 3, 1))
    change = PublicChange.objects.get(subject=organization.uscc)
    data = client.get(f"/api/v1/changes/{change.pk}/").json()
    assert data["cursor"] == change.pk and data["subject"] == organization.uscc
    assert client.get("/api/v1/changes/999999999/").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_after_paging_misses_nothing_while_writers_commit_out_of_order(client):
    """Writer 1 records a change (id n) and is still working; writer 2 records one (n + 1) and
    commits first. A reader must not see n + 1 before n is committed, or ``after=n+1`` would skip
    n for ever. The writers' lock makes writer 2 wait for writer 1's commit."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer at a time hold the database: ids commit in order already")
    first_item = make_item(ProviderFactory(), "urn")
    second_item = make_item(ProviderFactory(), "urn")  # another provider: no shared row lock
    start = last_cursor()
    recorded, release = threading.Event(), threading.Event()
    errors = []

    def first_writer():
        try:
            with transaction.atomic():
                next_year_price(first_item, "110.00")
                recorded.set()
                release.wait(60)
        except Exception as error:  # noqa: BLE001 - reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    def second_writer():
        try:
            with transaction.atomic():
                next_year_price(second_item, "120.00")
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connections.close_all()

    one, two = threading.Thread(target=first_writer), threading.Thread(target=second_writer)
    one.start()
    assert recorded.wait(60)
    two.start()
    deadline = time.monotonic() + 60
    while two.is_alive() and not _waiting_for_the_feed_lock():
        assert time.monotonic() < deadline, "the second writer neither finished nor waited"
        time.sleep(0.01)
    seen = api_changes(client, after=start)
    release.set()
    one.join(60)
    two.join(60)
    assert errors == []
    cursor = seen[-1]["cursor"] if seen else start
    rows = seen + api_changes(client, after=cursor)
    assert [row["subject"] for row in rows] == [first_item.provider.slug, second_item.provider.slug]
    assert [row["cursor"] for row in rows] == sorted({row["cursor"] for row in rows})


def _waiting_for_the_feed_lock():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
        return cursor.fetchone()[0] > 0


# --- Atom feeds ------------------------------------------------------------------------------------


def parse_atom(response):
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own server's feed, parsed as a reader would
    assert root.tag == f"{ATOM}feed"
    return [
        {
            "title": entry.findtext(f"{ATOM}title"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "id": entry.findtext(f"{ATOM}id"),
        }
        for entry in root.findall(f"{ATOM}entry")
    ]


def test_the_credit_lists_feed_lists_listings_and_removals(client):
    listed = OrganizationFactory(name="北京市测试名录协会")
    entry = make_listing(listed, listed_on=D(2024, 3, 1))
    with freeze_time(at(D(2024, 9, 2))):
        credit_services.remove_entry(
            entry, removed_on=D(2024, 9, 1), removal_reason="fixed", document_number="n", user=officer()
        )
    make_item(ProviderFactory(), "urn")  # a price is not a credit-list change
    entries = parse_atom(client.get("/api/v1/feeds/credit-lists.atom"))
    assert len(entries) == 2
    assert "被移出" in entries[0]["title"] and "被列入" in entries[1]["title"]  # newest first
    assert all("北京市测试名录协会" in e["title"] for e in entries)
    assert entries[0]["link"] == f"http://testserver/credit/{listed.uscc}/"
    assert len({e["id"] for e in entries}) == 2


def test_the_provider_price_feed_lists_that_providers_prices_only(client):
    provider = ProviderFactory(slug="test-feed-home")
    item = make_item(provider, "urn", name="标准骨灰盒")
    next_year_price(item, "180.00")
    make_item(ProviderFactory(), "urn", name="别家骨灰盒")
    entries = parse_atom(client.get("/api/v1/feeds/providers/test-feed-home/prices.atom"))
    assert len(entries) == 2 and all("标准骨灰盒" in e["title"] for e in entries)
    assert "180.00" in entries[0]["title"]
    assert entries[0]["link"] == f"http://testserver/funeral/items/{item.pk}/history/"


def test_the_provider_price_feed_of_an_unknown_or_unpublished_provider_is_404(client):
    ProviderFactory(slug="test-hidden-home", is_published=False)
    assert client.get("/api/v1/feeds/providers/test-hidden-home/prices.atom").status_code == 404
    assert client.get("/api/v1/feeds/providers/no-such-home/prices.atom").status_code == 404


def test_the_charity_projects_feed_lists_new_projects(client):
    project = CharityProjectFactory(name="测试新项目")
    entries = parse_atom(client.get("/api/v1/feeds/charity-projects.atom"))
    assert [e["link"] for e in entries] == [f"http://testserver/charity/projects/{project.pk}/"]
    assert "测试新项目" in entries[0]["title"]


def test_an_unchanged_feed_answers_304_and_a_new_entry_changes_it(client):
    CharityProjectFactory()
    first = client.get("/api/v1/feeds/charity-projects.atom")
    etag = first["ETag"]
    assert first["Cache-Control"].startswith("public") and "X-Citation" in first
    assert client.get("/api/v1/feeds/charity-projects.atom", HTTP_IF_NONE_MATCH=etag).status_code == 304
    CharityProjectFactory()
    again = client.get("/api/v1/feeds/charity-projects.atom", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200 and again["ETag"] != etag


# --- Privacy -------------------------------------------------------------------------------------


def test_no_change_row_holds_private_data(client):
    project = CharityProjectFactory()
    user = MembershipFactory(organization=project.organization).user
    data = donation_rows(
        ("IMP-41", "隐名捐赠人甲", "是", "100.00"), ("IMP-42", "实名捐赠人乙", "否", "100.00")
    )
    imports.confirm(project, imports.read_rows("d.csv", data), user=user)
    organization = OrganizationFactory()
    with freeze_time(at(D(2026, 4, 1))):
        report, _submission = submitted_report(organization, 2025)
        return_report(report, reasons="内部意见：理事会名单缺失", user=officer())
    hidden = ProviderFactory(is_published=False, name="未公开的殡仪馆")
    make_item(hidden, "urn")
    text = " ".join(str(value) for row in PublicChange.objects.values() for value in row.values())
    text += client.get("/api/v1/changes/").content.decode()
    for private in ("隐名捐赠人甲", "实名捐赠人乙", "理事会名单缺失", "未公开的殡仪馆", hidden.slug):
        assert private not in text
    assert PublicChange.objects.filter(kind="donation.published").count() == 2


def test_the_pages_announce_their_feeds(client):
    provider = ProviderFactory(slug="test-announced-home")
    feeds = {
        "/credit/": "/api/v1/feeds/credit-lists.atom",
        "/charity/": "/api/v1/feeds/charity-projects.atom",
        f"/funeral/providers/{provider.slug}/": f"/api/v1/feeds/providers/{provider.slug}/prices.atom",
    }
    for page, feed in feeds.items():
        html = client.get(page).content.decode()
        assert '<link rel="alternate" type="application/atom+xml"' in html and f'href="{feed}"' in html
