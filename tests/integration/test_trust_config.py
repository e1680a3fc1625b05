"""Configuration that can't trap a newcomer (issue 12, point 10): the development site URL
follows PORT, a wrong PAYMENTS_SITE_URL is reported, and the payment pages speak the
language the visitor chose on the site rather than the browser's Accept-Language."""

import logging
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from payments import checks as payment_checks
from payments.models import PaymentIntent
from tests.factories import payments as payment_fixtures
from tests.factories.accounts import UserFactory
from tests.factories.charity import CharityProjectFactory
from tests.factories.payments import Buyer, make_intent

payment_keys_dir = payment_fixtures.payment_keys_dir
payments_setup = payment_fixtures.payments_setup
sandbox_server = payment_fixtures.sandbox_server

SITE_URL_VARIABLES = {"PORT", "WAGTAILADMIN_BASE_URL", "PAYMENTS_SITE_URL", "DJANGO_SETTINGS_MODULE"}


def settings_in_fresh_process(module, names, **environ):
    """Import a settings module in a new interpreter with ``environ``; return the named values."""
    env = {key: value for key, value in os.environ.items() if key not in SITE_URL_VARIABLES}
    env.update(environ)
    script = f"import config.settings.{module} as s; print('|'.join(str(getattr(s, n)) for n in {names!r}))"
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip().split("|")


def test_development_site_url_follows_port():
    assert settings_in_fresh_process("dev", ["WAGTAILADMIN_BASE_URL", "PAYMENTS_SITE_URL"], PORT="8080") == [
        "http://127.0.0.1:8080",
        "http://127.0.0.1:8080",
    ]
    assert settings_in_fresh_process("dev", ["PAYMENTS_SITE_URL"]) == ["http://127.0.0.1:8000"]
    # An explicit PAYMENTS_SITE_URL still wins.
    assert settings_in_fresh_process(
        "dev", ["PAYMENTS_SITE_URL"], PORT="8080", PAYMENTS_SITE_URL="https://pay.example"
    ) == ["https://pay.example"]


def test_production_payment_urls_follow_the_public_host(tmp_path):
    values = settings_in_fresh_process(
        "production",
        ["PAYMENTS_SITE_URL"],
        SECRET_KEY="x" * 50,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        ALLOWED_HOSTS="mzj.beijing.example",
        SMS_BACKEND="accounts.sms.backends.ConsoleSmsBackend",
        SINGLE_NODE_FILE_STORAGE="true",
    )
    assert values == ["https://mzj.beijing.example"]


def test_runserver_on_another_port_than_the_payment_urls_warns(settings):
    settings.PAYMENTS_SITE_URL = "http://127.0.0.1:8000"
    settings.ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    warnings = payment_checks.check_payments_site_url(argv=["manage.py", "runserver", "127.0.0.1:8080"])
    assert [w.id for w in warnings] == ["payments.W001"]
    assert "8080" in warnings[0].msg and "PORT=8080" in warnings[0].hint
    assert payment_checks.check_payments_site_url(argv=["manage.py", "runserver", "8000"]) == []
    assert payment_checks.check_payments_site_url(argv=["manage.py", "runserver"]) == []  # default port
    assert payment_checks.check_payments_site_url(argv=["manage.py", "migrate"]) == []

    settings.PAYMENTS_SITE_URL = "https://other.example"
    assert [w.id for w in payment_checks.check_payments_site_url(argv=["manage.py", "migrate"])] == [
        "payments.W002"
    ]


@pytest.mark.django_db
def test_first_payment_page_on_another_origin_logs_a_warning(client, payments_setup, caplog):
    payments_setup.PAYMENTS_SITE_URL = "http://127.0.0.1:8000"
    payment_checks._warned_hosts.clear()
    intent = make_intent("10.00")
    with caplog.at_level(logging.WARNING, logger="payments"):
        client.get(reverse("payments:checkout", args=[intent.public_id]))
        client.get(reverse("payments:checkout", args=[intent.public_id]))
    mismatches = [r for r in caplog.records if "served_origin_mismatch" in r.getMessage()]
    assert len(mismatches) == 1 and "http://testserver" in mismatches[0].getMessage()


LANGUAGES = {
    # chosen language, the browser's Accept-Language, words that must show, words that must not
    "en": (
        "zh-CN,zh;q=0.9",
        ["Online payment", "Confirm payment", "Payment successful"],
        ["在线支付", "确认付款"],
    ),
    "zh-hans": (
        "en-US,en;q=0.9",
        ["在线支付", "确认付款", "付款成功"],
        ["Online payment", "Confirm payment"],
    ),
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("via", ["switch", "link"])
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_payment_pages_follow_site_language(language, via, sandbox_server, client):
    """Whether the visitor chose the language with the site's switch (which also sets the
    language cookie) or by arriving on that language's pages (no cookie), the pay page, the
    gateway's cashier and the result page are in that language, whatever Accept-Language says."""
    accept, shown, hidden = LANGUAGES[language]
    donor = UserFactory()
    project = CharityProjectFactory()
    client.force_login(donor)
    prefix = "/en" if language == "en" else ""
    if via == "switch":
        switched = client.post(reverse("set_language"), {"language": language, "next": "/charity/"})
        assert switched["Location"] == f"{prefix}/charity/"

    # They give to a project from a page in that language; the site sends them to the pay page.
    gift = client.post(
        f"{prefix}/charity/projects/{project.pk}/donate/", {"amount": "50.00"}, HTTP_ACCEPT_LANGUAGE=accept
    )
    assert gift.status_code == 302, gift.content
    checkout = client.get(gift["Location"], HTTP_ACCEPT_LANGUAGE=accept)
    pages = [checkout.text]

    # The pay page starts the gateway; the buyer's browser (same cookies, same Accept-Language)
    # goes through the simulator's cashier and comes back to the result page.
    started = client.post(gift["Location"], {"channel": "pc"}, HTTP_ACCEPT_LANGUAGE=accept)
    assert started.status_code == 302
    buyer = Buyer()
    buyer.session.headers["Accept-Language"] = accept
    for name, morsel in client.cookies.items():
        buyer.session.cookies.set(name, morsel.value)
    cashier = buyer.open(sandbox_server.url + started["Location"])
    pages.append(cashier.text)
    result = buyer.press(cashier, "pay")
    assert result.status_code == 200
    pages.append(result.text)

    # pay page, cashier, result page: each in the chosen language, none in the browser's
    assert [text in page for text, page in zip(shown, pages, strict=True)] == [True, True, True]
    assert [text for page in pages for text in hidden if text in page] == []
    assert PaymentIntent.objects.get(object_id=str(project.pk)).status == PaymentIntent.Status.SUCCEEDED
