"""Reviews (R1) over HTTP: only a verified purchase is reviewed, once, within the window; the
word filter holds a review for the bureau's queue; the family sees a rejection's reason; a
provider replies once and can't touch a review; the catalogue shows and sorts by ratings."""

import datetime
import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time
from wagtail.models import ModelLogEntry

from accounts.groups import FUNERAL_SECTION
from core.models import AppendOnlyError
from core.statemachine import TRANSITION_ACTION
from marketplace.catalogue.models import Provider
from marketplace.catalogue.services.ratings import record_ratings
from marketplace.feedback.models import Review, ReviewReplyVersion, ReviewStatus, SensitiveWord
from marketplace.feedback.services import reviews as services
from marketplace.orders.models import Order
from tests.factories.accounts import UserFactory
from tests.factories.catalogue import make_priced_funeral_home
from tests.factories.orders import Scenario, family_user, funeral_home, staff_user

pytestmark = pytest.mark.django_db

RS = ReviewStatus
GOOD = {
    "overall": "5",
    "price_transparency": "4",
    "service_attitude": "5",
    "facilities": "3",
    "text": "收费与合同一致，工作人员耐心细致。",
}


def officer():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=FUNERAL_SECTION))
    return user


@pytest.fixture
def done():
    return Scenario()


def complete(scenario):
    scenario.advance("completed")
    return scenario.refresh()


def review_url(order):
    return reverse("reviews:new", kwargs={"reference": order.reference})


def test_r1_family_without_a_completed_order_is_refused_by_the_form_and_a_direct_post(client, done):
    order = done.advance("in_service")
    client.force_login(done.family)
    page = client.get(review_url(order))
    assert "只有已完成的订单可以评价" in page.text
    assert 'name="overall"' not in page.text  # no form to fill
    response = client.post(review_url(order), GOOD)
    assert response.status_code == 400
    assert "只有已完成的订单可以评价" in response.text
    assert not Review.objects.exists()
    # The service refuses on its own, whatever view calls it.
    with pytest.raises(services.NotEligible):
        services.submit_review(
            done.family, order, overall=5, price_transparency=5, service_attitude=5, facilities=5, text="好"
        )


def test_r1_another_family_cannot_review_or_even_see_the_order(client, done):
    order = complete(done)
    client.force_login(family_user(mobile="13911112222"))
    assert client.get(review_url(order)).status_code == 404
    assert client.post(review_url(order), GOOD).status_code == 404
    assert not Review.objects.exists()


def test_r1_completed_order_is_reviewed_once_and_published_with_masked_verified_facts(client, done):
    order = complete(done)
    client.force_login(done.family)
    mine = client.get(reverse("reviews:mine"))
    assert review_url(order) in mine.text  # the eligible order is linked from 我的评价
    response = client.post(review_url(order), GOOD)
    assert response.status_code == 302
    review = Review.objects.get()
    assert review.status == RS.PUBLISHED and review.display_name == "王*"
    assert review.order_month == timezone.localdate(order.completed_at).replace(day=1)
    contract_items = set(order.lines.filter(stage="contract", kind="item").values_list("name", flat=True))
    assert set(review.services.split("、")) == contract_items
    provider = Provider.objects.get(pk=done.provider.pk)
    assert (provider.review_count, provider.rating_average, provider.rating_distribution) == (
        1,
        5,
        [0, 0, 0, 0, 1],
    )
    page = client.get(done.provider.get_absolute_url())
    assert "已核实订单" in page.text and "王*" in page.text and GOOD["text"] in page.text
    assert "王丽" not in page.text.split('id="reviews"')[1]
    # A second review of the same order: refused by the form and by the service.
    again = client.post(review_url(order), {**GOOD, "text": "再评一次"})
    assert again.status_code == 400 and "每个订单只能评价一次" in again.text
    with pytest.raises(services.AlreadyReviewed):
        services.submit_review(
            done.family, order, overall=1, price_transparency=1, service_attitude=1, facilities=1, text="x"
        )
    assert Review.objects.count() == 1


def test_r1_review_window_closes_after_the_setting(client, done):
    order = complete(done)
    client.force_login(done.family)
    closes = order.completed_at + datetime.timedelta(days=7)
    with override_settings(R1_REVIEW_WINDOW_DAYS=7):
        Order.objects.filter(pk=order.pk).update(
            completed_at=timezone.now() - datetime.timedelta(days=7, minutes=1)
        )
        response = client.post(review_url(order), GOOD)
        assert response.status_code == 400 and "评价期限已过" in response.text
        assert order.reference not in client.get(reverse("reviews:mine")).text
        Order.objects.filter(pk=order.pk).update(
            completed_at=timezone.now() - datetime.timedelta(days=6, hours=23)
        )
        assert client.post(review_url(order), GOOD).status_code == 302
    assert closes  # the window is counted from completion


def test_r1_a_moderated_word_holds_the_review_until_staff_publish_it(client, done):
    SensitiveWord.objects.create(word="骗子")
    order = complete(done)
    client.force_login(done.family)
    client.post(review_url(order), {**GOOD, "text": "这家是骗子，收费不清。"})
    review = Review.objects.get()
    assert review.status == RS.HELD and review.held_words == "骗子"
    assert "骗子" not in client.get(done.provider.get_absolute_url()).text
    assert Provider.objects.get(pk=done.provider.pk).review_count == 0
    client.force_login(officer())
    queue = client.get(reverse("feedback_review:index"))
    assert queue.status_code == 200 and "含敏感词" in queue.text
    response = client.post(
        reverse("feedback_review:edit", args=[review.pk]), {"decision": "published", "reason": ""}
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == RS.PUBLISHED and review.published_at is not None
    assert Provider.objects.get(pk=done.provider.pk).review_count == 1
    moves = ModelLogEntry.objects.filter(
        action=TRANSITION_ACTION, object_id=str(review.pk), content_type__model="review"
    ).order_by("pk")
    assert [(entry.data["from"], entry.data["to"]) for entry in moves] == [
        ("pending", "held"),
        ("held", "published"),
    ]


def test_r1_a_rejection_needs_a_reason_and_the_family_sees_it(client, done):
    SensitiveWord.objects.create(word="广告")
    order = complete(done)
    client.force_login(done.family)
    client.post(review_url(order), {**GOOD, "text": "广告：某某墓园更便宜"})
    review = Review.objects.get()
    client.force_login(officer())
    url = reverse("feedback_review:edit", args=[review.pk])
    refused = client.post(url, {"decision": "rejected", "reason": ""})
    assert refused.status_code == 200 and "必须写明理由" in refused.text
    assert Review.objects.get().status == RS.HELD
    client.post(url, {"decision": "rejected", "reason": "内容为其他机构广告，与本次服务无关。"})
    assert Review.objects.get().status == RS.REJECTED
    client.force_login(done.family)
    mine = client.get(reverse("reviews:mine"))
    assert "未通过审核" in mine.text and "内容为其他机构广告，与本次服务无关。" in mine.text


def test_r1_anyone_can_report_and_a_report_goes_back_to_the_queue(client, done):
    order = complete(done)
    review = services.submit_review(
        done.family, order, overall=2, price_transparency=2, service_attitude=2, facilities=2, text="态度一般"
    )
    report_url = reverse("reviews:report", args=[review.pk])
    assert report_url in client.get(done.provider.get_absolute_url()).text
    assert client.post(report_url, {"reason": ""}).status_code == 400
    assert client.post(report_url, {"reason": "泄露了工作人员的姓名"}).status_code == 302
    review.refresh_from_db()
    assert review.status == RS.REPORTED
    # A report is anyone's word: the review stays public and counted until staff decide.
    assert "态度一般" in client.get(done.provider.get_absolute_url()).text
    assert Provider.objects.get(pk=done.provider.pk).review_count == 1
    client.force_login(officer())
    edit = client.get(reverse("feedback_review:edit", args=[review.pk]))
    assert "泄露了工作人员的姓名" in edit.text
    client.post(
        reverse("feedback_review:edit", args=[review.pk]),
        {"decision": "hidden", "reason": "含他人个人信息。"},
    )
    review.refresh_from_db()
    assert review.status == RS.HIDDEN and review.decision_reason == "含他人个人信息。"
    assert review.reports.get().resolved_at is not None
    client.logout()
    assert "态度一般" not in client.get(done.provider.get_absolute_url()).text
    assert Provider.objects.get(pk=done.provider.pk).review_count == 0


def test_r1_a_provider_can_never_edit_or_delete_a_review(client, done):
    order = complete(done)
    review = services.submit_review(
        done.family,
        order,
        overall=1,
        price_transparency=1,
        service_attitude=1,
        facilities=1,
        text="多收了冷藏费",
    )
    client.force_login(done.staff)
    # The admin refuses provider staff outright; the workbench has no edit or delete route.
    for name in ("feedback_review:edit", "feedback_review:delete"):
        response = client.post(reverse(name, args=[review.pk]), {"decision": "hidden", "reason": "不实"})
        assert response.status_code in (302, 403)
    for path in (
        f"/workbench/funeral/reviews/{review.pk}/edit/",
        f"/workbench/funeral/reviews/{review.pk}/delete/",
    ):
        assert client.post(path, {"text": "改掉"}).status_code == 404
    # A reply is a separate text: the review's own words never change.
    client.post(reverse("review_workbench:reply", args=[review.pk]), {"text": "已退还冷藏费差额。"})
    review.refresh_from_db()
    assert (review.status, review.text, review.overall) == (RS.PUBLISHED, "多收了冷藏费", 1)
    # Even code can't rewrite or delete it.
    review.text = "改掉"
    with pytest.raises(AppendOnlyError):
        review.save()
    with pytest.raises(AppendOnlyError):
        Review.objects.get().delete()
    # Superusers can't either, through the admin.
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.post(reverse("feedback_review:delete", args=[review.pk])).status_code in (302, 403)
    assert Review.objects.filter(pk=review.pk).exists()


def test_r1_a_provider_replies_once_edits_within_the_hours_and_the_history_is_kept(client, done):
    order = complete(done)
    review = services.submit_review(
        done.family, order, overall=4, price_transparency=4, service_attitude=4, facilities=4, text="总体满意"
    )
    url = reverse("review_workbench:reply", args=[review.pk])
    client.force_login(done.staff)
    assert "总体满意" in client.get(reverse("review_workbench:index")).text
    assert client.post(url, {"text": "感谢您的信任。"}).status_code == 302
    assert client.post(url, {"text": "感谢您的信任，欢迎再提意见。"}).status_code == 302
    versions = list(ReviewReplyVersion.objects.order_by("sequence").values_list("text", flat=True))
    assert versions == ["感谢您的信任。", "感谢您的信任，欢迎再提意见。"]
    page = client.get(done.provider.get_absolute_url()).text
    assert "感谢您的信任，欢迎再提意见。" in page and "修改记录" in page
    later = timezone.now() + datetime.timedelta(hours=24, minutes=1)
    with override_settings(R1_REPLY_EDIT_HOURS=24), freeze_time(later):
        refused = client.post(url, {"text": "改成别的"})
    assert refused.status_code == 400 and "24 小时后不能再修改" in refused.text
    assert ReviewReplyVersion.objects.count() == 2


def test_r1_another_providers_review_answers_404_in_the_workbench(client, done):
    order = complete(done)
    review = services.submit_review(
        done.family, order, overall=4, price_transparency=4, service_attitude=4, facilities=4, text="好"
    )
    stranger = staff_user(funeral_home(name="别家殡仪馆", slug="other-home"), mobile="13800001111")
    client.force_login(stranger)
    assert client.get(reverse("review_workbench:reply", args=[review.pk])).status_code == 404
    assert (
        client.post(reverse("review_workbench:reply", args=[review.pk]), {"text": "恶意回复"}).status_code
        == 404
    )
    assert (
        "好"
        not in re.sub(r"<[^>]+>", "", client.get(reverse("review_workbench:index")).text).split("服务评价")[
            -1
        ]
    )
    assert not ReviewReplyVersion.objects.exists()


def test_r1_the_catalogue_shows_ratings_and_sorts_by_them_only_above_the_minimum(client):
    # 甲 is the cheapest and would lead the usual (package price) order; 乙 costs twice as much.
    cheap = make_priced_funeral_home(Decimal("1"), name="甲殡仪馆", slug="jia", is_published=True)
    dear = make_priced_funeral_home(Decimal("2"), name="乙殡仪馆", slug="yi", is_published=True)
    few = make_priced_funeral_home(Decimal("3"), name="丙殡仪馆", slug="bing", is_published=True)
    record_ratings(cheap.pk, count=3, average="3.00", distribution={3: 3})
    record_ratings(dear.pk, count=4, average="4.50", distribution={4: 2, 5: 2})
    record_ratings(few.pk, count=1, average="5.00", distribution={5: 1})
    usual = re.findall(r">(\S+殡仪馆)</a></h2>", client.get("/funeral/").text)
    assert usual == ["甲殡仪馆", "乙殡仪馆", "丙殡仪馆"]
    with override_settings(R1_MIN_REVIEWS_FOR_RATING_SORT=3):
        page = client.get("/funeral/", {"sort": "rating"}).text
    # 丙's single 5-star review is under the minimum: it follows, however high its average.
    assert re.findall(r">(\S+殡仪馆)</a></h2>", page) == ["乙殡仪馆", "甲殡仪馆", "丙殡仪馆"]
    assert "评分 4.50 / 5 星 · 4 条评价" in page
    with override_settings(R1_MIN_REVIEWS_FOR_RATING_SORT=1):
        page = client.get("/funeral/", {"sort": "rating"}).text
    assert re.findall(r">(\S+殡仪馆)</a></h2>", page) == ["丙殡仪馆", "乙殡仪馆", "甲殡仪馆"]


@override_settings(PAGE_CACHE_ENABLED=False)
def test_r1_the_provider_page_query_count_stays_flat_with_many_reviews(client, django_assert_max_num_queries):
    counts = []
    provider = funeral_home()
    for n in (1, 6):
        while Review.objects.filter(provider=provider).count() < n:
            scenario = Scenario(provider=provider, family=family_user())
            order = complete(scenario)
            review = services.submit_review(
                scenario.family,
                order,
                overall=4,
                price_transparency=4,
                service_attitude=4,
                facilities=4,
                text="好",
            )
            services.post_reply(review, scenario.staff, "谢谢")
        client.get(provider.get_absolute_url())  # warm the city statistics cache
        with CaptureQueriesContext(connection) as captured:
            page = client.get(provider.get_absolute_url())
        assert page.text.count('class="review"') == min(n, settings.R1_REVIEWS_ON_PROVIDER_PAGE)
        counts.append(len(captured))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(counts[0]):
        client.get(reverse("reviews:provider", args=[provider.slug]))


def test_r1_the_family_order_page_offers_a_review_until_there_is_one_and_always_a_complaint(client, done):
    client.force_login(done.family)
    order_url = reverse("orders:detail", args=[done.order.reference])
    complaint_link = f'href="{reverse("complaints:new")}?order={done.order.reference}"'
    # Not completed yet: no review, but the family can always complain about its order.
    page = client.get(order_url).text
    assert review_url(done.order) not in page and complaint_link in page
    order = complete(done)
    page = client.get(order_url).text
    assert f'href="{review_url(order)}"' in page and "评价该机构" in page
    client.post(review_url(order), GOOD)
    assert Review.objects.filter(order=order).exists()
    page = client.get(order_url).text
    assert review_url(order) not in page and complaint_link in page
