"""The mixed load of issue 22, part 5: what a crowd does on the platform, by weight.

Journeys (a locust task is one journey; the weights are the issue's):

- 60 browsing the catalogue: ``/funeral/`` (plain and filtered), a provider page, a compare of
  three providers, ``/funeral/packages/``;
- 15 the registry, credit and charity lookups: ``/orgs/``, an organisation profile, ``/credit/?q=``,
  ``/credit/<uscc>/``, ``/charity/``, a project page;
- 10 search: ``/search/?q=`` with common words, pinyin and a USCC;
- 5 a family quotes and orders: the quote builder (POST, saves the quote), the order form, the
  check page, "确认下单";
- 5 an organisation files: its annual report draft in the workbench, saved with new text, and
  every other time with a new audit report PDF uploaded (to the private store: the S3 bucket);
- 5 giving through the payment simulator: the donate form, the checkout page, "去支付宝付款",
  the simulator's cashier, "确认付款", and the platform's return page saying 付款成功.

A visitor reads the public pages anonymously and makes its write journeys in a second,
signed-in session (two cookie jars), so the anonymous reads go to the replica as in production
and the writes and the signed-in pages to the primary.

Everything goes through forms as a browser sends them: the CSRF token is read from the form page
and every field the form renders (hidden ones included) is sent back. Writers sign in with their
mobile number and password through ``/accounts/login/`` (accounts made by ``run.py``).

Every reference the server hands back to a writer is appended to ``LOAD_TOLD_FILE`` (JSON lines)
for ``consistency.py``. ``LOAD_DATA_FILE`` (written by ``run.py``) holds the URLs' ingredients
and the accounts. Install locust with ``.venv/bin/pip install locust``; ``run.py`` runs this file.
"""

import hashlib
import io
import itertools
import json
import os
import random
import re
import time
import uuid
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from locust import HttpUser, between, events, task
from locust.clients import HttpSession

DATA = json.loads(Path(os.environ["LOAD_DATA_FILE"]).read_text(encoding="utf-8"))
TOLD_FILE = os.environ["LOAD_TOLD_FILE"]
# Every request: wall-clock time, name, milliseconds, ok (for the per-kind percentiles and the
# failover window, which locust's CSV has no times for).
REQUESTS_FILE = os.environ.get("LOAD_REQUESTS_FILE")
_accounts = itertools.count()


def tell(**record):
    """One line of what a client was told (appended at once: a crash loses nothing told)."""
    record["at"] = time.time()
    with open(TOLD_FILE, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")


@events.request.add_listener
def record(request_type, name, response_time, exception, **_kwargs):
    if REQUESTS_FILE:
        with open(REQUESTS_FILE, "a", encoding="utf-8") as handle:
            handle.write(json.dumps([time.time(), name, round(response_time, 1), exception is None]) + "\n")


class FormParser(HTMLParser):
    """The forms of a page: action, method and the fields a browser would submit."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self.form, self.select, self.textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.form = {
                "action": attrs.get("action") or "",
                "method": (attrs.get("method") or "get").lower(),
                "fields": [],
                "buttons": [],
                "text": "",
            }
            self.forms.append(self.form)
        elif self.form is None:
            return
        elif tag == "input":
            kind = (attrs.get("type") or "text").lower()
            name = attrs.get("name")
            if kind == "submit":
                self.form["buttons"].append((name, attrs.get("value", "")))
            elif (
                name and (kind not in ("checkbox", "radio") or "checked" in attrs) and "disabled" not in attrs
            ) and kind != "file":
                self.form["fields"].append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "button" and (attrs.get("type") or "submit") == "submit":
            self.form["buttons"].append((attrs.get("name"), attrs.get("value", "")))
        elif tag == "select" and "disabled" not in attrs:
            self.select = {"name": attrs.get("name"), "value": None, "first": None}
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            if self.select["first"] is None:
                self.select["first"] = value
            if "selected" in attrs:
                self.select["value"] = value
        elif tag == "textarea" and "disabled" not in attrs:
            self.textarea = {"name": attrs.get("name"), "value": ""}

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea["value"] += data
        if self.form is not None:
            self.form["text"] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select" and self.select is not None:
            if self.form is not None and self.select["name"]:
                value = self.select["value"] if self.select["value"] is not None else self.select["first"]
                self.form["fields"].append((self.select["name"], value or ""))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            if self.form is not None and self.textarea["name"]:
                value = self.textarea["value"]
                self.form["fields"].append(
                    (self.textarea["name"], value[1:] if value.startswith("\n") else value)
                )
            self.textarea = None


def form_on(html, contains):
    """The form whose text (a button's label, a heading inside it) contains ``contains``."""
    parser = FormParser()
    parser.feed(html)
    for form in parser.forms:
        if contains in form["text"] or any(contains == value for _name, value in form["buttons"]):
            return form
    return None


def fill(form, overrides=(), drop=()):
    """The form's fields as a list of pairs, with ``overrides`` (name -> value or list) applied."""
    overrides = dict(overrides)
    pairs = [(name, value) for name, value in form["fields"] if name not in overrides and name not in drop]
    for name, value in overrides.items():
        for one in value if isinstance(value, list) else [value]:
            pairs.append((name, one))
    return pairs


def id_number(first17):
    """A resident ID number with its GB 11643 check character."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(digit) * weight for digit, weight in zip(first17, weights, strict=True))
    return first17 + "10X98765432"[total % 11]


def audit_report_pdf(marker):
    """A real one-page PDF (the upload check opens it), different for every ``marker``."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": "审计报告（压测）", "/Subject": marker})
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def relative(url):
    """The path and query of an absolute URL (a form without ``action`` posts back to it)."""
    parts = urlsplit(url)
    return parts.path + ("?" + parts.query if parts.query else "")


def messages_of(html):
    """The text of the page's flash messages and error summary (for a failure's report)."""
    chunks = re.findall(r'class="(?:messages|error-summary)[^"]*"[^>]*>(.*?)</(?:ul|div)>', html, re.S)
    text = " ".join(unescape(re.sub(r"<[^>]+>", " ", chunk)) for chunk in chunks)
    return " ".join(text.split())[:200]


class Visitor(HttpUser):
    """One visitor of the platform; a writer signs in on the first write journey."""

    wait_time = between(1, 3)

    def on_start(self):
        self.signed_in = None
        self.orders = 0
        # Two cookie jars: the public pages are read anonymously (``self.client``), as most of a
        # crowd reads them and as the router sends them to the replica; the write journeys use
        # the visitor's signed-in session (``self.member``), which the primary serves.
        self.member = HttpSession(
            base_url=self.host, request_event=self.environment.events.request, user=self
        )
        self.member.trust_env = False

    # ---------------------------------------------------------------- browsing (60)
    @task(12)
    def catalogue(self):
        self.client.get("/funeral/", name="browse /funeral/")

    @task(3)
    def catalogue_filtered(self):
        self.client.get("/funeral/?type=funeral_home", name="browse /funeral/?type=")

    @task(20)
    def provider(self):
        slug = random.choice(DATA["providers"])
        self.client.get(f"/funeral/providers/{slug}/", name="browse /funeral/providers/<slug>/")

    @task(15)
    def compare(self):
        slugs = random.sample(DATA["providers"], min(3, len(DATA["providers"])))
        query = "&".join(f"p={slug}" for slug in slugs)
        self.client.get(f"/funeral/compare/?{query}", name="browse /funeral/compare/?p=a&p=b&p=c")

    @task(10)
    def packages(self):
        self.client.get("/funeral/packages/", name="browse /funeral/packages/")

    # ---------------------------------------------------------------- lookups (15)
    @task(3)
    def registry(self):
        self.client.get("/orgs/", name="lookup /orgs/")

    @task(4)
    def organisation(self):
        organisation = random.choice(DATA["organisations"])
        self.client.get(f"/orgs/{organisation['uscc']}/", name="lookup /orgs/<uscc>/")

    @task(2)
    def credit_query(self):
        organisation = random.choice(DATA["organisations"])
        query = organisation["name"][:4] if random.random() < 0.7 else organisation["uscc"]
        self.client.get("/credit/", params={"q": query}, name="lookup /credit/?q=")

    @task(2)
    def credit_record(self):
        organisation = random.choice(DATA["organisations"])
        self.client.get(f"/credit/{organisation['uscc']}/", name="lookup /credit/<uscc>/")

    @task(2)
    def charity(self):
        self.client.get("/charity/", name="lookup /charity/")

    @task(2)
    def project(self):
        self.client.get(
            f"/charity/projects/{random.choice(DATA['projects'])}/", name="lookup /charity/projects/<id>/"
        )

    # ---------------------------------------------------------------- search (10)
    @task(10)
    def search(self):
        query = random.choice([*DATA["searches"], random.choice(DATA["organisations"])["uscc"]])
        self.client.get("/search/", params={"q": query}, name="search /search/?q=")

    # ---------------------------------------------------------------- writes (5 + 5 + 5)
    def sign_in(self, account, kind):
        if self.signed_in == account["mobile"]:
            return True
        page = self.member.get("/accounts/login/", name=f"{kind} sign-in")
        form = form_on(page.text, "登录")
        with self.member.post(
            "/accounts/login/",
            data=fill(form, {"username": account["mobile"], "password": account["password"]}),
            name=f"{kind} sign-in",
            catch_response=True,
        ) as response:
            if "/accounts/login/" in response.url:
                response.failure(f"sign-in refused: {messages_of(response.text)}")
                return False
        self.signed_in = account["mobile"]
        return True

    def account(self):
        """This visitor's account: a family user who is also the filer of one organisation
        (one account per visitor, so a visitor signs in once)."""
        if not hasattr(self, "own_account"):
            self.own_account = DATA["accounts"][next(_accounts) % len(DATA["accounts"])]
        return self.own_account

    @task(5)
    def give(self):
        """A gift paid through the Alipay simulator, as the browser test does it."""
        if not DATA["giving_projects"] or not self.sign_in(self.account(), "give"):
            return
        project = random.choice(DATA["giving_projects"])
        self.member.get(f"/charity/projects/{project}/", name="give project page")
        page = self.member.get(f"/charity/projects/{project}/donate/", name="give donate form")
        form = form_on(page.text, "去付款")
        amount = f"{random.randint(1, 500)}.{random.randint(0, 99):02d}"
        with self.member.post(
            f"/charity/projects/{project}/donate/",
            data=fill(form, {"amount": amount}, drop=("anonymous",)),
            name="give POST donate",
            catch_response=True,
        ) as response:
            match = re.search(r"/payments/checkout/([^/]+)/", response.url)
            if not match:
                response.failure(f"no checkout page: {response.url} {messages_of(response.text)}")
                return
        intent = match.group(1)
        tell(kind="donation", intent=intent, amount=amount, paid=False)
        form = form_on(response.text, "去支付宝付款")
        with self.member.post(
            f"/payments/checkout/{intent}/",
            data=fill(form, {"channel": "pc"}),
            name="give POST checkout (to the simulator's cashier)",
            catch_response=True,
        ) as cashier:
            if "/payments/sandbox/" not in cashier.url:
                cashier.failure(f"not at the cashier: {cashier.url} {messages_of(cashier.text)}")
                return
        form = form_on(cashier.text, "确认付款")
        with self.member.post(
            urlsplit(cashier.url).path,
            data=fill(form, {"action": "pay"}),
            name="give POST simulator pay",
            catch_response=True,
        ) as paid:
            if paid.status_code != 200:
                paid.failure(f"pay answered {paid.status_code}")
                return
        with self.member.get(
            f"/payments/return/{intent}/", name="give return page", catch_response=True
        ) as result:
            if "付款成功" not in result.text:
                result.failure("the return page does not say 付款成功")
                return
        tell(kind="donation", intent=intent, amount=amount, paid=True)

    @task(5)
    def order(self):
        """Quote → order form → check → 确认下单, for the demo funeral home."""
        quote = DATA.get("quote")
        if not quote or not self.sign_in(self.account(), "order"):
            return
        self.orders += 1
        page = self.member.get(f"/funeral/quote/?provider={quote['provider']}", name="order quote builder")
        form = form_on(page.text, "生成费用明细")
        if form is None:
            return
        items = quote["items"]
        # A different statement each time (the urn's quantity), so that the resubmit window
        # does not hand back the quote of an earlier order.
        overrides = {
            "item": [str(item) for item in items],
            "qty_" + str(items[-1]): str(self.orders % 900 + 1),
        }
        with self.member.post(
            "/funeral/quote/",
            data=fill(form, overrides, drop=[name for name, _v in form["fields"] if name.startswith("qty_")]),
            name="order POST quote",
            catch_response=True,
        ) as response:
            match = re.search(r"/funeral/quote/([0-9A-Fa-f]+)/", response.url)
            if not match:
                response.failure(f"quote not saved: {response.url} {messages_of(response.text)}")
                return
        reference = match.group(1)
        page = self.member.get(f"/orders/new/?quote={reference}", name="order form")
        form = form_on(page.text, "下一步")
        if form is None:
            return
        today = time.time()
        death = time.strftime("%Y-%m-%d", time.gmtime(today + 8 * 3600 - 86400))
        wanted = time.strftime("%Y-%m-%d", time.gmtime(today + 8 * 3600 + 2 * 86400))
        details = {
            "deceased_name": "压测逝者",
            "deceased_gender": "male",
            "deceased_age": "88",
            "date_of_death": death,
            "deceased_id": id_number(f"110108193803{random.randint(10000, 99999)}"),
            "contact_relation": "子女",
            "requested_date": wanted,
            "requested_time": "09:30",
        }
        with self.member.post(
            f"/orders/new/?quote={reference}",
            data=fill(form, details, drop=("contact_name",)),
            name="order POST details",
            catch_response=True,
        ) as response:
            if "/orders/new/check/" not in response.url:
                response.failure(f"not at the check page: {response.url} {messages_of(response.text)}")
                return
        form = form_on(response.text, "确认下单")
        with self.member.post(
            relative(response.url),
            data=fill(form),
            name="order POST 确认下单",
            catch_response=True,
        ) as response:
            match = re.search(r"/orders/([^/?]+)/", urlsplit(response.url).path + "/")
            if not match or match.group(1) in ("new", "check") or "订单已提交" not in response.text:
                response.failure(f"no order: {response.url} {messages_of(response.text)}")
                return
        tell(kind="order", reference=match.group(1), quote=reference)

    @task(5)
    def file_report(self):
        """An organisation's filer saves its annual report draft with new text."""
        account = self.account()
        if not account.get("uscc") or not self.sign_in(account, "file"):
            return
        path = f"/workbench/reports/{account['uscc']}/{account['year']}/"
        with self.member.get(path, name="file report form", catch_response=True) as page:
            form = form_on(page.text, "保存草稿")
            if form is None:
                page.failure("no report form")
                return
        marker = uuid.uuid4().hex
        # Every other save also uploads the audit report (a new PDF each time, to the private
        # store in the S3 bucket); the upload replaces the previous one, which stays on record.
        upload = random.random() < 0.5
        files = None
        if upload:
            pdf = audit_report_pdf(marker)
            files = {"file": (f"审计报告-{marker[:8]}.pdf", pdf, "application/pdf")}
        with self.member.post(
            path,
            data=fill(
                form,
                {"activities_summary": f"压测填报 {marker}", "save": "1", "kind": "audit_report"},
            ),
            files=files,
            name="file POST save draft + upload" if upload else "file POST save draft",
            catch_response=True,
        ) as response:
            if "草稿已保存" not in response.text or (upload and "附件已上传" not in response.text):
                response.failure(f"draft not saved: {response.url} {messages_of(response.text)}")
                return
        tell(kind="report", uscc=account["uscc"], year=account["year"], marker=marker)
        if upload:
            tell(
                kind="attachment",
                uscc=account["uscc"],
                year=account["year"],
                sha256=hashlib.sha256(pdf).hexdigest(),
            )
