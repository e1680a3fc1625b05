"""Reviews (R1) without HTTP: the transition table on real rows, every refusal of the services,
the masked name, the word filter, the provider summary and the search index."""

import datetime
import itertools

import pytest
from django.test import override_settings
from django.utils import timezone
from freezegun import freeze_time
from wagtail.models import ModelLogEntry

from core.statemachine import TRANSITION_ACTION, IllegalTransition, transition
from marketplace.catalogue.models import Provider
from marketplace.feedback.models import Review, ReviewReport, ReviewStatus, SensitiveWord
from marketplace.feedback.services import reviews as services
from search.models import SearchEntry
from tests.factories.accounts import UserFactory
from tests.factories.orders import Scenario, family_user

pytestmark = pytest.mark.django_db

RS = ReviewStatus
SCORES = {"overall": 4, "price_transparency": 5, "service_attitude": 4, "facilities": 3}
TABLE = {
    ("pending", "published"),
    ("pending", "held"),
    ("pending", "rejected"),
    ("held", "published"),
    ("held", "rejected"),
    ("published", "reported"),
    ("reported", "published"),
    ("reported", "hidden"),
}


@pytest.fixture
def completed():
    scenario = Scenario()
    scenario.advance("completed")
    return scenario


def review_of(scenario, text="服务周到", **scores):
    return services.submit_review(scenario.family, scenario.refresh(), text=text, **{**SCORES, **scores})


def test_r1_review_table_is_exactly_the_expected_one():
    assert {(str(a), str(b)) for a, b in Review.TRANSITIONS} == TABLE


def test_r1_every_review_move_is_made_or_refused_on_a_real_row(completed):
    review = review_of(completed)
    user = UserFactory()
    states = [value for value, _label in Review._meta.get_field("status").choices]
    for source, target in itertools.product(states, states):
        Review._base_manager.filter(pk=review.pk).update(status=source)
        review.refresh_from_db()
        before = ModelLogEntry.objects.filter(action=TRANSITION_ACTION, content_type__model="review").count()
        if (source, target) in TABLE:
            transition(review, target, user=user, reason="测试")
            assert Review.objects.get(pk=review.pk).status == target
            entry = ModelLogEntry.objects.filter(
                action=TRANSITION_ACTION, content_type__model="review"
            ).latest("pk")
            assert entry.data == {"from": source, "to": target, "reason": "测试", "field": "status"}
        else:
            with pytest.raises(IllegalTransition):
                transition(review, target, user=user, reason="测试")
            assert Review.objects.get(pk=review.pk).status == source
            assert (
                ModelLogEntry.objects.filter(action=TRANSITION_ACTION, content_type__model="review").count()
                == before
            )


def test_r1_the_masked_name_keeps_only_the_surname():
    scenario_order = type("O", (), {"contact_name": "欧阳娜娜"})()
    assert services.masked_name(type("U", (), {"real_name": "王丽"})(), scenario_order) == "王*"
    assert services.masked_name(type("U", (), {"real_name": ""})(), scenario_order) == "欧*"


def test_r1_words_match_case_insensitively():
    SensitiveWord.objects.create(word="SB")
    SensitiveWord.objects.create(word="骗子")
    assert services.matched_words("真是个sb，还是骗子") == ["SB", "骗子"]
    assert services.matched_words("一切都好") == []


def test_r1_an_unfinished_order_and_another_family_are_refused():
    scenario = Scenario()
    for step in ("submitted", "paid", "in_service"):
        if step != "submitted":
            scenario.advance(step)
        with pytest.raises(services.NotEligible):
            services.check_eligibility(scenario.family, scenario.refresh())
    scenario.advance("completed")
    with pytest.raises(services.NotEligible):
        services.check_eligibility(family_user(), scenario.refresh())
    services.check_eligibility(scenario.family, scenario.refresh())


def test_r1_the_window_is_open_to_the_last_moment_and_closed_after(completed):
    order = completed.refresh()
    with override_settings(R1_REVIEW_WINDOW_DAYS=90):
        services.check_eligibility(
            completed.family, order, now=order.completed_at + datetime.timedelta(days=90)
        )
        with pytest.raises(services.WindowClosed) as error:
            services.check_eligibility(
                completed.family, order, now=order.completed_at + datetime.timedelta(days=90, seconds=1)
            )
    assert "90 天" in str(error.value)


def test_r1_scores_outside_one_to_five_and_empty_text_are_refused(completed):
    with pytest.raises(services.ReviewRefused):
        review_of(completed, overall=6)
    with pytest.raises(services.ReviewRefused):
        review_of(completed, facilities=0)
    with pytest.raises(services.ReviewRefused):
        review_of(completed, text="   ")
    assert not Review.objects.exists()


def test_r1_moderating_all_reviews_sends_a_clean_one_to_the_queue(completed):
    with override_settings(R1_MODERATE_ALL_REVIEWS=True):
        review = review_of(completed)
    assert review.status == RS.PENDING
    assert Provider.objects.get(pk=completed.provider.pk).review_count == 0
    services.moderate(review, RS.PUBLISHED, user=UserFactory())
    assert Provider.objects.get(pk=completed.provider.pk).review_count == 1


def test_r1_decisions_outside_the_queue_are_refused(completed):
    review = review_of(completed)
    with pytest.raises(services.DecisionRefused):
        services.moderate(review, RS.REJECTED, user=UserFactory(), reason="理由")
    with pytest.raises(services.DecisionRefused):
        services.moderate(review, RS.HIDDEN, user=UserFactory(), reason="理由")
    services.report_review(review, reason="广告")
    with pytest.raises(services.DecisionRefused):
        services.moderate(review, RS.HIDDEN, user=UserFactory(), reason="")
    services.moderate(review, RS.PUBLISHED, user=UserFactory())  # the report is dismissed
    assert Review.objects.get(pk=review.pk).status == RS.PUBLISHED
    assert ReviewReport.objects.get().resolved_at is not None


def test_r1_the_summary_counts_only_published_reviews(completed):
    first = review_of(completed, overall=5)
    other = Scenario(provider=completed.provider)
    other.advance("completed")
    review_of(other, overall=2)
    provider = Provider.objects.get(pk=completed.provider.pk)
    assert (provider.review_count, str(provider.rating_average), provider.rating_distribution) == (
        2,
        "3.50",
        [0, 1, 0, 0, 1],
    )
    # A report alone changes nothing the public sees: anyone can report.
    services.report_review(first, reason="不实")
    provider.refresh_from_db()
    assert (provider.review_count, str(provider.rating_average)) == (2, "3.50")
    services.moderate(first, RS.HIDDEN, user=UserFactory(), reason="内容不实")
    provider.refresh_from_db()
    assert (provider.review_count, str(provider.rating_average)) == (1, "2.00")


def test_r1_a_reply_needs_a_published_review_and_closes_after_the_hours(completed):
    SensitiveWord.objects.create(word="投诉")
    held = review_of(completed, text="我要投诉")
    with pytest.raises(services.ReplyRefused):
        services.post_reply(held, completed.staff, "请联系我们")
    services.moderate(held, RS.PUBLISHED, user=UserFactory())
    start = timezone.now()
    with freeze_time(start):
        reply = services.post_reply(held, completed.staff, "请联系我们")
    with override_settings(R1_REPLY_EDIT_HOURS=24):
        with freeze_time(start + datetime.timedelta(hours=24)):
            services.post_reply(held, completed.staff, "请致电联系我们")
        with (
            freeze_time(start + datetime.timedelta(hours=24, seconds=1)),
            pytest.raises(services.ReplyRefused),
        ):
            services.post_reply(held, completed.staff, "再改")
    assert [version.text for version in reply.history()] == ["请联系我们", "请致电联系我们"]


def test_r1_only_published_reviews_are_in_the_search_index(completed, django_capture_on_commit_callbacks):
    SensitiveWord.objects.create(word="黑心")

    def indexed():
        return list(SearchEntry.objects.filter(doc_type="review").values_list("body", "extra"))

    with django_capture_on_commit_callbacks(execute=True):
        review = review_of(completed, text="黑心收费，告别厅很冷")
    assert review.status == RS.HELD and indexed() == []
    with django_capture_on_commit_callbacks(execute=True):
        services.moderate(review, RS.PUBLISHED, user=UserFactory())
    [(body, extra)] = indexed()
    assert "告别厅很冷" in body and "王*" in extra and "已核实订单" in extra
    with django_capture_on_commit_callbacks(execute=True):
        services.report_review(review, reason="辱骂")
    assert len(indexed()) == 1  # reported, still public until staff decide
    with django_capture_on_commit_callbacks(execute=True):
        services.moderate(review, RS.HIDDEN, user=UserFactory(), reason="辱骂他人")
    assert indexed() == []
