"""Two web nodes, one database and one bucket (issue 22, point 1): a file uploaded through
node A is downloaded through node B, a contract signed and sealed on node A is downloaded and
verified through node B, and a price published through node A shows on node B's next page,
though node B had the page in the shared cache.

Two gunicorn processes on two free ports serve the same PostgreSQL test database and the same
bucket of the moto S3 server (``tests/s3_server.py``), each with file directories of its own
that stay empty: nothing a request needs is on one node's disk. SQLite's test database lives
in this process's memory, so the test needs PostgreSQL (``make test``)."""

import datetime
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from core import sealing
from orgs.credit.models import Objection
from tests.factories.catalogue import ProviderFactory, make_item, make_member
from tests.factories.credit import make_record
from tests.factories.orders import FAMILY_NAME, STAFF_NAME, Scenario, family_user
from tests.factories.orgs import MembershipFactory, pdf_bytes
from tests.s3_server import free_port, moto_s3, s3_storages  # noqa: F401 - the fixtures

ROOT = Path(settings.BASE_DIR)

pytestmark = pytest.mark.django_db(transaction=True)


def database_url():
    if connection.vendor != "postgresql":
        pytest.skip("two gunicorn nodes need a database server: SQLite's test database is in this process")
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def start_node(name, port, environment, directory):
    """``gunicorn config.wsgi`` with the development settings, the shared database and bucket,
    and its own (empty) file directories."""
    own = directory / name
    env = {
        **environment,
        "MEDIA_ROOT": str(own / "media"),
        "PRIVATE_ROOT": str(own / "private"),
        "OPEN_DATA_ROOT": str(own / "open-data"),
        "PORT": str(port),
    }
    log = open(directory / f"{name}.log", "wb")  # noqa: SIM115 - closed when the node stops
    process = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1", "config.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    return process, log, own


def wait_until_up(base_url, process, log_path, seconds=180):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{base_url} exited: {Path(log_path).read_text(errors='replace')[-3000:]}")
        try:
            # The first request loads Django in the worker: give it time on a busy machine.
            if requests.get(f"{base_url}/healthz", timeout=30).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{base_url} did not start: {Path(log_path).read_text(errors='replace')[-3000:]}")


@pytest.fixture
def two_nodes(s3_storages, tmp_path):  # noqa: F811
    if "faketime" in os.environ.get("LD_PRELOAD", ""):
        # `make test-future`: gunicorn's workers can't run under libfaketime (its sleeps fail
        # with EINVAL), and running them on the real clock would put them a year away from this
        # test's rows. Nothing here depends on the date; `make test` runs it on the real clock.
        pytest.skip("gunicorn nodes can't run under libfaketime (make test runs this test)")
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "S3_"))}
    environment.update(
        DATABASE_URL=database_url(),
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DEBUG="false",
        PLATFORM_KEYS_DIR=str(settings.PLATFORM_KEYS_DIR),
        **s3_storages.server.settings_environment(s3_storages.bucket),
    )
    # The development settings' database cache (base.CACHES); the test settings use locmem.
    call_command("createcachetable", "platform_cache", verbosity=0)
    nodes = {}
    try:
        for name in ("node-a", "node-b"):
            port = free_port()
            process, log, own = start_node(name, port, environment, tmp_path)
            nodes[name] = (f"http://127.0.0.1:{port}", process, log, own)
        for name, (base_url, process, _log, _own) in nodes.items():
            wait_until_up(base_url, process, tmp_path / f"{name}.log")
        yield {name: (base_url, own) for name, (base_url, _process, _log, own) in nodes.items()}
    finally:
        for _base_url, process, log, _own in nodes.values():
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()


def signed_in(user):
    """A browser session of ``user``: the session lives in the shared database."""
    client = Client()
    client.force_login(user)
    browser = requests.Session()
    browser.cookies.set("sessionid", client.cookies[settings.SESSION_COOKIE_NAME].value)
    return browser


def test_a_file_uploaded_through_node_a_is_downloaded_through_node_b(two_nodes, s3_storages):  # noqa: F811
    (node_a, disk_a), (node_b, disk_b) = two_nodes["node-a"], two_nodes["node-b"]
    member = MembershipFactory()
    record = make_record(member.organization, summary="结论：不合格")
    uscc = member.organization.uscc
    browser = signed_in(member.user)

    form_url = f"{node_a}/workbench/credit/{uscc}/records/{record.pk}/objection/"
    form = browser.get(form_url, timeout=30)
    assert form.status_code == 200, form.text[:2000]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    data = pdf_bytes("两个节点")
    posted = browser.post(
        form_url,
        data={"csrfmiddlewaretoken": token, "grounds": "结论应为基本合格"},
        files={"evidence": ("理事会纪要.pdf", data, "application/pdf")},
        headers={"Referer": form_url},
        allow_redirects=False,
        timeout=30,
    )
    assert posted.status_code == 302, posted.text[:2000]

    objection = Objection.objects.get(record=record)
    assert s3_storages.read(f"private/{objection.evidence.name}") == data
    path = f"/workbench/credit/{uscc}/objections/{objection.pk}/evidence/"
    download = browser.get(f"{node_b}{path}", timeout=30)
    assert download.status_code == 200 and download.content == data
    assert download.headers["Content-Disposition"].startswith("attachment")
    # Node B checks the permission too: another organisation's staff get 404 there.
    assert signed_in(MembershipFactory().user).get(f"{node_b}{path}", timeout=30).status_code == 404
    # Neither node kept the file: it is only in the bucket.
    kept = [path for disk in (disk_a, disk_b) if disk.exists() for path in disk.rglob("*") if path.is_file()]
    assert kept == []


def test_a_price_published_through_node_a_shows_on_node_b_at_once(two_nodes):
    """Node B had the provider's page in the shared page cache; a price published through node A
    gives the page a new version, so node B's next visitor sees it (F1: every price public)."""
    (node_a, _disk_a), (node_b, _disk_b) = two_nodes["node-a"], two_nodes["node-b"]
    provider = ProviderFactory(name="甲殡仪馆", slug="jia")
    item = make_item(provider, "urn", name="甲骨灰盒", price="100")
    staff = make_member(provider)
    page_url = f"{node_b}/funeral/providers/jia/"
    visitor = requests.Session()
    first = visitor.get(page_url, timeout=30)
    assert first.status_code == 200 and "甲骨灰盒" in first.text and "¥120.00" not in first.text
    assert visitor.get(page_url, timeout=30).headers.get("X-Page-Cache") == "hit"

    browser = signed_in(staff)
    form_url = f"{node_a}/workbench/funeral/items/{item.pk}/price/"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', browser.get(form_url, timeout=30).text)
    latest = item.versions.order_by("-id").first()
    posted = browser.post(
        form_url,
        data={
            "csrfmiddlewaretoken": token.group(1),
            "price": "120",
            "effective_from": (timezone.localdate() + datetime.timedelta(days=10)).isoformat(),
            "reason_code": "costs",
            "reason": "成本上涨",
            "seen_version": str(latest.pk),
        },
        headers={"Referer": form_url},
        allow_redirects=False,
        timeout=30,
    )
    assert posted.status_code == 302, posted.text[:2000]

    after = requests.get(page_url, timeout=30)
    assert after.headers.get("X-Page-Cache") != "hit"
    assert "¥120.00" in after.text and "成本上涨" in after.text


def sms_code_in(log_path, offset, timeout=15):
    """The one-time code node's development SMS backend printed after ``offset`` of its log."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open(log_path, "rb") as log:
            log.seek(offset)
            found = re.findall(r"验证码\D{0,4}(\d{6})", log.read().decode(errors="replace"))
        if found:
            return found[-1]
        time.sleep(0.1)
    raise AssertionError(f"no code in {log_path}")


def sign_through(node, log_path, browser, path, name):
    """Sign a contract on ``node`` as a browser does: ask for a code by SMS, then sign."""
    url = f"{node}{path}"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', browser.get(url, timeout=30).text).group(
        1
    )
    offset = log_path.stat().st_size
    sent = browser.post(
        url,
        data={"csrfmiddlewaretoken": token, "action": "send_code"},
        headers={"Referer": url},
        allow_redirects=False,
        timeout=30,
    )
    assert sent.status_code in (200, 302), sent.text[:2000]
    code = sms_code_in(log_path, offset)
    page = browser.get(url, timeout=30).text
    signed = browser.post(
        url,
        data={
            "csrfmiddlewaretoken": re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1),
            "action": "sign",
            "shown_sha256": re.search(r'name="shown_sha256" value="([0-9a-f]{64})"', page).group(1),
            "full_name": name,
            "code": code,
            "consent": "on",
        },
        headers={"Referer": url},
        allow_redirects=False,
        timeout=30,
    )
    assert signed.status_code == 302, signed.text[:2000]


def test_a_contract_sealed_through_node_a_is_downloaded_and_verified_through_node_b(
    two_nodes,
    s3_storages,  # noqa: F811
    tmp_path,
):
    """Both parties sign on node A (codes by SMS, the seal made there); the sealed PDF is only in
    the bucket, and node B serves it after its own permission check and hash check."""
    (node_a, disk_a), (node_b, disk_b) = two_nodes["node-a"], two_nodes["node-b"]
    scenario = Scenario()
    scenario.advance("contract_issued")
    ref = scenario.order.reference
    log_a = tmp_path / "node-a.log"
    sign_through(node_a, log_a, signed_in(scenario.family), f"/orders/{ref}/contract/sign/", FAMILY_NAME)
    sign_through(
        node_a,
        log_a,
        signed_in(scenario.staff),
        f"/workbench/funeral/orders/{ref}/contract/sign/",
        STAFF_NAME,
    )
    contract = scenario.refresh().contract
    assert contract.status == "sealed"

    download = signed_in(scenario.family).get(f"{node_b}/orders/{ref}/contract/sealed.pdf", timeout=30)
    assert download.status_code == 200
    assert sealing.sha256(download.content) == contract.sealed_sha256
    assert sealing.verify_pdf(download.content).ok
    # Another family gets nothing from node B; the document is in the bucket only.
    stranger = signed_in(family_user())
    assert stranger.get(f"{node_b}/orders/{ref}/contract/sealed.pdf", timeout=30).status_code == 404
    assert s3_storages.read(f"private/{contract.sealed_document.file.name}") == download.content
    kept = [path for disk in (disk_a, disk_b) if disk.exists() for path in disk.rglob("*") if path.is_file()]
    assert kept == []
