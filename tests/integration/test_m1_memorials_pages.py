"""M1 over HTTP: privacy in every output (the list, search, the sitemap, open data), the
private memorial's code page, tributes and reports from the page, the keeper's pages, the
bureau's queue in the admin, 404 for another account, and flat query counts."""

import re

import pytest
from django.contrib.auth.models import Group
from django.test import override_settings
from django.urls import reverse

from accounts.groups import FUNERAL_SECTION
from marketplace.memorials.models import (
    Memorial,
    MemorialReport,
    MemorialStatus,
    ReportStatus,
    Tribute,
    TributeStatus,
    Visibility,
)
from tests.factories.accounts import UserFactory
from tests.factories.cms import make_home_page
from tests.factories.memorials import make_memorial
from tests.factories.orders import family_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site():
    return make_home_page()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def officer():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=FUNERAL_SECTION))
    return user


def three_kinds():
    return (
        make_memorial(name="公开纪念甲"),
        make_memorial(name="链接纪念乙", visibility=Visibility.UNLISTED),
        make_memorial(name="私密纪念丙", visibility=Visibility.PRIVATE, access_code="secret-88"),
    )


def test_m1_unlisted_and_private_memorials_never_appear_in_the_list(client):
    public, unlisted, private = three_kinds()
    page = client.get("/memorials/").text
    assert "公开纪念甲" in page and public.get_absolute_url() in page
    assert "链接纪念乙" not in page and "私密纪念丙" not in page
    assert unlisted.token not in page and private.token not in page
    for query in ("纪念", "链接纪念乙", "私密纪念丙"):
        found = client.get("/memorials/", {"q": query}).text
        assert unlisted.token not in found and private.token not in found
        assert "没有找到公开的纪念馆" in found or query == "纪念"


def test_m1_unlisted_and_private_memorials_never_appear_in_search(client, committed):
    with committed():
        public, unlisted, private = three_kinds()
    from search import registry

    document_type = registry.get_type("memorial")
    assert [m.name for m in document_type.public_queryset()] == ["公开纪念甲"]
    assert public.get_absolute_url() in client.get("/search/", {"q": "公开纪念甲"}).text
    for memorial in (unlisted, private):
        for query in (memorial.name, "纪念", memorial.epitaph):
            assert memorial.token not in client.get("/search/", {"q": query}).text


def test_m1_a_memorial_made_private_or_hidden_leaves_the_search_index(client, committed):
    with committed():
        memorial = make_memorial(name="转为私密丁")
    assert memorial.token in client.get("/search/", {"q": "转为私密丁"}).text
    with committed():
        memorial.visibility = Visibility.PRIVATE
        memorial.save()
    assert memorial.token not in client.get("/search/", {"q": "转为私密丁"}).text


def test_m1_unlisted_and_private_memorials_never_appear_in_the_sitemap_or_open_data(client):
    public, unlisted, private = three_kinds()
    sitemap = client.get("/sitemap.xml").text
    assert public.get_absolute_url() in sitemap
    assert unlisted.token not in sitemap and private.token not in sitemap
    hidden = make_memorial(name="隐藏纪念戊")
    Memorial.objects.filter(pk=hidden.pk).update(status=MemorialStatus.HIDDEN, status_reason="测试")
    assert hidden.token not in client.get("/sitemap.xml").text
    open_data = client.get("/open-data/").text
    api = client.get("/api/v1/").text
    for memorial in (unlisted, private, hidden):
        assert memorial.name not in open_data and memorial.token not in api


def test_m1_unlisted_and_private_pages_say_noindex_and_public_pages_do_not(client):
    public, unlisted, _private = three_kinds()
    assert 'name="robots"' not in client.get(public.get_absolute_url()).text
    response = client.get(unlisted.get_absolute_url())
    assert response.status_code == 200 and "链接纪念乙" in response.text
    assert '<meta name="robots" content="noindex' in response.text


def test_m1_a_private_memorial_needs_the_code_or_an_invitation(client):
    keeper = family_user()
    private = make_memorial(keeper, name="私密纪念丙", visibility=Visibility.PRIVATE, access_code="secret-88")
    response = client.get(private.get_absolute_url())
    assert response.status_code == 302 and response.url == reverse("memorials:access", args=[private.token])
    page = client.get(response.url)
    assert "私密纪念丙" not in page.text and '<meta name="robots" content="noindex' in page.text
    wrong = client.post(response.url, {"code": "guess"})
    assert wrong.status_code == 400 and "访问码不正确" in wrong.text and 'id="error-summary"' in wrong.text
    assert client.get(private.get_absolute_url()).status_code == 302
    right = client.post(response.url, {"code": "secret-88"})
    assert right.status_code == 302
    assert "私密纪念丙" in client.get(private.get_absolute_url()).text
    # The keeper needs no code.
    client.logout()
    client.force_login(keeper)
    assert "私密纪念丙" in client.get(private.get_absolute_url()).text


@override_settings(M1_ACCESS_CODE_FAILURES_PER_IP=2)
def test_m1_wrong_codes_on_the_page_are_throttled_with_a_clear_message(client):
    private = make_memorial(visibility=Visibility.PRIVATE, access_code="secret-88")
    url = reverse("memorials:access", args=[private.token])
    client.post(url, {"code": "a"})
    client.post(url, {"code": "b"})
    response = client.post(url, {"code": "secret-88"})
    assert response.status_code == 400 and "访问码错误次数过多" in response.text
    assert client.get(private.get_absolute_url()).status_code == 302


def test_m1_creating_needs_sign_in_then_real_name(client):
    response = client.get("/memorials/new/")
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    client.force_login(UserFactory())
    response = client.get("/memorials/new/")
    assert response.status_code == 403 and "实名认证" in response.text
    assert client.post("/memorials/new/", {"name": "某某"}).status_code == 403
    assert not Memorial.objects.exists()


def _form(**overrides):
    data = {
        "name": "周淑珍",
        "birth_date": "1938-05-01",
        "death_date": "2020-11-20",
        "epitaph": "温良恭俭",
        "biography": "一生教书育人。",
        "resting_kind": "natural",
        "resting_note": "某公墓树葬区",
        "order": "",
        "declaration": "我是逝者的孙女。",
        "visibility": "public",
        "access_code": "",
        "confirm": "on",
    }
    data.update(overrides)
    return data


def test_m1_a_real_name_family_creates_a_memorial_from_the_one_page_form(client):
    keeper = family_user()
    client.force_login(keeper)
    response = client.post("/memorials/new/", _form())
    memorial = Memorial.objects.get()
    assert response.status_code == 302 and response.url == memorial.get_absolute_url()
    page = client.get(memorial.get_absolute_url()).text
    assert "周淑珍" in page and "某公墓树葬区" in page and "亲属声明" in page
    assert reverse("memorials:manage", args=[memorial.token]) in page


def test_m1_a_future_death_date_is_refused_on_the_form_with_an_error_summary(client):
    client.force_login(family_user())
    response = client.post("/memorials/new/", _form(death_date="2999-01-01"))
    assert response.status_code == 400 and 'id="error-summary"' in response.text
    assert "纪念馆只为已故之人建立" in response.text and 'href="#id_death_date"' in response.text
    assert not Memorial.objects.exists()


def test_m1_a_tribute_from_the_page_and_a_held_message(client):
    from marketplace.feedback.models import SensitiveWord

    SensitiveWord.objects.create(word="代写")
    memorial = make_memorial()
    client.force_login(UserFactory(display_name="小李"))
    url = reverse("memorials:tribute", args=[memorial.token])
    assert client.post(url, {"kind": "candle"}).status_code == 302
    client.post(url, {"kind": "message", "message": "专业代写悼词"})
    page = client.get(memorial.get_absolute_url()).text
    assert "点烛" in page and "代写" not in page
    assert list(Tribute.objects.values_list("status", flat=True).order_by("pk")) == [
        TributeStatus.PUBLISHED,
        TributeStatus.HELD,
    ]
    empty = client.post(url, {"kind": "message", "message": ""})
    assert empty.status_code == 400 and "请填写留言内容" in empty.text


@override_settings(M1_TRIBUTES_PER_ACCOUNT_PER_HOUR=1)
def test_m1_the_rate_limit_shows_a_clear_error_on_the_page(client):
    memorial = make_memorial()
    client.force_login(UserFactory())
    url = reverse("memorials:tribute", args=[memorial.token])
    client.post(url, {"kind": "flower"})
    response = client.post(url, {"kind": "flower"})
    assert response.status_code == 400 and "一小时内的祭奠已达 1 次" in response.text
    assert Tribute.objects.count() == 1


def test_m1_a_report_from_the_page_reaches_the_bureau_queue_and_needs_a_reason(client, bureau_groups):
    memorial = make_memorial(name="被举报馆")
    message = Tribute.objects.create(
        memorial=memorial,
        author=UserFactory(),
        kind="message",
        message="辱骂内容",
        signed_as="某人",
        status="published",
    )
    report_url = reverse("memorials:report_tribute", args=[memorial.token, message.pk])
    assert client.post(report_url, {"reason": ""}).status_code == 400
    assert client.post(report_url, {"reason": "辱骂逝者"}).status_code == 302
    report = MemorialReport.objects.get()
    client.force_login(officer())
    queue = client.get(reverse("memorials_report:index"))
    assert queue.status_code == 200 and "被举报馆" in queue.text
    edit = reverse("memorials_report:edit", args=[report.pk])
    refused = client.post(edit, {"decision": ReportStatus.UPHELD, "reason": ""})
    assert refused.status_code == 200
    message.refresh_from_db()
    assert message.status == TributeStatus.PUBLISHED
    assert client.post(edit, {"decision": ReportStatus.UPHELD, "reason": "辱骂他人"}).status_code == 302
    message.refresh_from_db()
    assert message.status == TributeStatus.HIDDEN
    client.logout()
    assert "辱骂内容" not in client.get(memorial.get_absolute_url()).text


def test_m1_the_bureau_queue_is_closed_to_others(client, bureau_groups):
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse("memorials_report:index")).status_code in (302, 403)


def test_m1_another_account_cannot_edit_manage_or_moderate_someone_elses_memorial(client):
    memorial = make_memorial(approve_messages=True)
    pending = Tribute.objects.create(
        memorial=memorial,
        author=UserFactory(),
        kind="message",
        message="等待",
        signed_as="甲",
        status="pending",
    )
    client.force_login(family_user())
    assert client.get(reverse("memorials:edit", args=[memorial.token])).status_code == 404
    assert client.get(reverse("memorials:manage", args=[memorial.token])).status_code == 404
    response = client.post(
        reverse("memorials:manage", args=[memorial.token]), {"action": "approve", "tribute": pending.pk}
    )
    assert response.status_code == 404
    pending.refresh_from_db()
    assert pending.status == TributeStatus.PENDING


def test_m1_the_keeper_approves_a_pending_message_and_changes_visibility(client):
    keeper = family_user()
    memorial = make_memorial(keeper, approve_messages=True)
    pending = Tribute.objects.create(
        memorial=memorial,
        author=UserFactory(),
        kind="message",
        message="想念您",
        signed_as="甲",
        status="pending",
    )
    client.force_login(keeper)
    manage = reverse("memorials:manage", args=[memorial.token])
    assert "想念您" in client.get(manage).text
    client.post(manage, {"action": "approve", "tribute": pending.pk})
    pending.refresh_from_db()
    assert pending.status == TributeStatus.PUBLISHED
    short = client.post(manage, {"action": "settings", "visibility": "private", "access_code": "123"})
    assert short.status_code == 400 and "访问码至少" in short.text
    client.post(manage, {"action": "settings", "visibility": "private", "access_code": "family-2026"})
    memorial.refresh_from_db()
    assert memorial.visibility == Visibility.PRIVATE and memorial.has_access_code
    assert "family-2026" not in memorial.access_code_hash


def test_m1_a_hidden_memorial_answers_404_and_its_keeper_sees_why(client):
    keeper = family_user()
    memorial = make_memorial(keeper)
    Memorial.objects.filter(pk=memorial.pk).update(status=MemorialStatus.HIDDEN, status_reason="信息不实")
    assert client.get(memorial.get_absolute_url()).status_code == 404
    client.force_login(keeper)
    page = client.get(memorial.get_absolute_url()).text
    assert "已被民政局隐藏" in page and "信息不实" in page


def test_m1_my_memorials_lists_kept_ones_and_accepts_an_invitation(client):
    keeper = family_user()
    memorial = make_memorial(keeper, name="邀请纪念", visibility=Visibility.PRIVATE)
    invited = UserFactory(mobile="13855556666")
    client.force_login(keeper)
    assert "邀请纪念" in client.get(reverse("memorials:mine")).text
    client.post(
        reverse("memorials:manage", args=[memorial.token]),
        {"action": "invite", "mobile": "13855556666", "role": "visitor"},
    )
    client.force_login(invited)
    mine = client.get(reverse("memorials:mine")).text
    invitation = memorial.invitations.get()
    assert "邀请纪念" in mine
    assert client.post(reverse("memorials:mine"), {"invitation": invitation.pk}).status_code == 302
    assert "邀请纪念" in client.get(memorial.get_absolute_url()).text
    # The account page links to 我的纪念馆.
    assert reverse("memorials:mine") in client.get(reverse("accounts:profile")).text


def test_m1_the_list_is_ordered_by_creation_not_by_tributes(client):
    older = make_memorial(name="先建纪念")
    make_memorial(name="后建纪念")
    for _ in range(3):
        Tribute.objects.create(
            memorial=older, author=UserFactory(), kind="flower", signed_as="甲", status="published"
        )
    page = client.get("/memorials/").text
    assert page.index("后建纪念") < page.index("先建纪念")


def _grow(memorials, tributes_each):
    keeper = family_user()
    made = [make_memorial(keeper, name=f"纪念{n}") for n in range(memorials)]
    visitor = UserFactory()
    for memorial in made:
        Tribute.objects.bulk_create(
            [
                Tribute(
                    memorial=memorial,
                    author=visitor,
                    kind="message",
                    message=f"留言{n}",
                    signed_as="访客",
                    status="published",
                )
                for n in range(tributes_each)
            ]
        )
    return made


@pytest.mark.parametrize("memorials,tributes", [(2, 2), (25, 30)])
def test_m1_query_counts_of_the_list_and_a_memorial_page_stay_flat(
    client, django_assert_max_num_queries, memorials, tributes
):
    made = _grow(memorials, tributes)
    client.force_login(UserFactory())
    # The first page also creates the site's settings row; the numbers are the same for both sizes.
    with django_assert_max_num_queries(18):
        assert client.get("/memorials/").status_code == 200
    with django_assert_max_num_queries(15):
        assert client.get("/memorials/", {"q": "纪念"}).status_code == 200
    with django_assert_max_num_queries(8):
        page = client.get(made[0].get_absolute_url())
    assert len(re.findall(r'class="tribute panel"', page.text)) == tributes


def test_m1_the_keeper_opts_in_to_the_anniversary_sms_on_the_manage_page(client):
    from marketplace.memorials.models import MemorialMember

    keeper = family_user()
    memorial = make_memorial(keeper)
    client.force_login(keeper)
    manage = reverse("memorials:manage", args=[memorial.token])
    assert "忌日短信提醒" in client.get(manage).text
    assert client.post(manage, {"action": "reminder", "anniversary_sms": "on"}).status_code == 302
    assert MemorialMember.objects.get(memorial=memorial, user=keeper).anniversary_sms
    client.post(manage, {"action": "reminder"})
    assert not MemorialMember.objects.get(memorial=memorial, user=keeper).anniversary_sms


def test_m1_the_bureau_decides_a_message_held_by_a_sensitive_word_in_the_admin(client, bureau_groups):
    from marketplace.feedback.models import SensitiveWord
    from marketplace.memorials import services

    SensitiveWord.objects.create(word="代写")
    memorial = make_memorial(name="敏感词馆")
    held = services.leave_tribute(memorial, UserFactory(), kind="message", message="代写挽联")
    other = services.leave_tribute(memorial, UserFactory(), kind="message", message="代写碑文")
    client.force_login(officer())
    queue = client.get(reverse("memorials_tribute:index"))
    assert queue.status_code == 200 and "敏感词馆" in queue.text
    edit = reverse("memorials_tribute:edit", args=[held.pk])
    assert client.post(edit, {"decision": TributeStatus.REJECTED, "reason": ""}).status_code == 200
    held.refresh_from_db()
    assert held.status == TributeStatus.HELD
    assert client.post(edit, {"decision": TributeStatus.PUBLISHED, "reason": ""}).status_code == 302
    client.post(
        reverse("memorials_tribute:edit", args=[other.pk]), {"decision": "rejected", "reason": "商业广告"}
    )
    held.refresh_from_db()
    other.refresh_from_db()
    assert held.status == TributeStatus.PUBLISHED and other.status == TributeStatus.REJECTED
    assert other.decision_reason == "商业广告"
    client.logout()
    page = client.get(memorial.get_absolute_url()).text
    assert "代写挽联" in page and "代写碑文" not in page
