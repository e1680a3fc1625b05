"""Panel scoring of incubator applications (issue 16, point 2): a weighted rubric published on
the programme page, several reviewers who each declare conflicts of interest first, and
decisions that wait for a complete panel and keep its score for the applicant."""

from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from wagtail.models import ModelLogEntry

from core.statemachine import TRANSITION_ACTION
from orgs.incubator.models import Application, ApplicationState, PanelReview, RubricItem
from orgs.incubator.services import applications as services
from orgs.incubator.services import panel
from tests.factories.accounts import UserFactory
from tests.factories.cms import make_home_page
from tests.factories.incubator import (
    ProgrammeFactory,
    application_in,
    member,
    reviewer,
    score,
)

pytestmark = pytest.mark.django_db
S = ApplicationState


@pytest.fixture(autouse=True)
def _site(settings):
    settings.PAGE_CACHE_ENABLED = False
    make_home_page()


def login(user):
    client = Client()
    client.force_login(user)
    return client


def soup(response):
    return BeautifulSoup(response.content.decode(), "html.parser")


def squash(element):
    return " ".join(element.get_text(" ", strip=True).split())


def review_url(application):
    return f"/admin/incubator/applications/edit/{application.pk}/"


def scoring(**programme_fields):
    """An application waiting for the panel, on a programme with the default rubric (需求与方案
    weight 60, 团队与治理 weight 40, both out of 10) and a panel of two."""
    return application_in(S.SCORING, programme=ProgrammeFactory(**programme_fields))


def items(application):
    first, second = panel.rubric(application.programme)
    return first, second


# --- The arithmetic ------------------------------------------------------------------------------


def test_weighted_score_is_each_line_share_of_its_top_score_weighted_out_of_100():
    lines = [
        {"weight": 60, "max_score": 10, "score": 8},
        {"weight": 40, "max_score": 10, "score": 5},
    ]
    assert panel.weighted_score(lines) == Decimal("68.00")  # (60×0.8 + 40×0.5) / 100 × 100
    lines = [{"weight": 1, "max_score": 5, "score": 5}, {"weight": 3, "max_score": 20, "score": 0}]
    assert panel.weighted_score(lines) == Decimal("25.00")


def test_weighted_score_rounds_half_up_to_the_cent():
    # 1/32 × 100 = 3.125: half-up gives 3.13 (banker's rounding would give 3.12).
    assert panel.weighted_score([{"weight": 1, "max_score": 32, "score": 1}]) == Decimal("3.13")


def test_a_review_stores_each_line_as_scored_and_its_weighted_score():
    application = scoring()
    needs, team = items(application)
    review = panel.submit_review(
        application, reviewer(), conflict=False, scores={needs.pk: 9, team.pk: 6}, comment="方案扎实。"
    )
    assert review.weighted_score == Decimal("78.00")  # 60×0.9 + 40×0.6
    assert [(line["title"], line["weight"], line["max_score"], line["score"]) for line in review.lines] == [
        ("服务需求与项目方案", 60, 10, 9),
        ("团队与内部治理", 40, 10, 6),
    ]
    # The review reads the same after the rubric's wording changes (the rubric is frozen, but
    # the lines never depended on it).
    RubricItem.objects.filter(pk=needs.pk).update(title="改过的名称")
    assert PanelReview.objects.get(pk=review.pk).lines[0]["title"] == "服务需求与项目方案"
    entry = ModelLogEntry.objects.filter(action="incubator.panel_review", object_id=str(application.pk)).get()
    assert entry.data == {"conflict": False, "weighted_score": "78.00"}


# --- Who may score, and what ---------------------------------------------------------------------


def test_every_line_must_be_scored_within_its_range_and_nothing_is_stored_otherwise():
    application = scoring()
    needs, team = items(application)
    with pytest.raises(ValidationError) as refused:
        panel.submit_review(application, reviewer(), conflict=False, scores={needs.pk: 11, team.pk: ""})
    assert refused.value.message_dict == {
        f"score_{needs.pk}": ["“服务需求与项目方案”的得分须在 0 至 10 之间。"],
        f"score_{team.pk}": ["请为“团队与内部治理”打分（0 至 10 的整数）。"],
    }
    with pytest.raises(ValidationError):
        panel.submit_review(application, reviewer(), conflict=False, scores={needs.pk: -1, team.pk: 5})
    with pytest.raises(ValidationError):
        panel.submit_review(application, reviewer(), conflict=False, scores={needs.pk: "7.5", team.pk: 5})
    assert not PanelReview.objects.exists()
    # The top of the range is a valid score, and so is 0.
    review = panel.submit_review(application, reviewer(), conflict=False, scores={needs.pk: 10, team.pk: 0})
    assert review.weighted_score == Decimal("60.00")


def test_a_reviewer_reviews_an_application_once_and_never_edits_it():
    application = scoring()
    expert = reviewer()
    score(application, expert, points=7)
    with pytest.raises(ValidationError) as refused:
        score(application, expert, points=10)
    assert refused.value.messages == ["您已提交过对该申请的评审，评审提交后不能修改。"]
    assert PanelReview.objects.get().weighted_score == Decimal("70.00")


def test_only_reviewers_score_and_only_during_panel_scoring():
    application = scoring()
    with pytest.raises(PermissionDenied):
        score(application, UserFactory(is_staff=True))
    screening = application_in(S.SCREENING)
    with pytest.raises(ValidationError) as refused:
        score(screening)
    assert refused.value.messages == ["只有处于评审打分阶段的申请才能打分。"]
    assert not PanelReview.objects.exists()


def test_a_member_of_the_applicant_must_declare_the_conflict_the_platform_knows():
    application = scoring()
    insider = member(application.organization, reviewer())
    with pytest.raises(ValidationError) as refused:
        score(application, insider)
    assert refused.value.message_dict == {
        "conflict": [
            f"您是申请机构“{application.organization.name}”的成员。您须声明利益冲突并回避，不能为其打分。"
        ]
    }
    assert not PanelReview.objects.exists()
    review = score(application, insider, conflict=True, conflict_note="本人是该机构理事。")
    assert (review.conflict, review.weighted_score, review.lines) == (True, None, [])


def test_a_declared_conflict_needs_its_explanation_and_does_not_count_toward_the_panel():
    application = scoring()
    with pytest.raises(ValidationError) as refused:
        score(application, conflict=True, conflict_note="  ")
    assert refused.value.message_dict == {"conflict_note": ["请说明利益冲突的情况，它将记入评审记录。"]}
    score(application, conflict=True, conflict_note="曾在该机构兼职，2025 年离开。")
    score(application, points=6)
    result = panel.panel_result(application)
    assert (len(result.scored), len(result.recused), result.complete, result.missing) == (1, 1, False, 1)
    assert result.mean == Decimal("60.00")
    with pytest.raises(ValidationError) as refused:
        services.decide(application, S.ADMITTED, user=reviewer())
    assert refused.value.messages == ["评审打分尚未完成：至少需要 2 位无利益冲突的专家打分，目前 1 位。"]


# --- Decisions wait for the panel ----------------------------------------------------------------


@pytest.mark.parametrize("target", [S.ADMITTED, S.WAITLISTED, S.REJECTED])
def test_no_decision_out_of_panel_scoring_before_the_panel_is_complete(target):
    application = scoring()
    score(application, points=9)
    bureau = reviewer()
    with pytest.raises(ValidationError) as refused:
        services.decide(application, target, user=bureau, reason="理由")
    assert "至少需要 2 位" in refused.value.messages[0]
    assert Application.objects.get(pk=application.pk).state == S.SCORING
    assert not ModelLogEntry.objects.filter(
        action=TRANSITION_ACTION, object_id=str(application.pk), data__to=str(target)
    ).exists()
    score(application, points=7)
    services.decide(application, target, user=bureau, reason="理由")
    decided = Application.objects.get(pk=application.pk)
    assert (decided.state, decided.panel_score, decided.panel_reviewers) == (target, Decimal("80.00"), 2)


def test_admission_needs_the_programmes_minimum_score_and_meets_it_exactly():
    low = scoring(admission_min_score=Decimal("75.00"))
    score(low, points=8)
    score(low, points=6)  # mean 70.00
    with pytest.raises(ValidationError) as refused:
        services.decide(low, S.ADMITTED, user=reviewer())
    assert refused.value.messages == ["评审加权平均分 70.00 低于本项目的录取最低分 75.00，不能录取。"]
    # Waitlisting or rejecting a low score stays possible.
    services.decide(low, S.REJECTED, user=reviewer(), reason="评审得分未达到录取分数线。")

    exact = application_in(S.SCORING, programme=low.programme)
    needs, team = items(exact)
    panel.submit_review(exact, reviewer(), conflict=False, scores={needs.pk: 8, team.pk: 7})  # 76.00
    panel.submit_review(exact, reviewer(), conflict=False, scores={needs.pk: 7, team.pk: 8})  # 74.00
    assert services.decide(exact, S.ADMITTED, user=reviewer()).state == S.ADMITTED
    assert Application.objects.get(pk=exact.pk).panel_score == Decimal("75.00")


def test_a_programme_without_a_rubric_cannot_send_applications_to_the_panel():
    application = application_in(S.SCREENING, programme=ProgrammeFactory(with_rubric=False))
    with pytest.raises(ValidationError) as refused:
        services.decide(application, S.SCORING, user=reviewer())
    assert refused.value.messages == ["该项目尚未设置评分细则，不能进入评审打分。"]
    assert Application.objects.get(pk=application.pk).state == S.SCREENING


def test_the_rubric_is_frozen_once_the_first_review_is_in():
    application = scoring()
    needs, _team = items(application)
    needs.weight = 70
    needs.full_clean()  # editable before any review
    score(application)
    with pytest.raises(ValidationError) as refused:
        needs.full_clean()
    assert refused.value.messages == ["该项目已有评审专家打分，评分细则不能再修改。"]


def test_standings_rank_the_programmes_scored_applications_by_mean():
    first = scoring()
    second = application_in(S.SCORING, programme=first.programme)
    third = application_in(S.SCORING, programme=first.programme)
    score(first, points=6)
    score(second, points=9)
    score(second, points=8)
    score(second, conflict=True, conflict_note="亲属在该机构任职。")
    assert [(a.pk, r.mean, len(r.scored)) for a, r in panel.standings(first.programme)] == [
        (second.pk, Decimal("85.00"), 2),
        (first.pk, Decimal("60.00"), 1),
    ]
    assert third.pk not in [a.pk for a, _r in panel.standings(first.programme)]


# --- Pages ---------------------------------------------------------------------------------------


def test_the_programme_page_publishes_the_rubric_the_panel_and_the_minimum():
    programme = ProgrammeFactory(panel_min_reviewers=3, admission_min_score=Decimal("60"))
    page = soup(Client().get(programme.get_absolute_url()))
    rows = [[squash(cell) for cell in row.select("th, td")] for row in page.select("[data-rubric] tbody tr")]
    assert rows == [["服务需求与项目方案", "—", "60", "10"], ["团队与内部治理", "—", "40", "10"]]
    text = squash(page.select_one('section[aria-labelledby="rubric-h"]'))
    assert "至少 3 位评审专家" in text and "平均分低于 60.00 分的不予录取" in text


def test_a_reviewer_scores_blind_in_the_admin_then_sees_the_panel():
    application = scoring()
    needs, team = items(application)
    first = reviewer()
    score(application, first, points=9, comment="第一位专家的意见")
    second = reviewer()
    client = login(second)
    page = soup(client.get(review_url(application)))
    assert page.select_one("[data-panel-form]") is not None
    assert page.select_one("[data-reviews]") is None  # blind until their own review is in
    assert "第一位专家的意见" not in page.get_text()
    assert page.select_one("[data-panel-mean]") is None

    response = client.post(
        review_url(application),
        {"action": "panel", "conflict": "no", f"score_{needs.pk}": "11", f"score_{team.pk}": "5"},
    )
    assert response.status_code == 400
    assert "“服务需求与项目方案”的得分须在 0 至 10 之间。" in response.content.decode()
    assert not PanelReview.objects.filter(reviewer=second).exists()

    response = client.post(
        review_url(application),
        {"action": "panel", "conflict": "no", f"score_{needs.pk}": "5", f"score_{team.pk}": "5"},
    )
    assert response.status_code == 302
    page = soup(client.get(review_url(application)))
    assert page.select_one("[data-panel-form]") is None
    assert len(page.select("[data-reviews] [data-review]")) == 2
    assert "第一位专家的意见" in page.get_text()
    assert squash(page.select_one("[data-panel-mean]")) == "70.00"  # (90 + 50) / 2


def test_a_conflict_declared_in_the_admin_is_recorded_with_its_note():
    application = scoring()
    expert = reviewer()
    client = login(expert)
    response = client.post(
        review_url(application), {"action": "panel", "conflict": "yes", "conflict_note": ""}
    )
    assert response.status_code == 400
    assert "请说明利益冲突的情况" in response.content.decode()
    response = client.post(
        review_url(application),
        {"action": "panel", "conflict": "yes", "conflict_note": "曾为该机构提供咨询。"},
    )
    assert response.status_code == 302
    review = PanelReview.objects.get(reviewer=expert)
    assert (review.conflict, review.conflict_note) == (True, "曾为该机构提供咨询。")


def test_staff_without_the_reviewer_permission_cannot_score_even_by_direct_post():
    application = scoring()
    needs, team = items(application)
    response = login(UserFactory(is_staff=True)).post(
        review_url(application),
        {"action": "panel", "conflict": "no", f"score_{needs.pk}": "9", f"score_{team.pk}": "9"},
    )
    assert response.status_code in (302, 403)
    assert not PanelReview.objects.exists()


def test_the_applicant_reads_the_panels_score_but_never_the_reviewers():
    application = scoring()
    experts = [reviewer(), reviewer()]
    for expert, points in zip(experts, (9, 6), strict=True):
        score(application, expert, points=points, comment=f"意见{points}")
    services.decide(application, S.WAITLISTED, user=reviewer(), reason="评审得分位列候补第 1 位。")
    applicant = application.organization.memberships.get().user
    page = soup(
        login(applicant).get(
            reverse("incubator_workbench:application", args=[application.organization.uscc, application.pk])
        )
    )
    assert squash(page.select_one("[data-panel-score]")) == "75.00 分（百分制，2 位评审专家的平均分）"
    text = page.get_text()
    for expert in experts:
        assert expert.mobile not in text and (
            not expert.get_full_name() or expert.get_full_name() not in text
        )
    assert "意见9" not in text
