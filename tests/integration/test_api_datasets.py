"""/open-data/ (issue 19, point 5): every data set with its API endpoint, bulk downloads, licence
and update time, the new credit-lists data set, and bulk files that a task builds and stores —
never built per request — and that are streamed from disk."""

import csv
import datetime
import io
import json
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.tasks.signals import task_enqueued
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import opendata
from core.opendata_tasks import regenerate_dataset
from orgs.credit.models import ListReason, ListType
from orgs.credit.services import remove_entry
from tests.factories.cms import make_home_page
from tests.factories.credit import make_listing, officer
from tests.factories.orgs import OrganizationFactory

pytestmark = pytest.mark.django_db

CSV_URL = "/credit/open-data/lists.csv"
JSON_URL = "/credit/open-data/lists.json"


@pytest.fixture(autouse=True)
def _site(settings, tmp_path):
    settings.OPEN_DATA_ROOT = tmp_path / "open-data"
    make_home_page()


@pytest.fixture
def queued():
    """The (key, format) of every regeneration task queued during the test."""
    calls = []

    def record(sender, task_result, **kwargs):
        if task_result.task.name == regenerate_dataset.name:
            calls.append(tuple(task_result.args))

    task_enqueued.connect(record)
    yield calls
    task_enqueued.disconnect(record)


def body(response):
    assert response.status_code == 200
    assert response.streaming  # streamed from the stored file, not built in memory
    return b"".join(response.streaming_content)


def csv_rows(response):
    text = body(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def dataset_row(html, key):
    match = re.search(rf'<article data-dataset="{re.escape(key)}"[^>]*>(.*?)</article>', html, re.S)
    assert match, f"{key} is not on /open-data/"
    return match.group(1)


def listed_and_removed():
    listed = OrganizationFactory(name="北京市测试失联协会")
    make_listing(listed, listed_on=datetime.date(2025, 7, 1), reason=ListReason.UNREACHABLE)
    removed = OrganizationFactory(name="北京市测试整改协会")
    entry = make_listing(removed, listed_on=datetime.date(2024, 3, 1))
    remove_entry(
        entry,
        removal_reason="fixed",
        removed_on=datetime.date(2024, 9, 1),
        document_number="京民移〔2024〕1号",
        user=officer(),
        note="内部说明：已电话回访",
    )
    return listed, removed


def test_open_data_lists_every_dataset_with_its_api_downloads_licence_and_update_time(client):
    listed_and_removed()
    html = client.get("/open-data/").content.decode()
    for dataset in opendata.datasets():
        row = dataset_row(html, dataset.key)
        assert str(dataset.title) in row and dataset.licence in row
        for url_name in dataset.formats.values():
            assert f'href="{reverse(url_name)}"' in row
        if dataset.api:
            assert f'href="{reverse(dataset.api)}"' in row
    credit = dataset_row(html, "credit-lists")
    assert "社会组织信用名录" in credit and 'href="/api/v1/credit/"' in credit
    assert "尚未生成" in credit and "更新于" not in credit
    body(client.get(CSV_URL))
    # The regenerated file's time shows at once (the index's cached copy is replaced).
    credit = dataset_row(client.get("/open-data/").content.decode(), "credit-lists")
    manifest = opendata.read_manifest("credit-lists", "csv")
    assert f"更新于 {manifest['generated_at']:%Y-%m-%d %H:%M}" in credit
    # Every data set registered with an API endpoint names one the API really serves.
    for dataset in opendata.datasets():
        if dataset.api:
            assert client.get(reverse(dataset.api)).status_code == 200, dataset.key


def test_s5_s6_credit_lists_data_set_has_each_entry_with_reason_dates_and_documents(client):
    listed, removed = listed_and_removed()
    rows = csv_rows(client.get(CSV_URL))
    header, entries = rows[0], rows[1:]
    assert header[:4] == ["统一社会信用代码", "社会组织", "名录", "列入事由"]
    by_uscc = {row[0]: dict(zip(header, row, strict=True)) for row in entries}
    assert by_uscc[listed.uscc]["列入事由"] == str(ListReason.UNREACHABLE.label)
    assert by_uscc[listed.uscc]["列入日期"] == "2025-07-01"
    assert by_uscc[listed.uscc]["状态"] == "在列"
    assert by_uscc[removed.uscc]["移出日期"] == "2024-09-01"
    assert by_uscc[removed.uscc]["移出决定书文号"] == "京民移〔2024〕1号"
    data = json.loads(body(client.get(JSON_URL)))
    assert data["meta"]["licence"] == opendata.LICENCE
    records = {r["uscc"]: r for r in data["records"]}
    assert records[listed.uscc]["list_type"] == str(ListType.ABNORMAL.label)
    assert records[removed.uscc]["removed_on"] == "2024-09-01"
    # Internal notes and who listed or removed an entry are not open data.
    for text in (json.dumps(data, ensure_ascii=False), "".join(",".join(r) for r in rows)):
        assert "内部说明" not in text and "listed_by" not in text


def test_credit_lists_csv_is_safe_to_open_in_a_spreadsheet(client):
    hostile = OrganizationFactory(name='=HYPERLINK("http://evil.example","点此")')
    make_listing(hostile, listed_on=datetime.date(2025, 7, 1))
    values = [cell for row in csv_rows(client.get(CSV_URL)) for cell in row]
    assert "'" + hostile.name in values and hostile.name not in values
    records = json.loads(body(client.get(JSON_URL)))["records"]
    assert records[0]["organization"] == hostile.name  # JSON is data, written as it is


def test_a_bulk_file_is_built_by_the_task_stored_and_not_rebuilt_per_request(client, queued):
    listed, _removed = listed_and_removed()
    first = client.get(CSV_URL)
    assert queued == [("credit-lists", "csv")]  # the request queued the task; it built the file
    first_body = body(first)
    stored = opendata.read_manifest("credit-lists", "csv")
    assert stored["sha256"] and first["ETag"] == f'"{stored["sha256"][:32]}"'
    with CaptureQueriesContext(connection) as queries:
        again = client.get(CSV_URL)
        assert body(again) == first_body
    # Served from the stored file: no query reads the credit lists, and no task was queued.
    assert not [q for q in queries.captured_queries if "credit_listentry" in q["sql"]]
    assert queued == [("credit-lists", "csv")]
    assert again["Last-Modified"] == first["Last-Modified"]
    # A change makes the file out of date: the next request queues the task once, which rebuilds it.
    make_listing(OrganizationFactory(name="北京市测试新列入协会"), listed_on=datetime.date(2025, 8, 1))
    assert "北京市测试新列入协会" in body(client.get(CSV_URL)).decode()
    assert queued == [("credit-lists", "csv")] * 2


def test_a_file_not_yet_generated_answers_503_until_the_worker_has_built_it(client, settings, queued):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    settings.OPEN_DATA_RETRY_AFTER_SECONDS = 45
    listed_and_removed()
    waiting = client.get(CSV_URL)
    assert waiting.status_code == 503 and waiting["Retry-After"] == "45"
    assert "正在生成" in waiting.content.decode()
    assert client.get(CSV_URL).status_code == 503
    assert queued == [("credit-lists", "csv")]  # queued once, not once per request
    regenerate_dataset.call("credit-lists", "csv")  # what the worker runs
    assert any("北京市测试失联协会" in ",".join(row) for row in csv_rows(client.get(CSV_URL)))


def test_regenerate_open_data_command_builds_every_stored_file(client):
    listed_and_removed()
    out = io.StringIO()
    call_command("regenerate_open_data", "--now", stdout=out)
    keys = opendata.stored_keys()
    assert ("credit-lists", "csv") in keys and ("social-organisations", "json") in keys
    assert ("charity-donations", "csv") in keys and ("funeral-price-history", "csv") in keys
    for key, fmt in keys:
        manifest = opendata.read_manifest(key, fmt)
        assert manifest is not None and manifest["size"] > 0, (key, fmt)
        assert f"{key}.{fmt}:" in out.getvalue()
    with pytest.raises(Exception, match="unknown data set"):
        call_command("regenerate_open_data", "--key", "no-such-data", stdout=out)
