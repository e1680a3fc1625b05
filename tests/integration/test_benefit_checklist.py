"""身后一件事 (issue 20, part 3) through HTTP and the services: one checklist per death, the
platform's own items live (order, certificate, 惠民殡葬 application, memorial, booked visit),
other departments' steps ticked and unticked with an audit trail, deadlines counted from the
date of death, co-keepers invited by SMS, the printable PDF, and nobody else sees anything.
Every date is relative to today."""

import datetime
import importlib
import re
from io import BytesIO

import pytest
from django.apps import apps as django_apps
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from pypdf import PdfReader
from wagtail.models import Locale, ModelLogEntry

from accounts import sms
from accounts.demo import DEMO_FAMILY_MOBILE
from core.statemachine import TRANSITION_ACTION, IllegalTransition, transition
from marketplace.benefits.checklist import demo, services
from marketplace.benefits.checklist.models import (
    Checklist,
    ChecklistKeeper,
    ChecklistStep,
    ChecklistTick,
    KeeperStatus,
    PlatformItem,
)
from marketplace.orders.models import Order, OrderStatus
from tests.factories.accounts import UserFactory
from tests.factories.cms import make_guide
from tests.factories.memorials import make_memorial
from tests.factories.orders import Scenario, family_user
from tests.factories.visits import book, session
from tests.pdfcheck import unembedded_fonts

pytestmark = pytest.mark.django_db

KEEPER_MOBILE = "13822220001"


def today():
    return timezone.localdate()


def days_ago(n):
    return today() - datetime.timedelta(days=n)


@pytest.fixture(autouse=True)
def default_steps():
    """The default steps (migration 0002), also after a transactional test flushed them."""
    seed = importlib.import_module("marketplace.benefits.checklist.migrations.0002_default_steps").seed
    seed(django_apps, None)
    return ChecklistStep.objects.active()


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def step(title=None, *, item=None):
    if item is not None:
        return ChecklistStep.objects.get(platform_item=item)
    return ChecklistStep.objects.get(title=title, platform_item="")


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def standalone(owner=None, *, name="李秀英", died=None):
    checklist, _created = services.start_checklist(
        owner or family_user(), deceased_name=name, date_of_death=died or days_ago(10)
    )
    return checklist


def rows_by_item(checklist, viewer, **kwargs):
    """The rows as the page reads them (the checklist fetched afresh, as each request does)."""
    fresh = Checklist.objects.select_related("owner", "order__provider").get(pk=checklist.pk)
    rows = services.checklist_rows(fresh, viewer=viewer, **kwargs)
    return {row.step.platform_item or row.step.title: row for row in rows}


def own_page(record):
    """A record's page URL, or "" while its app has none yet."""
    try:
        return record.get_absolute_url()
    except NoReverseMatch:
        return ""


def invite(client, checklist, mobile, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("benefit_checklist:keepers", args=[checklist.reference]), {"mobile": mobile}
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    text = sms.outbox[-1].text
    return re.search(r"/benefits/checklist/accept/[\w-]+/", text).group(0), text


# --- Starting: one checklist per death ----------------------------------------------------------


def test_the_order_page_offers_the_checklist_and_it_is_made_once(client):
    scenario = Scenario()
    family, order = scenario.family, scenario.order
    client.force_login(family)
    page = client.get(reverse("orders:detail", args=[order.reference])).content.decode()
    start = f"{reverse('benefit_checklist:start')}?order={order.reference}"
    assert "建立身后一件事清单" in page and start.replace("?", "?") in page.replace("&amp;", "&")

    confirm = client.get(start)
    assert confirm.status_code == 200 and order.deceased_name in confirm.content.decode()
    assert not Checklist.objects.exists()  # a GET changes nothing
    made = client.post(reverse("benefit_checklist:start"), {"order": order.reference})
    checklist = Checklist.objects.get()
    assert made.status_code == 302 and made["Location"] == checklist.get_absolute_url()
    assert (checklist.owner, checklist.order, checklist.deceased_name, checklist.date_of_death) == (
        family,
        order,
        order.deceased_name,
        order.date_of_death,
    )
    again = client.post(reverse("benefit_checklist:start"), {"order": order.reference})
    assert again["Location"] == checklist.get_absolute_url() and Checklist.objects.count() == 1
    assert client.get(start)["Location"] == checklist.get_absolute_url()

    page = client.get(reverse("orders:detail", args=[order.reference])).content.decode()
    assert "身后一件事清单" in page and checklist.get_absolute_url() in page
    assert (
        ModelLogEntry.objects.filter(action=services.ACTION_STARTED, object_id=str(checklist.pk)).count() == 1
    )


def test_a_checklist_starts_from_a_certificate_of_the_familys_own_order_only(client):
    scenario = Scenario()
    order = scenario.advance("completed")
    certificate = order.certificates.get()
    stranger = family_user()
    client.force_login(stranger)
    assert (
        client.get(reverse("benefit_checklist:start"), {"certificate": certificate.number}).status_code == 404
    )
    assert client.post(reverse("benefit_checklist:start"), {"order": order.reference}).status_code == 404
    client.force_login(scenario.family)
    page = client.get(reverse("benefit_checklist:start"), {"certificate": certificate.number})
    assert page.status_code == 200 and order.reference in page.content.decode()
    client.post(reverse("benefit_checklist:start"), {"certificate": certificate.number})
    assert Checklist.objects.get().order == order


def test_a_standalone_checklist_is_checked_and_not_made_twice(client):
    family = family_user()
    client.force_login(family)
    url = reverse("benefit_checklist:start")
    future = client.post(
        url, {"deceased_name": "李秀英", "date_of_death": (today() + datetime.timedelta(days=1)).isoformat()}
    )
    assert future.status_code == 400 and "死亡日期不能晚于今天" in future.content.decode()
    empty = client.post(url, {"deceased_name": "", "date_of_death": ""})
    assert empty.status_code == 400 and "请填写逝者姓名" in empty.content.decode()
    assert not Checklist.objects.exists()
    first = client.post(url, {"deceased_name": "李秀英", "date_of_death": days_ago(5).isoformat()})
    second = client.post(url, {"deceased_name": " 李秀英 ", "date_of_death": days_ago(5).isoformat()})
    checklist = Checklist.objects.get()
    assert first["Location"] == second["Location"] == checklist.get_absolute_url()
    assert checklist.order is None and checklist.owner == family
    index = client.get(reverse("benefit_checklist:index")).content.decode()
    assert "李秀英" in index and checklist.get_absolute_url() in index


# --- The platform's own items, live ---------------------------------------------------------------


def test_platform_items_show_their_live_status_and_links(django_capture_on_commit_callbacks):
    from tests.factories.benefits import from_order, sea_subsidy

    scenario = Scenario()
    family = scenario.family
    scenario.advance("paid")
    checklist, _ = services.start_checklist(family, order=scenario.order)

    rows = rows_by_item(checklist, family)
    order_row = rows[PlatformItem.FUNERAL_ORDER]
    assert order_row.state == services.IN_PROGRESS and not order_row.tickable
    [record] = order_row.platform.records
    assert scenario.order.reference in record.label and record.status == "已支付，待服务"
    assert record.url == scenario.order.get_absolute_url()
    certificate_row = rows[PlatformItem.CERTIFICATE]
    assert certificate_row.state == services.IN_PROGRESS and "服务完成后" in certificate_row.platform.note
    for item in (PlatformItem.SUBSIDY, PlatformItem.MEMORIAL, PlatformItem.VISIT):
        assert (
            rows[item].state == services.NOT_STARTED and rows[item].tickable and not rows[item].platform.found
        )

    order = scenario.advance("completed")
    certificate = order.certificates.get()
    application = from_order(sea_subsidy(), scenario)
    make_memorial(
        family,
        order=order,
        name=order.deceased_name,
        death_date=order.date_of_death,
        birth_date=order.date_of_death - datetime.timedelta(days=86 * 365),
        sea_date=today(),
    )
    booking = book(session(), family)

    rows = rows_by_item(checklist, family)
    assert rows[PlatformItem.FUNERAL_ORDER].state == services.DONE
    assert rows[PlatformItem.FUNERAL_ORDER].platform.records[0].status == "已完成"
    [cert] = rows[PlatformItem.CERTIFICATE].platform.records
    assert rows[PlatformItem.CERTIFICATE].state == services.DONE and certificate.number in cert.label
    assert reverse("verify:detail", args=[certificate.document.code]) in dict(cert.links).values()
    [app] = rows[PlatformItem.SUBSIDY].platform.records
    assert application.number in app.label and app.status == application.get_status_display()
    assert rows[PlatformItem.SUBSIDY].state == services.IN_PROGRESS and app.url == own_page(application)
    [memorial] = rows[PlatformItem.MEMORIAL].platform.records
    assert rows[PlatformItem.MEMORIAL].state == services.DONE and order.deceased_name in memorial.label
    [visit] = rows[PlatformItem.VISIT].platform.records
    assert rows[PlatformItem.VISIT].state == services.DONE and visit.status == "已预约"
    assert visit.url == reverse("memorial_visits:booking", args=[booking.reference])

    client = signed_in(family)
    page = client.get(checklist.get_absolute_url()).content.decode()
    assert certificate.document.code in page and application.number in page and booking.reference in page
    assert "已办 4 / 12 项" in page  # the order, certificate, memorial and visit; the application is pending


def test_an_approved_application_counts_as_done_and_a_co_keepers_records_show_without_their_links(
    django_capture_on_commit_callbacks,
):
    from marketplace.benefits.models import ApplicationStatus, BenefitApplication
    from tests.factories.benefits import sea_subsidy
    from tests.factories.benefits import standalone as standalone_application

    owner = family_user()
    checklist = standalone(owner, name="李秀英", died=days_ago(10))
    keeper = UserFactory(mobile=KEEPER_MOBILE, real_name="李强")
    keeper_row = services.invite(checklist, owner, mobile=KEEPER_MOBILE)
    ChecklistKeeper.objects.filter(pk=keeper_row.pk).update(
        status=KeeperStatus.ACCEPTED, user=keeper, accepted_at=timezone.now()
    )
    application = standalone_application(sea_subsidy(), applicant=keeper, date_of_death=days_ago(10))
    BenefitApplication.objects.filter(pk=application.pk).update(status=ApplicationStatus.APPROVED)

    row = rows_by_item(checklist, owner)[PlatformItem.SUBSIDY]
    [record] = row.platform.records
    assert row.state == services.DONE and record.status == "已批准"
    assert record.url == ""  # the application page is the applicant's alone
    assert rows_by_item(checklist, keeper)[PlatformItem.SUBSIDY].platform.records[0].url == own_page(
        application
    )


# --- Ticks ------------------------------------------------------------------------------------------


def test_a_department_step_is_ticked_and_unticked_with_who_and_when_audited(client):
    owner = family_user()
    checklist = standalone(owner)
    hukou = step("注销户口")
    client.force_login(owner)
    response = client.post(reverse("benefit_checklist:tick", args=[checklist.reference, hukou.pk]))
    assert response.status_code == 302 and response["Location"].endswith(f"#step-{hukou.pk}")
    tick = ChecklistTick.objects.get()
    assert (tick.step, tick.ticked_by) == (hukou, owner)
    assert abs((timezone.now() - tick.ticked_at).total_seconds()) < 60
    client.post(reverse("benefit_checklist:tick", args=[checklist.reference, hukou.pk]))  # twice: one tick
    assert ChecklistTick.objects.count() == 1
    page = client.get(checklist.get_absolute_url()).content.decode()
    assert "勾选为已办" in page and services.person(owner) in page and "已办 1 / 12 项" in page
    assert reverse("benefit_checklist:untick", args=[checklist.reference, hukou.pk]) in page

    client.post(reverse("benefit_checklist:untick", args=[checklist.reference, hukou.pk]))
    assert not ChecklistTick.objects.exists()
    entries = ModelLogEntry.objects.filter(object_id=str(checklist.pk)).order_by("timestamp", "pk")
    ticked, unticked = (
        entries.filter(action=services.ACTION_TICKED).get(),
        entries.filter(action=services.ACTION_UNTICKED).get(),
    )
    assert ticked.user == owner and ticked.data["title"] == "注销户口"
    assert unticked.user == owner and unticked.data["ticked_by"] == services.person(owner)
    page = client.get(checklist.get_absolute_url()).content.decode()
    who = services.person(owner)
    assert f"{who} 勾选了“注销户口”" in page and f"{who} 取消勾选“注销户口”（原由 {who} 勾选）" in page
    assert "已办 0 / 12 项" in page


def test_a_platform_item_with_a_record_is_not_ticked_but_one_done_elsewhere_is(client):
    scenario = Scenario()
    checklist, _ = services.start_checklist(scenario.family, order=scenario.order)
    client.force_login(scenario.family)
    order_step = step(item=PlatformItem.FUNERAL_ORDER)
    response = client.post(
        reverse("benefit_checklist:tick", args=[checklist.reference, order_step.pk]), follow=True
    )
    assert "由本平台办理，状态自动更新" in response.content.decode()
    assert not ChecklistTick.objects.exists()
    memorial_step = step(item=PlatformItem.MEMORIAL)
    client.post(reverse("benefit_checklist:tick", args=[checklist.reference, memorial_step.pk]))
    assert rows_by_item(checklist, scenario.family)[PlatformItem.MEMORIAL].state == services.DONE
    retired = step("不动产、存款等遗产继承")
    retired.is_active = False
    retired.save()
    assert (
        client.post(reverse("benefit_checklist:tick", args=[checklist.reference, retired.pk])).status_code
        == 404
    )


# --- Deadlines ----------------------------------------------------------------------------------------


def test_deadlines_count_down_from_the_date_of_death_on_both_sides():
    claim = step("申领丧葬补助金和抚恤金")
    window = claim.deadline_days
    assert window == 60 and "60 日" in claim.deadline_basis  # stored in the step, not the code
    died = days_ago(10)
    before = services.deadline_for(claim, died)
    assert (before.due, before.days_left, before.state) == (
        died + datetime.timedelta(days=window),
        window - 10,
        "open",
    )
    assert before.text.startswith(f"还有 {window - 10} 天")
    on_the_day = services.deadline_for(claim, died, today=died + datetime.timedelta(days=window))
    assert on_the_day.state == "today" and on_the_day.text.startswith("今天截止")
    late = services.deadline_for(claim, died, today=died + datetime.timedelta(days=window + 3))
    assert late.state == "overdue" and late.text.startswith("已超过期限 3 天")
    done = services.deadline_for(claim, died, today=died + datetime.timedelta(days=window + 3), done=True)
    assert done.state == "met" and done.text.startswith("已办理")
    assert services.deadline_for(step("注销户口"), died) is None
    claim.deadline_days = 30  # the bureau edits the step; the countdown follows
    claim.save()
    assert services.deadline_for(claim, died).text.startswith("还有 20 天")


def test_the_page_shows_the_countdown_and_the_overdue_steps(client):
    owner = family_user()
    recent, old = (
        standalone(owner, name="李秀英", died=days_ago(10)),
        standalone(owner, name="张国强", died=days_ago(75)),
    )
    client.force_login(owner)
    page = client.get(recent.get_absolute_url()).content.decode()
    assert "还有 50 天" in page and "死亡之日起 60 日内" in page and "社会保险经办办事指南" in page
    page = client.get(old.get_absolute_url()).content.decode()
    assert "已超过期限 15 天" in page and "badge-danger" in page
    claim = step("申领丧葬补助金和抚恤金")
    services.tick(old, claim.pk, owner)
    page = client.get(old.get_absolute_url()).content.decode()
    assert "已超过期限" not in page and "已办理（期限" in page


# --- Co-keepers -----------------------------------------------------------------------------------------


def test_the_owner_invites_a_co_keeper_by_sms_who_accepts_and_ticks(django_capture_on_commit_callbacks):
    owner = family_user()
    checklist = standalone(owner, name="李秀英")
    keeper = UserFactory(mobile=KEEPER_MOBILE, real_name="李强")
    owner_client, keeper_client = signed_in(owner), signed_in(keeper)
    assert keeper_client.get(checklist.get_absolute_url()).status_code == 404

    link, text = invite(owner_client, checklist, KEEPER_MOBILE, django_capture_on_commit_callbacks)
    assert sms.outbox[-1].mobile == KEEPER_MOBILE and "李*英" in text and "李秀英" not in text
    assert "http://testserver/benefits/checklist/accept/" in text
    row = ChecklistKeeper.objects.get()
    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert row.status == KeeperStatus.INVITED and token not in row.token_hash and len(token) >= 32

    page = keeper_client.get(link)
    assert (
        page.status_code == 200 and "接受邀请" in page.content.decode() and "李*英" in page.content.decode()
    )
    accepted = keeper_client.post(link)
    assert accepted.status_code == 302 and accepted["Location"] == checklist.get_absolute_url()
    row.refresh_from_db()
    assert (row.status, row.user) == (KeeperStatus.ACCEPTED, keeper)
    assert ModelLogEntry.objects.filter(action=TRANSITION_ACTION, object_id=str(row.pk)).get().user == keeper
    assert keeper_client.get(link)["Location"] == checklist.get_absolute_url()  # accepting again: the page

    page = keeper_client.get(checklist.get_absolute_url()).content.decode()
    assert "李秀英" in page and services.person(keeper) in page
    assert reverse("benefit_checklist:keepers", args=[checklist.reference]) not in page
    hukou = step("注销户口")
    keeper_client.post(reverse("benefit_checklist:tick", args=[checklist.reference, hukou.pk]))
    assert ChecklistTick.objects.get().ticked_by == keeper
    assert (
        f"{services.person(keeper)} 勾选了“注销户口”"
        in owner_client.get(checklist.get_absolute_url()).content.decode()
    )
    assert keeper_client.get(reverse("benefit_checklist:pdf", args=[checklist.reference])).status_code == 200
    assert checklist in services.visible_checklists(keeper)
    assert "李秀英" in keeper_client.get(reverse("benefit_checklist:index")).content.decode()

    # A co-keeper cannot invite others nor remove the owner or anyone.
    keepers_url = reverse("benefit_checklist:keepers", args=[checklist.reference])
    assert keeper_client.get(keepers_url).status_code == 404
    assert keeper_client.post(keepers_url, {"mobile": "13822220009"}).status_code == 404
    revoke_url = reverse("benefit_checklist:revoke", args=[checklist.reference, row.pk])
    assert keeper_client.post(revoke_url).status_code == 404
    assert ChecklistKeeper.objects.count() == 1 and len(sms.outbox) == 1

    # The owner revokes: the keeper sees nothing any more.
    assert owner_client.post(revoke_url).status_code == 302
    row.refresh_from_db()
    assert row.status == KeeperStatus.REVOKED and row.revoked_at is not None
    assert keeper_client.get(checklist.get_absolute_url()).status_code == 404
    assert keeper_client.post(link).status_code == 400  # the old link doesn't bring them back
    assert ChecklistKeeper.objects.get().status == KeeperStatus.REVOKED


def test_only_the_invited_verified_number_accepts(django_capture_on_commit_callbacks):
    owner = family_user()
    checklist = standalone(owner)
    link, _text = invite(signed_in(owner), checklist, KEEPER_MOBILE, django_capture_on_commit_callbacks)

    anonymous = Client().get(link)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("accounts:login"))
    wrong = signed_in(UserFactory(mobile="13822220002"))
    assert wrong.get(link).status_code == 404 and wrong.post(link).status_code == 404
    assert signed_in(owner).get(link).status_code == 404  # the owner's number isn't the invited one
    assert Client().get(link.replace("/accept/", "/accept/x")).status_code == 302

    unverified_user = UserFactory(mobile=KEEPER_MOBILE, mobile_verified_at=None)
    unverified = signed_in(unverified_user)
    page = unverified.get(link)
    assert page.status_code == 200 and "尚未通过短信验证" in page.content.decode()
    assert reverse("accounts:login_code") in page.content.decode()
    refused = unverified.post(link)
    assert refused.status_code == 400 and ChecklistKeeper.objects.get().status == KeeperStatus.INVITED
    assert unverified.get(checklist.get_absolute_url()).status_code == 404

    unverified_user.mobile_verified_at = timezone.now()  # proved the number by SMS
    unverified_user.save()
    assert unverified.post(link).status_code == 302
    assert ChecklistKeeper.objects.get().status == KeeperStatus.ACCEPTED


def test_invitations_expire_and_a_new_one_replaces_the_old_link(django_capture_on_commit_callbacks, settings):
    settings.CHECKLIST_INVITATION_RESEND_SECONDS = 0
    owner = family_user()
    checklist = standalone(owner)
    owner_client = signed_in(owner)
    keeper_client = signed_in(UserFactory(mobile=KEEPER_MOBILE))
    first, _ = invite(owner_client, checklist, KEEPER_MOBILE, django_capture_on_commit_callbacks)
    second, _ = invite(owner_client, checklist, KEEPER_MOBILE, django_capture_on_commit_callbacks)
    assert first != second and ChecklistKeeper.objects.count() == 1
    assert keeper_client.get(first).status_code == 404
    ChecklistKeeper.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    page = keeper_client.get(second)
    assert "已过期" in page.content.decode() and keeper_client.post(second).status_code == 400
    assert (
        "邀请已过期"
        in owner_client.get(reverse("benefit_checklist:keepers", args=[checklist.reference])).content.decode()
    )


def test_invitations_are_refused_for_bad_numbers_members_and_floods(
    django_capture_on_commit_callbacks, settings
):
    settings.CHECKLIST_MAX_KEEPERS = 2
    owner = family_user()
    checklist = standalone(owner)
    client = signed_in(owner)
    url = reverse("benefit_checklist:keepers", args=[checklist.reference])
    assert client.post(url, {"mobile": "12345"}).status_code == 400
    assert "您自己的手机号码" in client.post(url, {"mobile": owner.mobile}).content.decode()
    invite(client, checklist, "13822220003", django_capture_on_commit_callbacks)
    too_soon = client.post(url, {"mobile": "13822220003"})
    assert too_soon.status_code == 400 and "秒后再试" in too_soon.content.decode()
    invite(client, checklist, "138 2222 0004", django_capture_on_commit_callbacks)
    full = client.post(url, {"mobile": "13822220005"})
    assert full.status_code == 400 and "最多 2 位" in full.content.decode()
    assert len(sms.outbox) == 2 and {m.mobile for m in sms.outbox} == {"13822220003", "13822220004"}


KEEPER_TABLE = {("invited", "accepted"), ("invited", "revoked"), ("accepted", "revoked")}


def test_the_keeper_table_is_exactly_the_expected_one():
    assert {(str(source), str(target)) for source, target in ChecklistKeeper.TRANSITIONS} == KEEPER_TABLE


@pytest.mark.parametrize(
    ("source", "target"),
    [(a, b) for a in KeeperStatus.values for b in KeeperStatus.values],
    ids=lambda value: str(value),
)
def test_every_keeper_move_is_made_or_refused_on_a_real_row(source, target):
    """Every (from, to) pair of the co-keeper table, as tests/unit/test_transition_tables.py
    does for the others: a legal move saves and is audited, an illegal one raises and leaves
    the row as it was."""
    owner = family_user()
    row = services.invite(standalone(owner), owner, mobile=KEEPER_MOBILE)
    # The account an accepted row names (the database requires one).
    ChecklistKeeper.objects.filter(pk=row.pk).update(
        user=UserFactory(mobile=KEEPER_MOBILE), accepted_at=timezone.now(), status=source
    )
    row.refresh_from_db()
    if (source, target) in KEEPER_TABLE:
        transition(row, target, user=owner, reason="测试")
        assert ChecklistKeeper.objects.get(pk=row.pk).status == target
        entry = ModelLogEntry.objects.filter(action=TRANSITION_ACTION, object_id=str(row.pk)).latest("pk")
        assert entry.user == owner and entry.data == {
            "from": source,
            "to": target,
            "reason": "测试",
            "field": "status",
        }
    else:
        with pytest.raises(IllegalTransition) as error:
            transition(row, target, user=owner, reason="测试")
        assert (error.value.source, error.value.target) == (source, target)
        assert ChecklistKeeper.objects.get(pk=row.pk).status == source


# --- Nobody else ---------------------------------------------------------------------------------------


def test_another_user_gets_404_on_every_checklist_url_and_nothing_changes(django_capture_on_commit_callbacks):
    scenario = Scenario()
    owner = scenario.family
    checklist, _ = services.start_checklist(owner, order=scenario.order)
    hukou = step("注销户口")
    services.tick(checklist, hukou.pk, owner)
    keeper = services.invite(checklist, owner, mobile=KEEPER_MOBILE)
    urls = {
        "detail": checklist.get_absolute_url(),
        "pdf": reverse("benefit_checklist:pdf", args=[checklist.reference]),
        "tick": reverse("benefit_checklist:tick", args=[checklist.reference, step("停发基本养老金").pk]),
        "untick": reverse("benefit_checklist:untick", args=[checklist.reference, hukou.pk]),
        "keepers": reverse("benefit_checklist:keepers", args=[checklist.reference]),
        "revoke": reverse("benefit_checklist:revoke", args=[checklist.reference, keeper.pk]),
        "accept": reverse("benefit_checklist:accept", args=[keeper.token]),
        "start": f"{reverse('benefit_checklist:start')}?order={scenario.order.reference}",
    }
    staff = UserFactory(is_staff=True, is_superuser=True)
    before = (
        ChecklistTick.objects.count(),
        list(ChecklistKeeper.objects.values_list("status", flat=True)),
        ModelLogEntry.objects.count(),
    )
    for other in (family_user(), staff):
        client = signed_in(other)
        for name, url in urls.items():
            for method in ("get", "post"):
                response = getattr(client, method)(
                    url, {"mobile": "13822220009", "order": scenario.order.reference}
                )
                assert response.status_code in (404, 405), f"{other} {method} {name}: {response.status_code}"
                if method == "get" and name not in ("tick", "untick", "revoke"):
                    assert response.status_code == 404, name
        assert checklist.reference not in client.get(reverse("benefit_checklist:index")).content.decode()
    anonymous = Client()
    for url in urls.values():
        response = anonymous.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    after = (
        ChecklistTick.objects.count(),
        list(ChecklistKeeper.objects.values_list("status", flat=True)),
        ModelLogEntry.objects.count(),
    )
    assert before == after and len(sms.outbox) == 0
    # Unguessable: the reference is random, and the accept token's hash is all that is stored.
    assert re.fullmatch(r"SH[0-9A-Z]{10}", checklist.reference)
    assert not ChecklistKeeper.objects.filter(token_hash=keeper.token).exists()


# --- The printable PDF ------------------------------------------------------------------------------------


def test_the_pdf_lists_every_step_with_status_department_documents_where_and_deadline(client):
    scenario = Scenario()
    order = scenario.advance("completed")
    checklist, _ = services.start_checklist(scenario.family, order=order)
    services.tick(checklist, step("注销户口").pk, scenario.family)
    client.force_login(scenario.family)
    response = client.get(reverse("benefit_checklist:pdf", args=[checklist.reference]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    data = response.content
    assert data.startswith(b"%PDF") and unembedded_fonts(data) == []
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)
    flat = re.sub(r"\s+", "", text)
    assert order.deceased_name in flat and checklist.reference in flat
    for active in ChecklistStep.objects.active():
        assert re.sub(r"\s+", "", active.title) in flat, active.title
    assert "北京住房公积金管理中心" in flat and "继承权公证书" in flat and "12329" in flat
    assert "已办结" in flat and order.reference in flat and "已完成" in flat
    assert re.sub(r"\s+", "", services.person(scenario.family)) in flat and "勾选" in flat
    left = 60 - (today() - order.date_of_death).days
    assert f"还有{left}天" in flat and "已办3/12项" in flat  # the order, its certificate, the tick


CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def english_main_text(html, *typed):
    """The text of <main> (tags dropped), without what people typed (names)."""
    main = html[html.index("<main") : html.index("</main>")]
    text = re.sub(r"<[^>]+>", " ", main)
    for value in typed:
        text = text.replace(value, "")
    return text


def test_the_pages_and_the_pdf_follow_the_english_language(client, django_capture_on_commit_callbacks):
    owner = family_user()
    checklist = standalone(owner, died=days_ago(10))
    services.tick(checklist, step("注销户口").pk, owner)
    keeper = UserFactory(mobile=KEEPER_MOBILE)
    link, _text = invite(signed_in(owner), checklist, KEEPER_MOBILE, django_capture_on_commit_callbacks)
    signed_in(keeper).post(link)
    client.force_login(owner)
    page = client.get("/en" + checklist.get_absolute_url())
    html = page.content.decode()
    assert page.status_code == 200
    assert (
        "Cancel the household registration (hukou)" in html
        and "Beijing Housing Provident Fund Management Centre" in html
    )
    assert "50 days left" in html and "Mark as done" in html and "Within 60 days of the death" in html
    assert (
        "(you)" in html and "Untick" in html and "ticked “Cancel the household registration (hukou)”" in html
    )
    typed = (checklist.deceased_name, services.person(owner), services.person(keeper))
    for path in (
        checklist.get_absolute_url(),
        reverse("benefit_checklist:index"),
        reverse("benefit_checklist:keepers", args=[checklist.reference]),
        reverse("benefit_checklist:start"),
    ):
        text = english_main_text(client.get("/en" + path).content.decode(), *typed)
        assert not CJK.search(text), (path, CJK.findall(text)[:20])
    assert "My checklists" in client.get("/en" + reverse("benefit_checklist:index")).content.decode()
    data = client.get("/en" + reverse("benefit_checklist:pdf", args=[checklist.reference])).content
    text = re.sub(r"\s+", " ", "".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages))
    assert "Claim the funeral grant" in text and "50 days left" in text


def test_a_guide_page_link_follows_the_language(client, home_page):
    guide = make_guide(home_page)
    guide.save_revision().publish()
    english = guide.copy_for_translation(Locale.objects.get(language_code="en"), copy_parents=True)
    english.specific.save_revision().publish()
    claim = step("申领丧葬补助金和抚恤金")
    claim.guide_page = guide
    claim.save()
    owner = family_user()
    checklist = standalone(owner)
    client.force_login(owner)
    chinese = client.get(checklist.get_absolute_url()).content.decode()
    assert f'href="{guide.url}"' in chinese and "查看办事指南" in chinese
    english_page = client.get("/en" + checklist.get_absolute_url()).content.decode()
    english.refresh_from_db()
    assert f'href="{english.url}"' in english_page and english.url.startswith("/en/")


# --- Query counts -------------------------------------------------------------------------------------------


def _grow(checklist, owner, n):
    """More steps, ticks, co-keepers, certificates' worth of rows: the page must not care."""
    for i in range(n):
        extra = ChecklistStep.objects.create(
            title=f"附加事项{i}",
            department="测试部门",
            documents="材料一\n材料二",
            deadline_days=30 + i,
            deadline_basis="测试依据",
            sort_order=200 + i,
        )
        services.tick(checklist, extra.pk, owner)
    for i in range(n):
        keeper = family_user(mobile=f"1383333{i:04d}")
        row = services.invite(checklist, owner, mobile=keeper.mobile)
        ChecklistKeeper.objects.filter(pk=row.pk).update(
            status=KeeperStatus.ACCEPTED, user=keeper, accepted_at=timezone.now()
        )
        book(session(), keeper)


def test_the_checklist_page_keeps_a_flat_number_of_queries(client, django_assert_max_num_queries, settings):
    settings.CHECKLIST_MAX_KEEPERS = 10
    from tests.factories.benefits import from_order, sea_subsidy

    scenario = Scenario()
    order = scenario.advance("completed")
    owner = scenario.family
    checklist, _ = services.start_checklist(owner, order=order)
    from_order(sea_subsidy(), scenario)
    services.tick(checklist, step("注销户口").pk, owner)
    client.force_login(owner)
    url = checklist.get_absolute_url()
    client.get(url)
    with django_assert_max_num_queries(40) as small:
        assert client.get(url).status_code == 200
    _grow(checklist, owner, 6)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(url)
    assert "附加事项5" in page.content.decode()
    pdf = reverse("benefit_checklist:pdf", args=[checklist.reference])
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(pdf).status_code == 200


# --- Demo --------------------------------------------------------------------------------------------------------


def test_the_demo_builds_the_demo_familys_checklist_part_done_once():
    family = family_user(mobile=DEMO_FAMILY_MOBILE)
    scenario = Scenario(family=family)
    scenario.advance("completed")
    checklist = demo.load(today=today())
    assert checklist.owner == family and checklist.order == scenario.order
    ticked = set(ChecklistTick.objects.filter(checklist=checklist).values_list("step__title", flat=True))
    assert ticked == {"开具死亡医学证明", "注销户口"}
    rows = services.checklist_rows(checklist, viewer=family)
    assert 2 < services.progress(rows)[0] < len(rows)  # part done: ticks and the completed order
    assert demo.load(today=today()) == checklist and ChecklistTick.objects.count() == 2


def test_a_cancelled_order_leaves_the_step_to_the_family():
    scenario = Scenario()
    owner = scenario.family
    checklist, _ = services.start_checklist(owner, order=scenario.order)
    Order.objects.filter(pk=scenario.order.pk).update(status=OrderStatus.CANCELLED)
    row = rows_by_item(checklist, owner)[PlatformItem.FUNERAL_ORDER]
    assert row.state == services.NOT_STARTED and row.tickable and row.platform.records[0].status == "已取消"
    fresh = Checklist.objects.get(pk=checklist.pk)
    services.tick(fresh, step(item=PlatformItem.FUNERAL_ORDER).pk, owner)  # done at another funeral home
    row = rows_by_item(checklist, owner)[PlatformItem.FUNERAL_ORDER]
    assert row.state == services.DONE and row.tick is not None and row.status_label == "已办"
