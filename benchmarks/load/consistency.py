"""After the load: compare what the clients were told with the rows in the primary database.

Every write journey of ``locustfile.py`` appends one JSON line to ``LOAD_TOLD_FILE`` for each
reference the server handed back (a page the browser was shown): an order reference, a payment
intent (the donation's receipt number, shown by the gateway's return page as paid), an annual
report draft's saved text, an uploaded annual report attachment (its SHA-256). ``check(path)``
looks each one up on the primary (Django's ``default`` alias, with Django already set up by the
caller) and returns Markdown lines: told, found, missing per kind, plus the ledger rows (one
charge transaction per paid intent), the donation rows, and each uploaded file read back from
the bucket and hashed again.
"""

import hashlib
import json
from collections import Counter
from pathlib import Path


def told(path):
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def check(path):
    from marketplace.orders.models import Order
    from orgs.charity.models import Donation
    from orgs.reports.models import AnnualReport, ReportAttachment
    from payments.models import PaymentIntent, Transaction

    records = told(path)
    kinds = Counter(record["kind"] for record in records)
    rows = []
    missing_examples = []

    def row(label, told_count, found_count, examples):
        missing = told_count - found_count
        rows.append(f"| {label} | {told_count} | {found_count} | {missing} |")
        missing_examples.extend(examples[:5])

    orders = [record["reference"] for record in records if record["kind"] == "order"]
    found = set(
        Order.objects.using("default").filter(reference__in=orders).values_list("reference", flat=True)
    )
    row(
        "orders (reference shown after 确认下单)",
        len(orders),
        len(found),
        [r for r in orders if r not in found],
    )

    gifts = [record for record in records if record["kind"] == "donation"]
    # A gift is told twice: when the checkout page is shown, and again when it is paid.
    started = list(dict.fromkeys(record["intent"] for record in gifts))
    intents = {
        intent.public_id: intent
        for intent in PaymentIntent.objects.using("default").filter(public_id__in=started)
    }
    row(
        "payment intents of gifts (checkout page shown)",
        len(started),
        len(intents),
        [i for i in started if i not in intents],
    )
    paid = [record["intent"] for record in gifts if record.get("paid")]
    paid_found = [i for i in paid if i in intents and intents[i].status == PaymentIntent.Status.SUCCEEDED]
    row(
        "… told paid (return page said 付款成功) and `succeeded`",
        len(paid),
        len(paid_found),
        [i for i in paid if i not in paid_found],
    )
    charges = set(
        Transaction.objects.using("default")
        .filter(intent__public_id__in=paid, kind=Transaction.Kind.CHARGE)
        .values_list("intent__public_id", flat=True)
    )
    row(
        "… with their ledger row (one charge)", len(paid), len(charges), [i for i in paid if i not in charges]
    )
    donations = set(
        Donation.objects.using("default")
        .filter(receipt_number__in=paid)
        .values_list("receipt_number", flat=True)
    )
    row(
        "… with their donation row (receipt number)",
        len(paid),
        len(donations),
        [i for i in paid if i not in donations],
    )

    reports = [record for record in records if record["kind"] == "report"]
    if reports:
        # A draft is overwritten by the next save of the same report (by design), so the check
        # is that each report holds the text of the last save its filer was told succeeded.
        last = {}
        for record in sorted(reports, key=lambda record: record["at"]):
            last[(record["uscc"], record["year"])] = record["marker"]
        stored = {
            (uscc, year): text
            for uscc, year, text in AnnualReport.objects.using("default")
            .filter(organization__uscc__in={uscc for uscc, _year in last})
            .values_list("organization__uscc", "year", "activities_summary")
        }
        holding = [key for key, marker in last.items() if marker in stored.get(key, "")]
        rows.append(f"| annual report draft saves told (each overwrites the last) | {len(reports)} | — | — |")
        row(
            "… reports holding the text of their last told save",
            len(last),
            len(holding),
            [key for key in last if key not in holding],
        )

    uploads = [record for record in records if record["kind"] == "attachment"]
    if uploads:
        # Each told upload: its row (by SHA-256, on that report), and its bytes in the bucket
        # (read back through the private storage and hashed again).
        attachments = {
            attachment.sha256: attachment
            for attachment in ReportAttachment.objects.using("default")
            .filter(sha256__in=[record["sha256"] for record in uploads])
            .select_related("report__organization")
        }
        matching = [
            record
            for record in uploads
            if record["sha256"] in attachments
            and attachments[record["sha256"]].report.organization.uscc == record["uscc"]
            and attachments[record["sha256"]].report.year == record["year"]
        ]
        row(
            "audit report uploads (附件已上传): attachment rows",
            len(uploads),
            len(matching),
            [record["sha256"][:12] for record in uploads if record not in matching],
        )
        intact = []
        for record in matching:
            attachment = attachments[record["sha256"]]
            with attachment.file.open("rb") as handle:
                if hashlib.sha256(handle.read()).hexdigest() == record["sha256"]:
                    intact.append(record)
        row(
            "… their files in the S3 bucket, bytes matching",
            len(uploads),
            len(intact),
            [record["sha256"][:12] for record in uploads if record not in intact],
        )

    duplicates = Transaction.objects.using("default").filter(
        intent__public_id__in=started, kind=Transaction.Kind.CHARGE
    ).count() - len(charges)
    unconfirmed = [i for i in started if i in intents and i not in paid]
    succeeded_untold = [i for i in unconfirmed if intents[i].status == PaymentIntent.Status.SUCCEEDED]
    lines = [
        f"Told-file lines: {dict(kinds) or 'none'}.",
        "",
        "| what the clients were told | told | found | missing |",
        "|---|---:|---:|---:|",
        *rows,
        "",
        f"- Charge rows beyond one per paid intent (double charges): {duplicates}.",
        f"- Gifts started but not told paid (journey cut off, e.g. by the end of the run or an error): "
        f"{len(unconfirmed)}, of which the database has {len(succeeded_untold)} paid anyway.",
        f"- Lost writes (told but missing): {sum(int(r.rsplit('|', 2)[-2]) for r in rows if not r.endswith('— |'))}.",
    ]
    if missing_examples:
        lines.append(f"- Examples of missing: {', '.join(map(str, missing_examples[:10]))}.")
    return lines
