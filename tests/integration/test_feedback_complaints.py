"""R2 over HTTP: the one complaint form (a visitor with SMS proof, a family with its own order
and disputed lines), evidence checked by content and by hash, permissions (a family sees only
its own complaints, a provider only complaints about itself), the bureau's admin queue, the
public statistics with flat query counts, the open data, the F3 notice and the footer link."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts import sms
from accounts.groups import FUNERAL_SECTION
from marketplace.feedback.models import Complaint, ComplaintDecision, ComplaintEvidence, ComplaintStatus
from marketplace.feedback.services import complaints as service
from tests.factories.accounts import UserFactory
from tests.factories.catalogue import ProviderFactory, make_member
from tests.factories.orders import Scenario, family_user
from tests.factories.orgs import PNG_BYTES, pdf_bytes

pytestmark = pytest.mark.django_db
NEW = reverse("complaints:new")


@pytest.fixture(autouse=True)
def _clean_outbox():
    sms.outbox.clear()


def bureau_officer():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=FUNERAL_SECTION))
    return user


def last_code():
    return re.search(r"验证码 (\d{6})", sms.outbox[-1].text).group(1)


def form_data(provider, **extra):
    data = {
        "provider": provider.slug,
        "platform_subject": "",
        "category": "overcharge",
        "text": "火化费比公示价格多收了 200 元。",
        "contact_name": "张伟",
    }
    data.update(extra)
    return data


# --- Filing ------------------------------------------------------------------------------------


def test_r2_visitor_proves_the_number_by_sms_then_files(client):
    provider = ProviderFactory()
    first = client.get(NEW, {"provider": provider.slug})
    assert "发送验证码" in first.text and 'name="text"' not in first.text  # the number comes first
    sent = client.post(f"{NEW}?provider={provider.slug}", {"action": "send_code", "mobile": "13912345678"})
    assert sent.status_code == 302 and sms.outbox[-1].mobile == "13912345678"
    code = last_code()
    wrong = client.post(NEW, form_data(provider, code="000000" if code != "000000" else "111111"))
    assert wrong.status_code == 400 and "验证码不正确" in wrong.text and not Complaint.objects.exists()
    assert 'id="error-summary"' in wrong.text
    done = client.post(NEW, form_data(provider, code=code))
    complaint = Complaint.objects.get()
    assert done.status_code == 200 and complaint.reference in done.text
    assert (complaint.mobile, complaint.user, complaint.provider) == ("13912345678", None, provider)
    assert complaint.status == ComplaintStatus.RECEIVED and complaint.rule_id == "F2"
    assert complaint.reference in sms.outbox[-1].text and "已收到" in sms.outbox[-1].text


def test_r2_visitor_code_requests_are_throttled(client):
    client.post(NEW, {"action": "send_code", "mobile": "13912345678"})
    again = client.post(NEW, {"action": "send_code", "mobile": "13912345678"})
    # Within the resend interval no second code goes out; the visitor carries on with the first.
    assert again.status_code == 302 and len(sms.outbox) == 1


def test_r2_form_requires_exactly_one_subject_and_shows_an_error_summary(client):
    client.force_login(family_user())
    response = client.post(NEW, form_data(ProviderFactory(), platform_subject="charity"))
    assert response.status_code == 400 and "二者选一" in response.text
    assert 'role="alert"' in response.text and not Complaint.objects.exists()


def test_r2_family_attaches_its_own_order_and_disputed_lines(client):
    scenario = Scenario()
    scenario.advance("countersigned")
    order = scenario.refresh()
    lines = list(service.disputable_lines(order))
    client.force_login(scenario.family)
    page = client.get(NEW, {"order": order.reference})
    assert page.status_code == 200 and lines[0].name in page.text
    response = client.post(
        f"{NEW}?order={order.reference}",
        form_data(scenario.provider, order=order.reference, lines=[lines[0].pk], contact_name="王丽"),
    )
    assert response.status_code == 200
    complaint = Complaint.objects.get()
    assert complaint.order == order and list(complaint.disputed_lines.all()) == [lines[0]]
    assert complaint.user == scenario.family and complaint.mobile == scenario.family.mobile


def test_r2_a_foreign_order_answers_404_in_the_form_and_on_post(client):
    scenario = Scenario()
    client.force_login(family_user())
    assert client.get(NEW, {"order": scenario.order.reference}).status_code == 404
    posted = client.post(NEW, form_data(scenario.provider, order=scenario.order.reference))
    assert posted.status_code == 404 and not Complaint.objects.exists()


def test_r2_a_line_of_another_order_is_refused(client):
    scenario = Scenario()
    other = Scenario(provider=scenario.provider)
    client.force_login(scenario.family)
    foreign_line = other.order.lines.first()
    response = client.post(
        f"{NEW}?order={scenario.order.reference}",
        form_data(scenario.provider, order=scenario.order.reference, lines=[foreign_line.pk]),
    )
    assert response.status_code == 400 and not Complaint.objects.exists()


def test_r2_platform_channel_for_the_charity_section(client):
    client.force_login(family_user())
    page = client.get(NEW, {"subject": "charity"})
    assert 'value="charity" selected' in page.text
    response = client.post(
        NEW,
        {
            "provider": "",
            "platform_subject": "charity",
            "subject_detail": "某慈善项目",
            "category": "other",
            "text": "项目支出未公示。",
            "contact_name": "李强",
        },
    )
    assert response.status_code == 200
    complaint = Complaint.objects.get()
    assert (
        complaint.channel == "platform"
        and complaint.provider is None
        and complaint.subject_detail == "某慈善项目"
    )


# --- Evidence ------------------------------------------------------------------------------------


def test_r2_evidence_is_checked_by_content_private_and_hash_checked_when_served(client):
    family = family_user()
    provider = ProviderFactory()
    client.force_login(family)
    fake = SimpleUploadedFile("收据.pdf", b"<html>not a pdf</html>")
    refused = client.post(NEW, {**form_data(provider), "evidence": [fake]})
    assert refused.status_code == 400 and "不是有效的 PDF" in refused.text and not Complaint.objects.exists()
    files = [SimpleUploadedFile("现场.png", PNG_BYTES), SimpleUploadedFile("收据.pdf", pdf_bytes("收据"))]
    assert client.post(NEW, {**form_data(provider), "evidence": files}).status_code == 200
    complaint = Complaint.objects.get()
    png, pdf = complaint.evidence.order_by("pk")
    assert len(png.sha256) == 64 and png.file.storage.location != ""
    url = reverse("complaints:evidence", args=[complaint.reference, png.pk])
    served = client.get(url)
    assert served.status_code == 200 and b"".join(served.streaming_content) == PNG_BYTES
    assert "attachment" in served["Content-Disposition"] and served["Cache-Control"] == "private, no-store"
    client.force_login(family_user())
    assert client.get(url).status_code == 404
    # The stored bytes change behind the platform's back: refused with 409.
    with png.file.storage.open(png.file.name, "wb") as handle:
        handle.write(PNG_BYTES + b"tampered")
    client.force_login(family)
    assert client.get(url).status_code == 409


def test_r2_too_many_evidence_files_are_refused(client, settings):
    settings.R2_EVIDENCE_MAX_FILES = 1
    client.force_login(family_user())
    files = [SimpleUploadedFile("a.png", PNG_BYTES), SimpleUploadedFile("b.png", PNG_BYTES)]
    response = client.post(NEW, {**form_data(ProviderFactory()), "evidence": files})
    assert response.status_code == 400 and "最多上传 1 个" in response.text


# --- Permissions -----------------------------------------------------------------------------------


def _filed(family=None, provider=None):
    return service.file_complaint(
        user=family or family_user(),
        provider=provider or ProviderFactory(),
        category="quality",
        text="私密的投诉内容：告别厅迟到",
        contact_name="王丽",
    )


def test_r2_a_family_sees_only_its_own_complaints(client):
    family = family_user()
    own, other = _filed(family), _filed()
    client.force_login(family)
    mine = client.get(reverse("complaints:mine"))
    assert own.reference in mine.text and other.reference not in mine.text
    assert client.get(reverse("complaints:detail", args=[own.reference])).status_code == 200
    assert client.get(reverse("complaints:detail", args=[other.reference])).status_code == 404


def test_r2_a_provider_sees_and_answers_only_complaints_about_itself(client):
    provider, elsewhere = ProviderFactory(), ProviderFactory()
    staff = make_member(provider)
    own = service.accept(_filed(provider=provider), bureau_officer())
    foreign = service.accept(_filed(provider=elsewhere), bureau_officer())
    unaccepted = _filed(provider=provider)
    client.force_login(staff)
    index = client.get(reverse("complaint_workbench:index"))
    assert own.reference in index.text and foreign.reference not in index.text
    assert unaccepted.reference not in index.text  # the bureau accepts first
    assert client.get(reverse("complaint_workbench:detail", args=[foreign.reference])).status_code == 404
    assert (
        client.post(
            reverse("complaint_workbench:detail", args=[foreign.reference]), {"response": "不是我们"}
        ).status_code
        == 404
    )
    answered = client.post(
        reverse("complaint_workbench:detail", args=[own.reference]), {"response": "已致歉并整改。"}
    )
    assert answered.status_code == 302
    own.refresh_from_db()
    assert own.status == ComplaintStatus.RESPONDED and own.responded_by == staff
    assert "已答复" in sms.outbox[-1].text


def test_r2_complaint_text_is_never_public(client):
    complaint = _filed()
    for url in (
        reverse("catalogue:provider", args=[complaint.provider.slug]),
        reverse("complaint_stats:index"),
        reverse("complaint_stats:json"),
    ):
        response = client.get(url)
        body = response.text if not response.streaming else b"".join(response.streaming_content).decode()
        assert "私密的投诉内容" not in body and complaint.reference not in body
    assert client.get(reverse("complaints:detail", args=[complaint.reference])).status_code == 302  # sign in


# --- The bureau's queue ------------------------------------------------------------------------------


def test_r2_bureau_queue_filters_overdue_sorts_by_deadline_and_acts(client):
    officer = bureau_officer()
    today = timezone.localdate()
    late = service.file_complaint(
        user=family_user(),
        provider=ProviderFactory(),
        category="quality",
        text="迟到",
        contact_name="王丽",
        now=timezone.now() - datetime.timedelta(days=10),
    )
    fresh = _filed()
    client.force_login(officer)
    queue = client.get(reverse("feedback_complaints_admin:queue"), follow=True)
    assert queue.status_code == 200 and queue.text.index(late.reference) < queue.text.index(fresh.reference)
    assert "已超期" in queue.text
    overdue = client.get(reverse("feedback_complaints_admin:queue"), {"overdue": "yes"}, follow=True)
    assert late.reference in overdue.text and fresh.reference not in overdue.text
    url = reverse("feedback_complaints_admin:detail", args=[fresh.pk])
    assert client.post(url, {"action": "reject", "reject-reason": ""}).status_code == 400
    assert client.post(url, {"action": "accept"}).status_code == 302
    fresh.refresh_from_db()
    assert fresh.status == ComplaintStatus.ACCEPTED and fresh.accepted_on == today
    assert "已受理" in sms.outbox[-1].text
    # Deciding before the provider's deadline is refused with the reason.
    response = client.post(url, {"action": "decide", "decide-decision": "upheld", "decide-text": "成立"})
    assert response.status_code == 400
    fresh.refresh_from_db()
    assert fresh.status == ComplaintStatus.ACCEPTED


def test_r2_admin_queue_is_for_the_bureau_only(client):
    complaint = _filed()
    staff = make_member(complaint.provider)
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    response = client.get(reverse("feedback_complaints_admin:detail", args=[complaint.pk]))
    assert response.status_code in (302, 403)


# --- Statistics, open data, provider page ------------------------------------------------------------


def _decided(provider, decision=ComplaintDecision.UPHELD):
    complaint = service.accept(_filed(provider=provider), bureau_officer())
    complaint = service.respond(complaint, UserFactory(), "答复")
    return service.decide(complaint, bureau_officer(), decision, "决定")


def _make_complaints(provider, count):
    for _n in range(count):
        _decided(provider)
        _filed(provider=provider)


def test_r2_stats_page_shows_the_figures_with_flat_queries(client, django_assert_max_num_queries):
    small = ProviderFactory(name="甲殡仪馆")
    _make_complaints(small, 1)
    with django_assert_max_num_queries(40) as small:
        first = client.get(reverse("complaint_stats:index"))
    assert first.status_code == 200 and "甲殡仪馆" in first.text and "<svg" in first.text
    for _n in range(3):
        _make_complaints(ProviderFactory(), 3)
    from django.core.cache import cache

    cache.clear()
    with django_assert_max_num_queries(len(small.captured_queries)):
        again = client.get(reverse("complaint_stats:index"))
    assert again.status_code == 200 and again.text.count('class="chart-bar"') == 4


def test_r2_provider_page_shows_its_statistics_and_the_channel_with_flat_queries(
    client, django_assert_max_num_queries
):
    from django.core.cache import cache

    provider = ProviderFactory()
    url = reverse("catalogue:provider", args=[provider.slug])
    page = client.get(url)
    assert f"{NEW}?provider={provider.slug}" in page.text  # F3: the complaint channel beside the hotline
    _make_complaints(provider, 1)
    cache.clear()
    with django_assert_max_num_queries(40) as small:
        client.get(url)
    _make_complaints(provider, 4)
    cache.clear()
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = client.get(url)
    assert "投诉统计" in page.text and "100.0%" in page.text  # 5 decided, all upheld


def test_r2_open_data_has_the_same_figures(client):
    provider = ProviderFactory(name="乙殡仪馆")
    _decided(provider)
    _decided(provider, ComplaintDecision.NOT_UPHELD)
    csv_body = b"".join(client.get(reverse("complaint_stats:csv")).streaming_content).decode("utf-8-sig")
    row = next(line for line in csv_body.splitlines() if "乙殡仪馆" in line).split(",")
    assert row[4:7] == ["2", "2", "1"] and row[7] == "50.0"
    import json

    data = json.loads(b"".join(client.get(reverse("complaint_stats:json")).streaming_content))
    record = next(r for r in data["records"] if r["provider"] == "乙殡仪馆")
    assert (record["received"], record["upheld"], record["upheld_rate"]) == (2, 1, "50.0")
    index = client.get(reverse("opendata:index"))
    assert reverse("complaint_stats:csv") in index.text


def test_r2_footer_links_the_complaint_channel_on_every_page(client):
    for url in (reverse("catalogue:index"), reverse("opendata:index")):
        assert f'href="{NEW}"' in client.get(url).text


def test_r2_complaints_are_not_searchable(client):
    complaint = _filed()
    from search.registry import document_types

    assert all(t.model is not Complaint and t.model is not ComplaintEvidence for t in document_types())
    response = client.get(reverse("search:search"), {"q": "私密的投诉内容"})
    assert complaint.reference not in response.text and "共找到 0 条结果" in response.text
