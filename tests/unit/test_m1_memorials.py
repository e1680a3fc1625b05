"""M1, rule by rule, at the service level: real name, deceased only, provenance, visibility
and the access-code throttle, free tributes with rate limits, the word hold, the keeper's
approval, reports and the bureau's decisions with reasons (audited)."""

import datetime

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import IntegrityError, transaction
from django.http import Http404
from django.test import override_settings
from django.utils import timezone
from wagtail.models import ModelLogEntry

from core.statemachine import IllegalTransition
from marketplace.feedback.models import SensitiveWord
from marketplace.memorials import services
from marketplace.memorials.models import (
    AccessAttempt,
    MemberRole,
    Memorial,
    MemorialMember,
    MemorialReport,
    MemorialStatus,
    ReportStatus,
    RestingKind,
    Tribute,
    TributeStatus,
    Visibility,
)
from marketplace.memorials.services import MemorialRefused
from tests.factories.accounts import UserFactory
from tests.factories.memorials import make_memorial, memorial_data
from tests.factories.orders import Scenario, cemetery, family_user

pytestmark = pytest.mark.django_db


def refused_code(call):
    with pytest.raises(MemorialRefused) as caught:
        call()
    return caught.value.code


# --- Who creates, and for whom ------------------------------------------------------------------


def test_m1_an_account_without_real_name_verification_cannot_create_a_memorial():
    user = UserFactory()
    assert not user.is_real_name_verified
    assert refused_code(lambda: make_memorial(user)) == "real_name"
    assert not Memorial.objects.exists()


def test_m1_a_living_person_gets_no_memorial():
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    assert refused_code(lambda: make_memorial(death_date=tomorrow)) == "not_deceased"
    assert refused_code(lambda: make_memorial(death_date=None)) == "not_deceased"
    assert not Memorial.objects.exists()


def test_m1_birth_after_death_is_refused_by_the_service_and_the_database():
    today = timezone.localdate()
    assert refused_code(
        lambda: make_memorial(birth_date=today, death_date=today - datetime.timedelta(days=1))
    ) == ("birth_after_death")
    memorial = make_memorial()
    memorial.birth_date = memorial.death_date + datetime.timedelta(days=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        memorial.save()


def test_m1_the_creator_is_the_keeper_and_a_declaration_is_stored_with_its_time():
    keeper = family_user()
    memorial = make_memorial(keeper)
    assert MemorialMember.objects.get(memorial=memorial).user == keeper
    assert MemorialMember.objects.get(memorial=memorial).role == MemberRole.KEEPER
    assert not memorial.is_verified
    assert memorial.declaration and memorial.declared_at is not None
    assert len(memorial.token) >= 20 and memorial.get_absolute_url() == f"/memorials/{memorial.token}/"


def test_m1_without_an_order_a_declaration_is_required():
    assert refused_code(lambda: make_memorial(declaration="")) == "provenance"


def test_m1_an_order_of_the_creator_with_the_same_name_verifies_the_deceased(
    default_contract_template, catalogue_categories
):
    scenario = Scenario()
    scenario.advance("completed")
    order = scenario.refresh()
    memorial = make_memorial(scenario.family, order=order, name=order.deceased_name)
    assert memorial.is_verified and memorial.order == order
    assert memorial.certificate is not None and memorial.certificate.order == order
    # Another name than the order's, or another family's order, is refused.
    assert refused_code(lambda: make_memorial(scenario.family, order=order, name="张三")) == "order_name"
    assert (
        refused_code(lambda: make_memorial(family_user(), order=order, name=order.deceased_name)) == "order"
    )


def test_m1_a_resting_place_must_be_a_published_cemetery_columbarium_or_funeral_home(catalogue_categories):
    place = cemetery()
    memorial = make_memorial(
        resting_kind=RestingKind.PROVIDER, resting_provider=place, resting_plot="松园 3 排 12 号"
    )
    assert memorial.resting_provider == place and memorial.sea_date is None
    place.is_published = False
    place.save()
    assert (
        refused_code(lambda: make_memorial(resting_kind=RestingKind.PROVIDER, resting_provider=place))
        == "resting_provider"
    )
    assert refused_code(lambda: make_memorial(resting_kind=RestingKind.SEA, sea_area="")) == "sea"
    assert (
        refused_code(lambda: make_memorial(resting_kind=RestingKind.NATURAL, resting_note=""))
        == "resting_note"
    )


def test_m1_the_biography_is_a_stream_of_paragraphs_and_quotes_with_text_escaped():
    memorial = make_memorial(biography="<script>x</script>一生清白。\n\n> 落红不是无情物")
    memorial.refresh_from_db()
    kinds = [block.block_type for block in memorial.biography]
    assert kinds == ["paragraph", "quote"]
    assert "<script>" not in memorial.biography[0].value.source
    assert memorial.biography[1].value["text"] == "落红不是无情物"


# --- Visibility and the access code ------------------------------------------------------------


def test_m1_only_public_active_memorials_are_in_the_public_queryset():
    public = make_memorial(name="公开甲")
    make_memorial(name="链接乙", visibility=Visibility.UNLISTED)
    make_memorial(name="私密丙", visibility=Visibility.PRIVATE, access_code="secret-88")
    hidden = make_memorial(name="隐藏丁")
    Memorial.objects.filter(pk=hidden.pk).update(status=MemorialStatus.HIDDEN, status_reason="测试")
    assert list(Memorial.objects.public()) == [public]


def test_m1_a_private_memorial_opens_for_members_or_the_access_code_only():
    keeper = family_user()
    memorial = make_memorial(keeper, visibility=Visibility.PRIVATE, access_code="secret-88")
    assert memorial.access_code_hash and "secret-88" not in memorial.access_code_hash
    stranger = UserFactory()
    session = SessionStore()
    assert not services.can_view(memorial, stranger, session)
    assert services.can_view(memorial, keeper, session)
    assert refused_code(
        lambda: services.check_access_code(memorial, "wrong", ip="198.51.100.7", session=session)
    ) == ("wrong_code")
    assert not services.can_view(memorial, stranger, session)
    services.check_access_code(memorial, "secret-88", ip="198.51.100.7", session=session)
    assert services.can_view(memorial, stranger, session)


@override_settings(M1_ACCESS_CODE_FAILURES_PER_IP=3, M1_ACCESS_CODE_FAILURES_PER_MEMORIAL=100)
def test_m1_wrong_access_codes_are_throttled_per_client_ip_even_for_the_right_code():
    memorial = make_memorial(visibility=Visibility.PRIVATE, access_code="secret-88")
    session = SessionStore()
    for _ in range(3):
        assert refused_code(
            lambda: services.check_access_code(memorial, "nope", ip="198.51.100.7", session=session)
        ) == ("wrong_code")
    assert refused_code(
        lambda: services.check_access_code(memorial, "secret-88", ip="198.51.100.7", session=session)
    ) == ("throttled")
    # Another address still gets its own tries.
    services.check_access_code(memorial, "secret-88", ip="203.0.113.5", session=session)
    assert AccessAttempt.objects.filter(memorial=memorial, succeeded=False).count() == 3


@override_settings(M1_ACCESS_CODE_FAILURES_PER_IP=100, M1_ACCESS_CODE_FAILURES_PER_MEMORIAL=4)
def test_m1_wrong_access_codes_are_throttled_per_memorial_across_addresses():
    memorial = make_memorial(visibility=Visibility.PRIVATE, access_code="secret-88")
    session = SessionStore()
    for n in range(4):
        refused_code(
            lambda n=n: services.check_access_code(memorial, "nope", ip=f"198.51.100.{n}", session=session)
        )
    assert refused_code(
        lambda: services.check_access_code(memorial, "secret-88", ip="203.0.113.5", session=session)
    ) == ("throttled")
    # The window passes: the right code opens it again.
    AccessAttempt.objects.update(created_at=timezone.now() - datetime.timedelta(hours=1))
    services.check_access_code(memorial, "secret-88", ip="203.0.113.5", session=session)


def test_m1_an_invitation_is_accepted_by_the_account_holding_the_number_only():
    keeper = family_user()
    memorial = make_memorial(keeper, visibility=Visibility.PRIVATE)
    invited = UserFactory(mobile="13811112222")
    other = UserFactory()
    invitation = services.invite(memorial, keeper, mobile="13811112222", role=MemberRole.CO_KEEPER)
    with pytest.raises(Http404):
        services.accept_invitation(other, invitation.pk)
    services.accept_invitation(invited, invitation.pk)
    assert services.is_keeper(memorial, invited)
    assert services.can_view(memorial, invited, SessionStore())
    # A co-keeper may invite visitors but not further co-keepers.
    assert refused_code(
        lambda: services.invite(memorial, invited, mobile="13833334444", role=MemberRole.CO_KEEPER)
    ) == ("keeper_only")
    services.invite(memorial, invited, mobile="13833334444", role=MemberRole.VISITOR)


def test_m1_another_account_cannot_edit_or_set_someone_elses_memorial():
    memorial = make_memorial()
    stranger = family_user()
    with pytest.raises(Http404):
        services.kept_or_404(memorial.token, stranger)
    with pytest.raises(Http404):
        services.update_memorial(memorial, stranger, **memorial_data(name="改名"))
    with pytest.raises(Http404):
        services.update_settings(memorial, stranger, visibility=Visibility.PUBLIC, approve_messages=False)
    with pytest.raises(Http404):
        services.invite(memorial, stranger, mobile="13811112222", role=MemberRole.VISITOR)


# --- Tributes ----------------------------------------------------------------------------------


def test_m1_a_tribute_has_no_price_and_nothing_is_ranked_by_count():
    fields = {field.name for field in Tribute._meta.get_fields()}
    assert not fields & {"price", "amount", "cost", "value", "rank", "score", "points"}
    memorial_fields = {field.name for field in Memorial._meta.get_fields()}
    assert not memorial_fields & {
        "price",
        "visits",
        "visit_count",
        "tribute_count",
        "rank",
        "score",
        "popularity",
    }
    assert Memorial._meta.ordering == ["-created_at", "-id"]


def test_m1_flowers_candles_and_messages_publish_at_once_by_default():
    memorial = make_memorial()
    visitor = UserFactory()
    for kind in ("flower", "candle"):
        assert services.leave_tribute(memorial, visitor, kind=kind).status == TributeStatus.PUBLISHED
    message = services.leave_tribute(memorial, visitor, kind="message", message="一路走好")
    assert message.status == TributeStatus.PUBLISHED
    assert list(services.visible_tributes(memorial)) == sorted(
        Tribute.objects.filter(memorial=memorial), key=lambda t: (t.created_at, t.pk), reverse=True
    )


@override_settings(M1_TRIBUTES_PER_ACCOUNT_PER_HOUR=3, M1_TRIBUTES_PER_MEMORIAL_PER_HOUR=100)
def test_m1_tributes_are_rate_limited_per_account_across_memorials():
    visitor = UserFactory()
    first, second = make_memorial(), make_memorial(name="张桂兰")
    services.leave_tribute(first, visitor, kind="flower")
    services.leave_tribute(second, visitor, kind="candle")
    services.leave_tribute(first, visitor, kind="flower")
    with pytest.raises(MemorialRefused) as caught:
        services.leave_tribute(second, visitor, kind="flower")
    assert caught.value.code == "account_rate" and "3" in caught.value.messages[0]
    # Another account is not limited by this one; an hour later this one may again.
    services.leave_tribute(second, UserFactory(), kind="flower")
    Tribute.objects.filter(author=visitor).update(created_at=timezone.now() - datetime.timedelta(minutes=61))
    services.leave_tribute(second, visitor, kind="flower")


@override_settings(M1_TRIBUTES_PER_ACCOUNT_PER_HOUR=100, M1_TRIBUTES_PER_MEMORIAL_PER_HOUR=2)
def test_m1_tributes_are_rate_limited_per_memorial_across_accounts():
    memorial = make_memorial()
    services.leave_tribute(memorial, UserFactory(), kind="flower")
    services.leave_tribute(memorial, UserFactory(), kind="flower")
    assert (
        refused_code(lambda: services.leave_tribute(memorial, UserFactory(), kind="flower"))
        == "memorial_rate"
    )
    services.leave_tribute(make_memorial(name="张桂兰"), UserFactory(), kind="flower")


def test_m1_a_message_with_a_sensitive_word_is_held_not_published():
    SensitiveWord.objects.create(word="代写")
    memorial = make_memorial()
    held = services.leave_tribute(memorial, UserFactory(), kind="message", message="专业代写悼词，加微信")
    assert held.status == TributeStatus.HELD and held.held_words == "代写"
    assert held not in services.visible_tributes(memorial)


def test_m1_keeper_approval_mode_holds_messages_until_the_keeper_approves():
    keeper = family_user()
    memorial = make_memorial(keeper, approve_messages=True)
    visitor = UserFactory()
    pending = services.leave_tribute(memorial, visitor, kind="message", message="外婆，我们想您")
    flower = services.leave_tribute(memorial, visitor, kind="flower")
    assert pending.status == TributeStatus.PENDING and flower.status == TributeStatus.PUBLISHED
    with pytest.raises(Http404):
        services.decide_tribute(memorial, visitor, pending.pk, approve=True)
    services.decide_tribute(memorial, keeper, pending.pk, approve=True)
    pending.refresh_from_db()
    assert pending.status == TributeStatus.PUBLISHED
    declined = services.leave_tribute(memorial, visitor, kind="message", message="再来一条")
    services.decide_tribute(memorial, keeper, declined.pk, approve=False)
    declined.refresh_from_db()
    assert declined.status == TributeStatus.REJECTED
    assert declined not in services.visible_tributes(memorial)


def test_m1_a_private_memorial_takes_tributes_only_from_those_who_may_see_it():
    memorial = make_memorial(visibility=Visibility.PRIVATE, access_code="secret-88")
    with pytest.raises(Http404):
        services.leave_tribute(memorial, UserFactory(), kind="flower", session=SessionStore())


# --- Reports and the bureau ----------------------------------------------------------------------


def test_m1_reports_reach_the_queue_and_removal_without_a_reason_is_refused(bureau_groups):
    memorial = make_memorial()
    message = services.leave_tribute(memorial, UserFactory(), kind="message", message="广告内容")
    report = services.report(memorial, reason="广告", ip="198.51.100.7", tribute=message)
    assert list(services.open_reports()) == [report]
    officer = UserFactory(is_staff=True)
    assert (
        refused_code(
            lambda: services.decide_report(report, decision=ReportStatus.UPHELD, user=officer, reason="  ")
        )
        == "reason"
    )
    message.refresh_from_db()
    assert message.status == TributeStatus.PUBLISHED
    services.decide_report(report, decision=ReportStatus.UPHELD, user=officer, reason="商业广告")
    message.refresh_from_db()
    report.refresh_from_db()
    assert message.status == TributeStatus.HIDDEN and message.decision_reason == "商业广告"
    assert report.status == ReportStatus.UPHELD and report.decided_by == officer
    assert not services.open_reports().exists()
    logged = ModelLogEntry.objects.filter(action="platform.transition", user=officer)
    assert {entry.data["to"] for entry in logged} == {"hidden", "upheld"}
    assert all(entry.data["reason"] == "商业广告" for entry in logged)


def test_m1_a_hidden_memorial_is_404_to_the_public_and_tells_its_keeper_why():
    keeper = family_user()
    memorial = make_memorial(keeper)
    report = services.report(memorial, reason="冒用他人信息", reporter=None, ip="198.51.100.7")
    services.decide_report(
        report, decision=ReportStatus.UPHELD, user=UserFactory(is_staff=True), reason="信息不实"
    )
    memorial.refresh_from_db()
    assert memorial.status == MemorialStatus.HIDDEN and memorial.status_reason == "信息不实"
    with pytest.raises(Http404):
        services.viewable_or_404(memorial.token, UserFactory(), SessionStore())
    seen, _role, locked = services.viewable_or_404(memorial.token, keeper, SessionStore())
    assert seen == memorial and not locked
    assert memorial not in Memorial.objects.public()


def test_m1_a_dismissed_report_keeps_the_message_and_needs_a_reason_too():
    memorial = make_memorial()
    message = services.leave_tribute(memorial, UserFactory(), kind="message", message="安息")
    report = services.report(memorial, reason="不喜欢", ip="198.51.100.7", tribute=message)
    with pytest.raises(MemorialRefused):
        services.decide_report(
            report, decision=ReportStatus.DISMISSED, user=UserFactory(is_staff=True), reason=""
        )
    services.decide_report(
        report, decision=ReportStatus.DISMISSED, user=UserFactory(is_staff=True), reason="内容正常"
    )
    message.refresh_from_db()
    assert message.status == TributeStatus.PUBLISHED
    with pytest.raises(MemorialRefused):
        services.decide_report(
            report, decision=ReportStatus.UPHELD, user=UserFactory(is_staff=True), reason="再议"
        )


@override_settings(M1_REPORTS_PER_IP_PER_HOUR=2)
def test_m1_anonymous_reports_are_throttled_per_client_ip():
    memorial = make_memorial()
    services.report(memorial, reason="一", ip="198.51.100.7")
    services.report(memorial, reason="二", ip="198.51.100.7")
    assert refused_code(lambda: services.report(memorial, reason="三", ip="198.51.100.7")) == "throttled"
    services.report(memorial, reason="三", ip="203.0.113.5")
    assert MemorialReport.objects.count() == 3


def test_m1_status_moves_only_through_the_transition_table():
    memorial = make_memorial()
    with pytest.raises(IllegalTransition):
        from core.statemachine import transition

        transition(memorial, MemorialStatus.ACTIVE)
