"""The demo data: orders in several states for the demo family, and a completed order whose
sealed contract passes poppler's pdfsig and embeds every font (the issue's acceptance check)."""

import os
import re
import subprocess

import pytest
from django.core.management import call_command

from accounts.demo import DEMO_FAMILY_MOBILE
from core import sealing
from marketplace.orders.models import Order

pytestmark = pytest.mark.django_db


def test_demo_orders_sealed_contract_and_certificate(tmp_path):
    with open(os.devnull, "w") as devnull:
        call_command("load_demo_data", stdout=devnull)
        call_command("load_demo_data", stdout=devnull)  # idempotent
    orders = Order.objects.filter(user__mobile=DEMO_FAMILY_MOBILE)
    assert {"completed", "contract_issued", "submitted", "countersigned"} <= set(
        orders.values_list("status", flat=True)
    )
    assert orders.count() == 4
    completed = orders.get(status="completed")
    certificate = completed.certificates.get()
    assert certificate.kind == "cremation_certificate"
    assert completed.change_orders.get().status == "signed"
    sealed = completed.contract.sealed_document.file.read()
    assert sealing.sha256(sealed) == completed.contract.sealed_sha256 and sealing.verify_pdf(sealed).ok
    path = tmp_path / "demo-contract.pdf"
    path.write_bytes(sealed)
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert fonts
    for line in fonts:
        columns = re.split(r"\s+", line.strip())
        assert columns[-5] == "yes", line  # the "emb" column
    sig = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert "Signature is Valid." in sig
