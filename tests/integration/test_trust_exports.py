"""Exports are safe to open in Excel and WPS (issue 12, point 7).

A text cell that a spreadsheet would run as a formula (it starts with = + - @, a tab or a
carriage return) is written with a leading apostrophe in every CSV the platform serves;
numbers, negative ones included, stay numbers, and the JSON data sets are unchanged."""

import csv
import io
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from core.opendata import safe_cell, safe_row
from tests.factories.catalogue import ProviderFactory, make_item
from tests.factories.charity import CharityFactory, CharityProjectFactory, DonationFactory, ExpenditureFactory
from tests.factories.orgs import OrganizationFactory

pytestmark = pytest.mark.django_db

PAYLOADS = ['=HYPERLINK("http://x","y")', "@SUM(1)", "+1", "-1+2"]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


@pytest.fixture
def hostile_names():
    """Providers, items, organisations, projects, donors and spending named like formulas,
    and a negative amount (a refund) of -60.00."""
    codes = ["urn", "collection", "cosmetic", "farewell"]
    provider = ProviderFactory(name=PAYLOADS[0], slug="hostile")
    for code, payload in zip(codes, PAYLOADS, strict=True):
        make_item(provider, code, name=payload, price="100.00")
        charity = CharityFactory(name=payload, legal_representative=payload)
        project = CharityProjectFactory(organization=charity, name=payload)
        DonationFactory(project=project, donor_name=payload)
        ExpenditureFactory(project=project, purpose=payload)
    OrganizationFactory(name="普通的社会组织", domicile="-东城区（以减号开头的地址）")
    DonationFactory(donor_name="退款更正", amount=Decimal("-60.00"))
    return provider


CSV_URLS = [
    ("catalogue:prices_csv", {"slug": "hostile"}),
    ("catalogue:open_prices_csv", {}),
    ("catalogue:open_history_csv", {}),
    ("registry:export_csv", {}),
    ("charity:projects_csv", {}),
    ("charity:donations_csv", {}),
    ("charity:expenditures_csv", {}),
]


def cells(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = body.decode("utf-8")
    assert text.startswith("\ufeff")
    return [cell for row in csv.reader(io.StringIO(text[1:])) for cell in row]


@pytest.mark.parametrize(("url_name", "kwargs"), CSV_URLS, ids=[name for name, _kwargs in CSV_URLS])
def test_csv_exports_neutralise_formulas(client, hostile_names, url_name, kwargs):
    response = client.get(reverse(url_name, kwargs=kwargs))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    values = cells(response)
    # Every hostile name is there, as text a spreadsheet shows and does not run.
    for payload in PAYLOADS:
        assert "'" + payload in values, (payload, url_name)
    live = [v for v in values if v.startswith(TRIGGERS) and not PLAIN_NUMBER.fullmatch(v)]
    assert live == []
    if url_name == "charity:donations_csv":
        assert "-60.00" in values and "'-60.00" not in values
    if url_name == "registry:export_csv":
        assert "'-东城区（以减号开头的地址）" in values


def test_json_data_sets_are_unchanged(client, hostile_names):
    body = b"".join(client.get(reverse("charity:donations_json")).streaming_content)
    donors = {record["donor"] for record in json.loads(body)["records"]}
    assert set(PAYLOADS) <= donors
    amounts = {record["amount"] for record in json.loads(body)["records"]}
    assert "-60.00" in amounts
    registry = b"".join(client.get(reverse("registry:export_json")).streaming_content)  # stored, streamed
    organizations = json.loads(registry)["organizations"]
    assert set(PAYLOADS) <= {org["name"] for org in organizations}


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("@SUM(1)", "'@SUM(1)"),
        ("+1", "'+1"),
        ("-1+2", "'-1+2"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("  =1", "'  =1"),
        ("＝1+1", "'＝1+1"),  # full-width, as a Chinese input method types it
        ("-60.00", "-60.00"),
        ("-12", "-12"),
        ("12.50", "12.50"),
        ("2026-03-01", "2026-03-01"),
        ("北京市民政局", "北京市民政局"),
        ("", ""),
        (Decimal("-60.00"), Decimal("-60.00")),
        (-3, -3),
        (-1.5, -1.5),
        (True, True),
        (None, None),
    ],
)
def test_safe_cell(value, written):
    assert safe_cell(value) == written


def test_safe_row_keeps_order_and_numbers():
    assert safe_row(["=1", Decimal("-1.00"), "甲"]) == ["'=1", Decimal("-1.00"), "甲"]


def test_import_template_is_written_through_the_same_helper(client):
    from orgs.charity.imports import DONATIONS, template_csv

    text = template_csv(DONATIONS)
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == list(DONATIONS.headers) and rows[1][4] == "500.00"
