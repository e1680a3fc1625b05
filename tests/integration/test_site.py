"""Site-wide behaviour: languages, large text, operations endpoints, security headers."""

import os

import pytest
from django.conf import settings
from django.db import connection

from core.statemachine import IllegalTransition, transition
from tests.factories.accounts import UserFactory
from tests.factories.cms import make_guide, make_home_page

pytestmark = pytest.mark.django_db


def test_suite_runs_on_the_database_make_test_started():
    """`make test` exports EXPECT_DB_VENDOR; a silent fallback to SQLite fails here."""
    expected = os.environ.get("EXPECT_DB_VENDOR")
    assert expected, "run the suite through `make test` or `make test-sqlite`"
    assert connection.vendor == expected
    if expected == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_encoding")
            assert cursor.fetchone()[0] == "UTF8"
            cursor.execute("SELECT datctype FROM pg_database WHERE datname = current_database()")
            assert "UTF-8" in cursor.fetchone()[0].upper().replace("UTF8", "UTF-8")


def test_home_is_chinese_at_the_unprefixed_url(client):
    make_home_page()
    html = client.get("/").content.decode()
    assert '<html lang="zh-hans"' in html
    assert "跳到主要内容" in html
    assert 'href="#main"' in html and 'id="main"' in html


def test_english_lives_under_en(client):
    make_home_page()
    html = client.get("/en/").content.decode()
    assert '<html lang="en"' in html
    assert "Skip to main content" in html


def test_language_switch_goes_to_the_same_page_in_the_other_language(client):
    guide = make_guide(make_home_page())
    response = client.post("/i18n/setlang/", {"language": "en", "next": guide.url})
    assert response.status_code == 302
    assert response["Location"] == f"/en{guide.url}"


def test_large_text_mode_is_remembered(client):
    make_home_page()
    response = client.post("/preferences/large-text/", {"large_text": "1", "next": "/guides/"})
    assert response["Location"] == "/guides/"
    cookie = response.cookies[settings.LARGE_TEXT_COOKIE]
    assert cookie.value == "1" and int(cookie["max-age"]) >= 365 * 24 * 3600
    assert 'class="large-text"' in client.get("/").content.decode()
    client.post("/preferences/large-text/", {"large_text": "0", "next": "/"})
    assert 'class="large-text"' not in client.get("/").content.decode()


def test_large_text_toggle_refuses_offsite_redirects(client):
    response = client.post("/preferences/large-text/", {"large_text": "1", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_healthz_reports_database_and_version(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == {"status": "ok", "vendor": connection.vendor}
    assert body["version"] == settings.PLATFORM_VERSION
    # No read replica configured (make run, the tests): nothing degraded. A replica that is down
    # is reported in tests/integration/test_replica.py.
    assert body["replica"] == {"status": "none"}


def test_robots_and_sitemap(client):
    guide = make_guide(make_home_page())
    robots = client.get("/robots.txt").content.decode()
    assert "Disallow: /admin/" in robots and "Sitemap: http://testserver/sitemap.xml" in robots
    sitemap = client.get("/sitemap.xml").content.decode()
    assert guide.url in sitemap


def test_security_headers_on_public_pages(client):
    make_home_page()
    response = client.get("/")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Request-ID"]


def test_no_external_assets_in_pages(client):
    make_guide(make_home_page())
    for url in ("/", "/guides/", "/accounts/login/"):
        html = client.get(url).content.decode()
        for marker in ('src="http', 'href="http://', "cdn.", "googleapis"):
            assert marker not in html, (url, marker)


def test_navigation_only_shows_built_sections(client):
    home = make_home_page()
    make_guide(home)
    html = client.get("/").content.decode()
    assert "即将" not in html and "coming soon" not in html.lower()


def test_state_machine_refuses_illegal_moves_and_audits_legal_ones():
    from wagtail.models import ModelLogEntry

    user = UserFactory()
    table = {(True, False): "deactivate"}
    transition(user, False, user=user, reason="测试停用", field="is_active", table=table)
    assert user.is_active is False
    entry = ModelLogEntry.objects.get(action="platform.transition")
    assert entry.data == {"from": True, "to": False, "reason": "测试停用", "field": "is_active"}
    assert entry.message == "状态从“是”变为“否”：测试停用"
    with pytest.raises(IllegalTransition):
        transition(user, True, field="is_active", table=table)


def test_language_switch_back_to_chinese_drops_the_prefix(client):
    guide = make_guide(make_home_page())
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": f"/en{guide.url}?page=2"})
    assert response["Location"] == f"{guide.url}?page=2"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    response = client.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/en/"
