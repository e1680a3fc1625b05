"""Issue 18, point 5: sign-in never loses the family's work.

Every sign-in link carries ``next`` (the page it came from), every way of signing in
(password, SMS code, sign-up and its verify step) returns there, an off-site ``next`` is
refused (Django's ``url_has_allowed_host_and_scheme``), an organisation admin without a
``next`` lands on the workbench, and a visitor's quote survives signing in or up whole."""

import html
import re
from urllib.parse import quote as urlquote
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from accounts import sms
from marketplace.catalogue.models import Quote
from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.catalogue import make_priced_funeral_home
from tests.factories.orgs import MembershipFactory

pytestmark = pytest.mark.django_db
User = get_user_model()

FAMILY = "13812345678"
NEW = "13812349999"
PROFILE = "/accounts/profile/"
OFF_SITE = ["https://evil.example/", "//evil.example/", "///evil.example/", "/\\evil.example/"]


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def last_code():
    return re.search(r"验证码 (\d{6})", sms.outbox[-1].text).group(1)


def text(response):
    return response.content.decode()


def hrefs(page, path):
    """The (unescaped) hrefs on a page that start with ``path``."""
    return [html.unescape(h) for h in re.findall(r'href="([^"]*)"', text(page)) if h.startswith(path)]


def with_next(path, next_url):
    return f"{path}?next={urlquote(next_url, safe='/')}"


# --- The three ways in; each returns the response of its last step ------------------------------


def by_password(client, next_url, mobile=FAMILY):
    return client.post(
        with_next("/accounts/login/", next_url), {"username": mobile, "password": PASSWORD, "next": next_url}
    )


def by_sms_code(client, next_url, mobile=FAMILY):
    sent = client.post(with_next("/accounts/login/sms/", next_url), {"mobile": mobile, "next": next_url})
    assert sent.status_code == 302
    # Step 2 is where step 1 sent us: the next travels with it.
    return client.post(sent["Location"], {"code": last_code(), "next": next_url})


def by_sign_up(client, next_url, mobile=NEW):
    sent = client.post(with_next("/accounts/signup/", next_url), {"mobile": mobile, "next": next_url})
    assert sent.status_code == 302
    return client.post(
        sent["Location"],
        {
            "code": last_code(),
            "display_name": "新用户",
            "email": "",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "next": next_url,
        },
    )


WAYS_IN = [by_password, by_sms_code, by_sign_up]


# --- Links ------------------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["", "/en"])
def test_header_sign_in_and_sign_up_links_carry_the_page_they_are_on(client, prefix):
    make_priced_funeral_home(slug="q")
    here = f"{prefix}/funeral/?district=chaoyang&sort=name"
    page = client.get(here)
    assert hrefs(page, f"{prefix}/accounts/login/") == [with_next(f"{prefix}/accounts/login/", here)]
    assert hrefs(page, f"{prefix}/accounts/signup/") == [with_next(f"{prefix}/accounts/signup/", here)]


def test_links_between_the_sign_in_pages_keep_the_next():
    client = Client()
    here = "/funeral/quote/?provider=q"
    login = client.get(with_next("/accounts/login/", here))
    assert f'name="next" value="{html.escape(here)}"' in text(login)
    assert with_next("/accounts/login/sms/", here) in hrefs(login, "/accounts/login/sms/")
    assert with_next("/accounts/signup/", here) in hrefs(login, "/accounts/signup/")
    by_code = client.get(with_next("/accounts/login/sms/", here))
    assert with_next("/accounts/login/", here) in hrefs(by_code, "/accounts/login/")
    assert with_next("/accounts/signup/", here) in hrefs(by_code, "/accounts/signup/")
    signup = client.get(with_next("/accounts/signup/", here))
    assert with_next("/accounts/login/", here) in hrefs(signup, "/accounts/login/")


# --- Each way in honours next and refuses an off-site one ---------------------------------------


@pytest.mark.parametrize("way_in", WAYS_IN)
def test_each_way_in_returns_to_the_page_it_came_from(way_in):
    UserFactory(mobile=FAMILY)
    client = Client()
    here = "/funeral/compare/?p=a&p=b"
    [header_link] = hrefs(client.get(here), "/accounts/login/")
    came_from = QueryDict(urlsplit(header_link).query).get("next", "")
    response = way_in(client, came_from)
    assert response.status_code == 302 and response["Location"] == here
    assert "_auth_user_id" in client.session


@pytest.mark.parametrize("way_in", WAYS_IN)
@pytest.mark.parametrize("evil", OFF_SITE)
def test_each_way_in_refuses_an_off_site_next(way_in, evil):
    UserFactory(mobile=FAMILY)
    client = Client()
    # The sign-in form doesn't carry it on.
    assert client.get(with_next("/accounts/login/", evil)).context["next"] == ""
    response = way_in(client, evil)
    assert response.status_code == 302 and response["Location"] == PROFILE
    assert "_auth_user_id" in client.session


def test_a_next_that_is_itself_a_sign_in_page_returns_to_its_own_next():
    """The header's 登录 on the sign-in page itself must not send the user round again."""
    UserFactory(mobile=FAMILY)
    client = Client()
    here = with_next("/accounts/login/sms/", "/orgs/?q=养老")
    response = by_password(client, here)
    assert response["Location"] == "/orgs/?q=" + urlquote("养老")


# --- Where a sign-in without next lands ---------------------------------------------------------


@pytest.mark.parametrize("way_in", [by_password, by_sms_code])
def test_an_organisation_admin_lands_on_the_workbench_and_a_family_on_the_profile(way_in):
    MembershipFactory(user=UserFactory(mobile="13920000001"))
    UserFactory(mobile=FAMILY)
    admin = Client()
    assert way_in(admin, "", mobile="13920000001")["Location"] == reverse("workbench:index")
    family = Client()
    assert way_in(family, "", mobile=FAMILY)["Location"] == PROFILE
    # A next still wins over the workbench.
    assert way_in(Client(), "/charity/", mobile="13920000001")["Location"] == "/charity/"


def test_bureau_staff_still_land_on_the_profile():
    UserFactory(mobile="13900000009", is_staff=True)
    assert by_password(Client(), "", mobile="13900000009")["Location"] == PROFILE


def test_a_signed_in_user_sent_to_sign_up_goes_to_the_next():
    client = Client()
    client.force_login(UserFactory())
    assert client.get(with_next("/accounts/signup/", "/funeral/"))["Location"] == "/funeral/"
    assert client.get("/accounts/signup/?next=https://evil.example/")["Location"] == PROFILE


# --- The visitor's quote survives signing in and up ---------------------------------------------


@pytest.fixture
def visitor_quote(client):
    """A visitor's quote: two items, one of them three times, for sea burial."""
    provider = make_priced_funeral_home(slug="q", name="京东殡仪馆")
    urn = provider.items.get(category__code="urn")
    storage = provider.items.get(category__code="storage")
    response = client.post(
        "/funeral/quote/",
        {
            "provider": "q",
            "item": [urn.pk, storage.pk],
            f"qty_{urn.pk}": "1",
            f"qty_{storage.pk}": "3",
            "burial_choice": "ordinary",
            "beijing_resident": "1",
        },
    )
    assert response["Location"] == "/funeral/quote/statement/"
    return provider, {urn.pk: 1, storage.pk: 3}


@pytest.mark.parametrize("way_in", WAYS_IN)
def test_the_quote_survives_signing_in_and_is_saved_whole(client, visitor_quote, way_in):
    provider, chosen = visitor_quote
    UserFactory(mobile=FAMILY)
    statement = client.get("/funeral/quote/statement/")
    assert "登录并保存报价单" in text(statement)
    offer = re.search(r'<a [^>]*href="([^"]+)"[^>]*>登录并保存报价单</a>', text(statement))
    assert html.unescape(offer.group(1)) == with_next("/accounts/login/", "/funeral/quote/statement/")

    response = way_in(client, "/funeral/quote/statement/")
    assert response["Location"] == "/funeral/quote/statement/"
    back = client.get(response["Location"])
    page = text(back)
    assert "京东殡仪馆" in page and "骨灰盒" in page and "3 次" in page and "¥780.00" in page
    assert "登录并保存报价单" not in page

    saved = client.post("/funeral/quote/statement/", {"action": "save"})
    quote = Quote.objects.get()
    assert saved["Location"] == quote.get_absolute_url()
    assert quote.user.mobile == (NEW if way_in is by_sign_up else FAMILY)
    assert quote.provider == provider
    assert {line.item_id: line.quantity for line in quote.lines.all()} == chosen
    assert quote.burial_choice == "ordinary"


def test_after_sign_in_the_quote_builder_keeps_the_provider_and_items(client, visitor_quote):
    """The issue's "the quote's provider resets": the builder, opened without ?provider after
    signing in, starts from the visitor's quote."""
    provider, chosen = visitor_quote
    UserFactory(mobile=FAMILY)
    by_password(client, "")
    page = text(client.get("/funeral/quote/"))
    assert '<option value="q" selected>' in page
    for item_id, quantity in chosen.items():
        assert re.search(rf'id="item-{item_id}"[^>]* checked>', page)
        assert f'name="qty_{item_id}" id="qty-{item_id}" value="{quantity}"' in page


def test_only_a_signed_in_user_can_save_a_session_quote(client, visitor_quote):
    response = client.post("/funeral/quote/statement/", {"action": "save"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=")
    assert not Quote.objects.exists()
