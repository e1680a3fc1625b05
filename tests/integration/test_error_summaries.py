"""Issue 18, point 7: every form with errors opens with a GOV.UK-style error summary.

For each main form posted empty: the summary is the first thing in ``<main>`` after the
``h1``, it has one link per field error and each link points at a field id that exists on
the page, the page title starts with "错误：" ("Error: " in English), and each message says
what to do instead of Django's generic "这个字段是必填项"."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from core.forms import required_message
from tests.factories.accounts import PASSWORD
from tests.factories.charity import CharityFactory, CharityProjectFactory
from tests.factories.cms import make_home_page
from tests.factories.orders import family_user, funeral_home, make_quote
from tests.factories.orgs import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

GENERIC = ("这个字段是必填项", "必需字段", "This field is required")


@pytest.fixture(autouse=True)
def _site(settings, tmp_path):
    settings.REPORT_ATTACHMENT_ROOT = tmp_path / "attachments"
    make_home_page()


def _main(html):
    return html[html.index("<main") : html.index("</main>")]


def _summary(html):
    """The summary block of the page, checked to be the first element after the h1."""
    main = _main(html)
    h1_end = main.index("</h1>") + len("</h1>")
    after = main[h1_end:].lstrip()
    assert after.startswith('<div class="error-summary" id="error-summary" tabindex="-1"'), (
        f"the error summary is not the first thing after the h1: {after[:200]!r}"
    )
    return after[: after.index("</ul>")]


def assert_error_summary(response, *, at_least=1, title_prefix="错误："):
    html = response.content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1).strip()
    assert title.startswith(title_prefix), title
    summary = _summary(html)
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)
    assert len(links) >= at_least, summary
    ids = set(re.findall(r'\sid="([^"]+)"', _main(html)))
    for anchor, message in links:
        assert anchor in ids, f"the link {message!r} points at #{anchor}, which is not on the page"
        assert not any(generic in message for generic in GENERIC), message
        # The same message also stands at its field, below the summary.
        assert _main(html).count(message.split("：")[-1]) >= 2, message
    assert not any(generic in html for generic in GENERIC)
    return dict(links)


def login(user):
    client = Client()
    assert client.login(username=user.mobile, password=PASSWORD)
    return client


def test_empty_sign_in_form_opens_with_a_linked_summary_and_specific_messages(client):
    links = assert_error_summary(
        client.post(reverse("accounts:login"), {"username": "", "password": ""}), at_least=2
    )
    assert links == {"id_username": "请填写手机号码", "id_password": "请填写密码"}


def test_empty_sign_up_form_says_which_number_to_enter(client):
    links = assert_error_summary(client.post(reverse("accounts:signup"), {"mobile": ""}))
    assert links == {"id_mobile": "请填写手机号码"}


def test_a_malformed_mobile_number_says_how_to_write_it(client):
    links = assert_error_summary(client.post(reverse("accounts:signup"), {"mobile": "12"}))
    assert links["id_mobile"].startswith("请输入有效的中国大陆手机号码"), links


def test_empty_sms_sign_in_form_has_a_summary(client):
    assert_error_summary(client.post(reverse("accounts:login_code"), {"mobile": ""}))


def test_empty_annual_report_submission_lists_each_missing_figure_at_the_top():
    member = MembershipFactory(organization=OrganizationFactory(name="北京市朝阳区养老服务协会"))
    client = login(member.user)
    uscc = member.organization.uscc
    client.post(f"/workbench/reports/{uscc}/", {"year": "2025"})
    response = client.post(f"/workbench/reports/{uscc}/2025/", {"submit": "1"})
    links = assert_error_summary(response, at_least=2)
    assert all(message.startswith(("请填写", "请勾选", "请选择")) for message in links.values()), links


def test_empty_donation_import_asks_for_the_file(client):
    membership = MembershipFactory(organization=CharityFactory())
    client.force_login(membership.user)
    project = CharityProjectFactory(organization=membership.organization)
    url = reverse("charity_workbench:import", args=[membership.organization.uscc, project.pk, "donations"])
    links = assert_error_summary(client.post(url, {}))
    assert any(message.startswith("请上传") for message in links.values()), links


def test_empty_complaint_form_has_the_summary_first(client):
    client.force_login(family_user())
    fields = ("provider", "platform_subject", "category", "text", "contact_name", "mobile")
    response = client.post(reverse("complaints:new"), dict.fromkeys(fields, ""))
    links = assert_error_summary(response, at_least=2)
    assert any(message.startswith("请填写") for message in links.values()), links


def test_empty_order_form_names_each_missing_detail():
    family = family_user()
    quote = make_quote(family, funeral_home())
    client = Client()
    client.force_login(family)
    response = client.post("/orders/new/", {"quote": quote.reference})
    links = assert_error_summary(response, at_least=5)
    assert "请填写逝者姓名" in links.values(), links


def test_the_summary_and_title_are_in_english_on_english_pages(client):
    response = client.post("/en/accounts/login/", {"username": "", "password": ""})
    html = response.content.decode()
    assert re.search(r"<title>\s*Error: ", html), re.search(r"<title>.*?</title>", html, re.S).group(0)
    assert "There is a problem" in _summary(html)


def test_a_page_without_errors_has_no_summary_and_a_plain_title(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert 'id="error-summary"' not in html
    assert not re.search(r"<title>\s*错误", html)


def test_required_messages_are_built_from_the_label_by_field_kind():
    from django import forms

    with translation.override("zh-hans"):
        assert str(required_message(forms.CharField(), "逝者姓名")) == "请填写逝者姓名"
        assert str(required_message(forms.ChoiceField(), "服务类别")) == "请选择服务类别"
        assert str(required_message(forms.FileField(), "证据材料")) == "请上传证据材料"
        assert str(required_message(forms.BooleanField(), "我已阅读")) == "请勾选“我已阅读”"
