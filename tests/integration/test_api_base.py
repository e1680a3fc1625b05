"""The open data API's foundation (issue 19): schema, docs page, read-only, caching headers and
conditional GET, throttling per client address and per API key, CORS, licence and citation."""

import json
from decimal import Decimal

import pytest
import yaml
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openapi_spec_validator import validate

from api import registry
from api.models import ApiKey
from marketplace.catalogue import services
from marketplace.catalogue.services.posting import earliest_effective_date
from tests.factories.accounts import UserFactory
from tests.factories.catalogue import ProviderFactory, make_item, make_priced_funeral_home

pytestmark = pytest.mark.django_db

PROVIDERS = "/api/v1/providers/"


@pytest.fixture
def provider():
    return make_priced_funeral_home(name="甲殡仪馆", slug="jia")


def issue_key(**fields):
    key = ApiKey(name="研究", holder="某大学", **fields)
    raw = key.issue()
    key.save()
    return key, raw


# --- Schema and documentation ------------------------------------------------------------------


def test_schema_is_valid_openapi_3_and_documents_every_registered_resource(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    schema = json.loads(response.content)
    validate(schema)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["license"]["name"] == "CC BY 4.0"
    for prefix, _viewset, _basename in registry.registered():
        assert f"/api/v1/{prefix}/" in schema["paths"], prefix
    providers = schema["paths"]["/api/v1/providers/"]["get"]
    names = {parameter["name"] for parameter in providers["parameters"]}
    # The HTML catalogue's filters, and the cursor pagination.
    assert {"district", "type", "category", "max_price", "has_package", "cursor", "page_size"} <= names
    assert "ApiKey" in schema["components"]["securitySchemes"]
    # Read-only: no operation but GET (HEAD and OPTIONS are implied).
    methods = {method for path in schema["paths"].values() for method in path}
    assert methods <= {"get", "parameters"}


def test_schema_is_also_served_as_yaml(client):
    response = client.get("/api/v1/schema/", {"format": "yaml"})
    assert response.status_code == 200
    validate(yaml.safe_load(response.content))


def test_docs_page_uses_only_local_assets_and_no_inline_script(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "https://" not in html.replace("https://creativecommons.org", "")
    assert "<script>" not in html  # the initialiser is a separate script: the CSP holds
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "北京市民政局" in html and "CC BY 4.0" in html  # the licence and citation on the page
    script = client.get("/api/v1/docs/", {"script": ""})
    assert script.status_code == 200
    assert reverse("api:schema") in script.content.decode()


def test_api_root_lists_the_resources(client):
    body = client.get("/api/v1/").json()
    assert body["providers"].endswith("/api/v1/providers/")
    assert body["price-versions"].endswith("/api/v1/price-versions/")


# --- Read-only ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_are_refused(client, provider, method):
    for url in (PROVIDERS, f"{PROVIDERS}jia/"):
        response = getattr(client, method)(url, data={"name": "改名"}, content_type="application/json")
        assert response.status_code == 405, (method, url)
    provider.refresh_from_db()
    assert provider.name == "甲殡仪馆"


def test_head_and_options_are_allowed(client, provider):
    assert client.head(f"{PROVIDERS}jia/").status_code == 200
    options = client.options(PROVIDERS)
    assert options.status_code == 200
    assert set(options["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD", "OPTIONS"}


# --- Licence, citation, caching headers ----------------------------------------------------------------


def test_every_answer_carries_the_licence_and_a_citation(client, provider):
    for url in (PROVIDERS, f"{PROVIDERS}jia/", f"{PROVIDERS}nobody/", "/api/v1/schema/"):
        response = client.get(url)
        assert (
            'rel="license"' in response["Link"] and "creativecommons.org/licenses/by/4.0/" in response["Link"]
        )
        assert 'rel="describedby"' in response["Link"]
        assert response["X-License"] == "CC-BY-4.0"
        assert "Beijing Municipal Bureau of Civil Affairs" in response["X-Citation"]
        assert "CC BY 4.0" in response["X-Citation"]


def test_success_is_cacheable_and_an_error_is_not(client, provider, settings):
    settings.API_CACHE_MAX_AGE = 120
    assert client.get(f"{PROVIDERS}jia/")["Cache-Control"] == "public, max-age=120"
    assert client.get(f"{PROVIDERS}nobody/")["Cache-Control"] == "no-store"


def test_conditional_get_answers_304_until_the_data_changes(client, provider):
    url = f"{PROVIDERS}jia/"
    first = client.get(url)
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert etag and last_modified
    # Nothing changed: 304, decided before the catalogue is read (the version is in the cache).
    with CaptureQueriesContext(connection) as captured:
        again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert not [query for query in captured.captured_queries if "catalogue_" in query["sql"]]
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    # A price is published: the same validators now get the new data, with new validators.
    item = provider.items.get(name="骨灰盒")
    services.publish_price(
        item, price=Decimal("650"), effective_from=earliest_effective_date(), reason="调价"
    )
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 200
    assert client.get(url, HTTP_IF_NONE_MATCH=changed["ETag"]).status_code == 304


def test_an_unchanged_answer_is_served_from_the_cache_per_host(client, provider):
    url = f"{PROVIDERS}jia/"
    first = client.get(url)
    assert "X-Api-Cache" not in first
    with CaptureQueriesContext(connection) as captured:
        again = client.get(url)
    assert again["X-Api-Cache"] == "hit" and again.content == first.content and again["ETag"] == first["ETag"]
    assert not [query for query in captured.captured_queries if "catalogue_" in query["sql"]]
    # Absolute URLs follow the host the caller used: another host gets its own body.
    other = client.get(url, HTTP_HOST="localhost")
    assert other.json()["url"] == "http://localhost/api/v1/providers/jia/"
    # A change renews the body.
    provider.name = "甲殡仪馆（新址）"
    provider.save()
    fresh = client.get(url)
    assert "X-Api-Cache" not in fresh and fresh.json()["name"] == "甲殡仪馆（新址）"


def test_a_list_changes_its_etag_when_a_provider_is_published(client, provider):
    hidden = ProviderFactory(name="乙殡仪馆", slug="yi", is_published=False)
    first = client.get(PROVIDERS)
    assert client.get(PROVIDERS, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert "yi" not in [row["slug"] for row in first.json()["results"]]
    hidden.is_published = True
    hidden.save()
    after = client.get(PROVIDERS, HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200
    assert "yi" in [row["slug"] for row in after.json()["results"]]


def test_etag_depends_on_the_query(client, provider):
    assert client.get(PROVIDERS)["ETag"] != client.get(PROVIDERS, {"district": "haidian"})["ETag"]


def test_views_without_sections_get_a_body_etag(client):
    first = client.get("/api/v1/schema/")
    assert first["ETag"].startswith('"')
    assert client.get("/api/v1/schema/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


# --- CORS --------------------------------------------------------------------------------------------


def test_cors_allows_any_origin_to_read(client, provider):
    response = client.get(PROVIDERS, HTTP_ORIGIN="https://newsroom.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "ETag" in response["Access-Control-Expose-Headers"]
    assert "X-Citation" in response["Access-Control-Expose-Headers"]
    preflight = client.options(
        PROVIDERS,
        HTTP_ORIGIN="https://newsroom.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
    )
    assert preflight.status_code == 200
    assert set(preflight["Access-Control-Allow-Methods"].replace(" ", "").split(",")) == {
        "GET",
        "HEAD",
        "OPTIONS",
    }
    assert "authorization" in preflight["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in response


def test_cors_is_limited_to_the_api(client):
    response = client.get("/funeral/", HTTP_ORIGIN="https://newsroom.example")
    assert "Access-Control-Allow-Origin" not in response


# --- Throttling and API keys ----------------------------------------------------------------------------


def test_anonymous_callers_are_throttled_per_address_with_a_clear_message(client, provider, settings):
    settings.API_THROTTLE_ANON_RATE = "3/min"
    for _ in range(3):
        assert client.get(PROVIDERS).status_code == 200
    refused = client.get(PROVIDERS)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "请求过于频繁" in refused.json()["detail"] and "3/min" in refused.json()["detail"]
    assert refused["Cache-Control"] == "no-store"
    # Another address has its own allowance.
    assert client.get(PROVIDERS, REMOTE_ADDR="203.0.113.9").status_code == 200
    # In English for an English caller.
    english = client.get(PROVIDERS, HTTP_ACCEPT_LANGUAGE="en")
    assert english.status_code == 429
    assert "Too many requests" in english.json()["detail"]


@override_settings(TRUSTED_PROXIES=["10.0.0.0/8"])
def test_throttling_uses_the_real_client_address(client, provider, settings):
    settings.API_THROTTLE_ANON_RATE = "2/min"
    via_proxy = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert client.get(PROVIDERS, **via_proxy).status_code == 200
    assert client.get(PROVIDERS, **via_proxy).status_code == 200
    assert client.get(PROVIDERS, **via_proxy).status_code == 429
    # A made-up X-Forwarded-For from an untrusted peer is not believed: same client, still refused.
    spoofed = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "192.0.2.1, 198.51.100.7"}
    assert client.get(PROVIDERS, **spoofed).status_code == 429
    # Another client behind the same proxy is not.
    other = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.8"}
    assert client.get(PROVIDERS, **other).status_code == 200


def test_an_api_key_raises_the_limit(client, provider, settings):
    settings.API_THROTTLE_ANON_RATE = "2/min"
    settings.API_THROTTLE_KEY_RATE = "5/min"
    _key, raw = issue_key()
    header = {"HTTP_AUTHORIZATION": f"Api-Key {raw}"}
    for _ in range(5):
        assert client.get(PROVIDERS, **header).status_code == 200
    refused = client.get(PROVIDERS, **header)
    assert refused.status_code == 429 and "5/min" in refused.json()["detail"]
    # The key's own allowance, not the address's: anonymous calls from the same address still pass.
    assert client.get(PROVIDERS).status_code == 200
    # A key's own rate wins over the default key rate.
    _key, generous = issue_key(requests_per_minute=8)
    for _ in range(8):
        assert client.get(PROVIDERS, HTTP_AUTHORIZATION=f"Api-Key {generous}").status_code == 200
    assert client.get(PROVIDERS, HTTP_AUTHORIZATION=f"Api-Key {generous}").status_code == 429


def test_a_wrong_or_deactivated_key_is_refused_clearly(client, provider):
    key, raw = issue_key()
    assert client.get(PROVIDERS, HTTP_AUTHORIZATION="Api-Key not-a-key").status_code == 401
    key.is_active = False
    key.save()
    refused = client.get(PROVIDERS, HTTP_AUTHORIZATION=f"Api-Key {raw}")
    assert refused.status_code == 401
    assert "接口密钥无效或已停用" in refused.json()["detail"]


def test_only_the_digest_of_a_key_is_stored():
    key, raw = issue_key()
    key.refresh_from_db()
    assert raw not in key.key_hash and key.prefix == raw[:8]
    assert ApiKey.objects.for_raw_key(raw) == key


def test_bureau_admin_issues_a_key_in_the_wagtail_admin_and_sees_it_once(client):
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    add_url = reverse("api_keys:add")
    response = client.post(add_url, {"name": "新闻数据组", "holder": "某报社 010-1234", "is_active": "on"})
    assert response.status_code == 200
    key = ApiKey.objects.get(name="新闻数据组")
    raw = response.context["raw_key"]
    assert raw in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert ApiKey.objects.for_raw_key(raw) == key and key.created_by == admin
    # Never shown again: not on the list, not on the edit page.
    assert raw not in client.get(reverse("api_keys:index")).content.decode()
    assert raw not in client.get(reverse("api_keys:edit", args=[key.pk])).content.decode()


def test_only_the_bureau_may_issue_keys(client):
    client.force_login(UserFactory(is_staff=True))
    response = client.post(reverse("api_keys:add"), {"name": "x", "holder": "y", "is_active": "on"})
    assert response.status_code in (302, 403)
    assert not ApiKey.objects.exists()


def test_a_price_published_for_an_unpublished_provider_changes_nothing_public(client):
    hidden = ProviderFactory(slug="hidden", is_published=False)
    make_item(hidden, "urn", price="10")
    assert client.get(f"{PROVIDERS}hidden/").status_code == 404
