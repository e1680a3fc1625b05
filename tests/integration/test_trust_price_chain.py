"""Issue 12, points 5 and 8 (prices): anchored price chains and optimistic locking of price edits."""

import base64
import datetime
import io
import json
import re
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from core import sealing
from core.models import EarlyWarning, SecurityEvent
from marketplace.catalogue import anchoring, services
from marketplace.catalogue.models import ChainHeads, PriceVersion
from tests.factories.catalogue import ProviderFactory, make_item, make_member

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def announce(item, price, micro):
    """Publish a price announced at a moment with sub-millisecond digits (as timezone.now() is)."""
    when = timezone.now().replace(microsecond=micro)
    return services.publish_price(
        item, price=Decimal(price), effective_from=timezone.localdate(when), reason="调价", announced_at=when
    )


@pytest.fixture
def chains():
    """Two providers with a few versions each."""
    a = ProviderFactory(name="甲殡仪馆", slug="jia")
    b = ProviderFactory(name="乙殡仪馆", slug="yi")
    a_urn = make_item(a, "urn", price="100")
    make_item(a, "wreath", price="50")
    b_urn = make_item(b, "urn", price="200")
    announce(a_urn, "120", 123456)
    announce(b_urn, "210", 654321)
    return a, b, a_urn, b_urn


def rewrite_chain(provider, version, **changes):
    """What someone with database access could do: change a version and recompute the
    provider's whole chain consistently, bypassing save() and the append-only queryset."""
    for name, value in changes.items():
        setattr(version, name, value)
    previous_hash = ""
    rows = list(PriceVersion.objects.filter(provider=provider).order_by("sequence"))
    with connection.cursor() as cursor:
        for row in rows:
            if row.pk == version.pk:
                row = version
            row.previous_hash = previous_hash
            row.chain_hash = row.compute_hash()
            previous_hash = row.chain_hash
            cursor.execute(
                "UPDATE catalogue_priceversion SET price = %s, previous_hash = %s, chain_hash = %s WHERE id = %s",
                [str(row.price), row.previous_hash, row.chain_hash, row.pk],
            )


def test_rewritten_chain_is_caught_by_published_head(client, chains):
    a, b, a_urn, _b_urn = chains
    record, created = anchoring.publish_chain_heads()
    assert created and record.chain_count == 2
    assert services.verify_chain() == []

    target = a_urn.versions.order_by("-sequence").first()
    rewrite_chain(a, target, price=Decimal("99.00"))
    # The rewritten chain is self-consistent: without the anchor it would pass.
    assert services.verify_chain(check_heads=False) == []
    problems = services.verify_chain()
    assert {(p.provider_id, p.problem) for p in problems} == {(a.pk, "head_mismatch")}

    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_price_chain", stdout=out)
    assert "jia" in out.getvalue() and "已公示的链头不符" in out.getvalue() and "yi" not in out.getvalue()
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.PRICE_CHAIN_BROKEN)
    assert event.object_id == str(a.pk)
    warning = EarlyWarning.objects.open().get(kind="catalogue.price_chain")
    assert warning.object_id == str(a.pk) and "甲殡仪馆" in warning.reason


def test_rewrite_after_the_head_is_not_anchored_but_a_truncated_chain_is(chains):
    a, _b, a_urn, _b_urn = chains
    anchoring.publish_chain_heads()
    head = a_urn.versions.order_by("-sequence").first()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM catalogue_priceversion WHERE id = %s", [head.pk])
    assert (a.pk, "head_missing") in {(p.provider_id, p.problem) for p in services.verify_chain()}


def test_chain_heads_record_signature_verifies(client, chains):
    record, _ = anchoring.publish_chain_heads()
    assert anchoring.record_signature_ok(record)
    # What a member of the public downloads verifies with the published certificate alone.
    day = record.day.isoformat()
    payload = client.get(f"/funeral/chain-heads/{day}.json").content
    signature = client.get(f"/funeral/chain-heads/{day}.sig").content
    certificate = client.get(f"/funeral/chain-heads/{day}.pem").content
    assert sealing.verify_detached(payload, signature, certificate)
    heads = {head["slug"]: head for head in json.loads(payload)["heads"]}
    a, b, a_urn, _ = chains
    last = PriceVersion.objects.filter(provider=a).order_by("-sequence").first()
    assert heads["jia"] == {
        "provider": a.pk,
        "slug": "jia",
        "count": last.sequence,
        "chain_hash": last.chain_hash,
    }
    # Listed on the public page and in the open data.
    page = client.get("/funeral/chain-heads/").content.decode()
    assert day in page and record.payload_sha256 in page
    index = b"".join(client.get("/funeral/chain-heads/index.json").streaming_content)
    assert json.loads(index)["records"][0]["payload_sha256"] == record.payload_sha256
    assert "/funeral/chain-heads/index.json" in client.get("/open-data/").content.decode()


def test_tampered_chain_heads_record_fails(chains):
    a, *_ = chains
    record, _ = anchoring.publish_chain_heads()
    data = json.loads(record.payload)
    data["heads"][0]["chain_hash"] = "0" * 64
    forged = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    with connection.cursor() as cursor:
        cursor.execute("UPDATE catalogue_chainheads SET payload = %s WHERE id = %s", [forged, record.pk])
    stored = ChainHeads.objects.get(pk=record.pk)
    assert not anchoring.record_signature_ok(stored)
    assert not sealing.verify_detached(
        stored.payload_bytes(), stored.signature_bytes(), stored.certificate.encode()
    )
    assert [p.problem for p in services.verify_chain()] == ["signature"]
    # A signature over different bytes, or a certificate the platform root did not issue, fails too.
    assert not sealing.verify_detached(b"{}", stored.signature_bytes())
    assert not sealing.verify_detached(record.payload_bytes(), base64.b64decode(record.signature)[::-1])


def test_publishing_chain_heads_is_idempotent_per_day_and_linked(chains):
    out = io.StringIO()
    call_command("publish_price_chain_heads", stdout=out)
    call_command("publish_price_chain_heads", stdout=out)
    assert ChainHeads.objects.count() == 1 and "未重复公示" in out.getvalue()
    first = ChainHeads.objects.get()
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    second, created = anchoring.publish_chain_heads(now=tomorrow)
    assert created and second.previous_sha256 == first.payload_sha256
    assert json.loads(second.payload)["previous_sha256"] == first.payload_sha256
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM catalogue_chainheads WHERE id = %s", [first.pk])
    assert [p.problem for p in services.verify_chain()] == ["record_link"]


def test_broken_chain_is_not_anchored(chains):
    a, b, a_urn, _ = chains
    version = a_urn.versions.order_by("-sequence").first()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE catalogue_priceversion SET price = %s WHERE id = %s", ["1.00", version.pk])
    record, _ = anchoring.publish_chain_heads()
    data = json.loads(record.payload)
    assert [head["provider"] for head in data["heads"]] == [b.pk] and data["unverified"] == [a.pk]


def test_chain_survives_dumpdata_loaddata_round_trip(tmp_path, chains):
    assert any(v.announced_at.microsecond % 1000 for v in PriceVersion.objects.all())
    anchoring.publish_chain_heads()
    fixture = tmp_path / "prices.json"
    call_command("dumpdata", "catalogue.priceversion", output=str(fixture), verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM catalogue_priceversion")
    assert not PriceVersion.objects.exists()
    call_command("loaddata", str(fixture), verbosity=0)
    assert PriceVersion.objects.count() == 5
    assert not any(v.announced_at.microsecond % 1000 for v in PriceVersion.objects.all())
    assert services.verify_chain() == []


def test_migration_rehash_recomputes_only_intact_v1_chains(chains):
    """The data migration's functions, applied to chains hashed under v1."""
    import importlib

    migration = importlib.import_module("marketplace.catalogue.migrations.0004_anchored_price_chains")
    a, b, a_urn, _b_urn = chains
    # Put every chain back to the v1 scheme, then alter one row of b's chain.
    for provider in (a, b):
        previous = ""
        for version in PriceVersion.objects.filter(provider=provider).order_by("sequence"):
            version.previous_hash = previous
            version.chain_hash = migration._v1(version)
            previous = version.chain_hash
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE catalogue_priceversion SET previous_hash = %s, chain_hash = %s WHERE id = %s",
                    [version.previous_hash, version.chain_hash, version.pk],
                )
    tampered = PriceVersion.objects.filter(provider=b).order_by("sequence").first()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE catalogue_priceversion SET price = %s WHERE id = %s", ["1.00", tampered.pk])
    assert {p.provider_id for p in services.verify_chain()} == {a.pk, b.pk}

    from django.db.migrations.loader import MigrationLoader

    state = MigrationLoader(connection).project_state(("catalogue", "0004_anchored_price_chains"))
    migration.rehash(state.apps, None)
    from marketplace.catalogue.models import ChainRehash

    note = ChainRehash.objects.get()
    assert note.scheme_from == "v1" and note.scheme_to == "v2" and note.chains == 1
    assert note.skipped == [{"provider": b.pk, "count": 2}]
    assert set(note.heads) == {str(a.pk)}
    # a's chain is now valid under v2; b's stays reported.
    assert {p.provider_id for p in services.verify_chain()} == {b.pk}


# --- Optimistic locking of price edits (point 8) -------------------------------------------------


def seen_version(html):
    match = re.search(r'name="seen_version" value="(\d*)"', html)
    assert match, "the price form carries the version it was rendered with"
    return match.group(1)


def test_price_edit_with_stale_version_is_refused_keeping_input(client):
    provider = ProviderFactory(slug="bing")
    item = make_item(provider, "urn", price="100")
    first_editor, second_editor = make_member(provider), make_member(provider)
    url = f"/workbench/funeral/items/{item.pk}/price/"

    client.force_login(first_editor)
    first_form = client.get(url).content.decode()
    first_seen = seen_version(first_form)

    other = type(client)()
    other.force_login(second_editor)
    second_seen = seen_version(other.get(url).content.decode())
    day = TODAY().isoformat()
    response = other.post(
        url,
        {
            "price": "130",
            "effective_from": day,
            "reason_code": "costs",
            "reason": "成本上涨",
            "seen_version": second_seen,
        },
    )
    assert response.status_code == 302
    winner = services.latest_version(item)
    assert winner.price == Decimal("130.00")

    response = client.post(
        url,
        {
            "price": "125.50",
            "effective_from": day,
            "reason_code": "correction",
            "reason": "我方核价",
            "seen_version": first_seen,
        },
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "在您编辑期间，该项目的价格已被他人更新为 ¥130.00" in html
    assert 'value="125.50"' in html and "我方核价" in html and f'value="{day}"' in html
    assert item.versions.count() == 2 and services.latest_version(item) == winner
    # The form is now based on the price in force: resubmitting is a deliberate change of it.
    assert seen_version(html) == str(winner.pk)
    response = client.post(
        url,
        {
            "price": "125.50",
            "effective_from": day,
            "reason_code": "correction",
            "reason": "我方核价",
            "seen_version": seen_version(html),
        },
    )
    assert response.status_code == 302 and services.latest_version(item).price == Decimal("125.50")
    assert services.verify_chain() == []


def test_stale_price_message_is_translated(client):
    provider = ProviderFactory()
    item = make_item(provider, "urn", price="100")
    editor = make_member(provider)
    client.force_login(editor)
    day = TODAY().isoformat()
    response = client.post(
        f"/en/workbench/funeral/items/{item.pk}/price/",
        {"price": "120", "effective_from": day, "reason_code": "other", "reason": "x", "seen_version": ""},
    )
    assert response.status_code == 409
    assert "changed while you were editing" in response.content.decode()


def test_publish_price_refuses_a_stale_expected_version():
    provider = ProviderFactory()
    item = make_item(provider, "urn", price="100")
    seen = services.latest_version(item)
    services.publish_price(
        item, price=Decimal("110"), effective_from=TODAY(), reason="a", expected_version=seen.pk
    )
    with pytest.raises(services.StalePriceError) as error:
        services.publish_price(
            item, price=Decimal("120"), effective_from=TODAY(), reason="b", expected_version=seen.pk
        )
    assert error.value.code == "stale_version" and error.value.current.price == Decimal("110.00")
    assert item.versions.count() == 2
