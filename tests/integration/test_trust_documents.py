"""Issue 12, point 4: a stored document is checked every time it is served."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from accounts import sms
from core import sealing
from core.models import EarlyWarning, SecurityEvent
from core.verification import INTEGRITY_WARNING_KIND
from marketplace.orders.models import Signature
from tests.factories.accounts import UserFactory
from tests.factories.orders import Scenario

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def stored_bytes(field_file):
    with field_file.open("rb") as handle:
        return handle.read()


def overwrite(field_file, data):
    """What someone with write access to the file store could do."""
    with open(field_file.path, "wb") as handle:
        handle.write(data)


def flip_one_byte(field_file):
    original = stored_bytes(field_file)
    altered = bytearray(original)
    altered[len(altered) // 2] ^= 0x01
    overwrite(field_file, bytes(altered))
    return original


@pytest.fixture
def sealed_contract():
    scenario = Scenario()
    scenario.advance("countersigned")
    contract = scenario.order.contract
    assert contract.is_sealed and contract.signatures.filter(role=Signature.Role.PROVIDER).exists()
    return scenario, contract


def test_tampered_contract_is_not_served_as_genuine(client, sealed_contract):
    scenario, contract = sealed_contract
    document = contract.sealed_document
    url = f"/orders/{scenario.order.reference}/contract/sealed.pdf"
    client.force_login(scenario.family)
    genuine = b"".join(client.get(url).streaming_content)
    assert sealing.sha256(genuine) == document.sha256
    assert "有效" in client.get(f"/verify/{document.code}/").content.decode()

    flip_one_byte(document.file)

    # The public verification page no longer says 有效 and explains why.
    page = client.get(f"/verify/{document.code}/")
    html = page.content.decode()
    assert page.status_code == 409
    assert "有效" not in html
    assert "本文件与平台签发时不一致" in html and document.sha256 in html

    # The family's download refuses to serve the altered bytes.
    download = client.get(url)
    assert download.status_code == 409
    assert download["Content-Type"].startswith("text/html")
    assert "本文件与平台签发时不一致" in download.content.decode()
    # The provider's workbench download refuses too.
    client.force_login(scenario.staff)
    staff_download = client.get(f"/workbench/funeral/orders/{scenario.order.reference}/contract/sealed.pdf")
    assert staff_download.status_code == 409

    # One security event for this state of the file, however often it was requested.
    events = SecurityEvent.objects.filter(
        kind=SecurityEvent.Kind.DOCUMENT_ALTERED,
        content_type=ContentType.objects.get_for_model(document),
        object_id=str(document.pk),
    )
    assert events.count() == 1
    event = events.get()
    assert event.details["expected_sha256"] == document.sha256
    assert event.details["actual_sha256"] not in ("", document.sha256)
    assert event.details["code"] == document.code

    # The bureau sees the early warning now, without waiting for the daily run.
    warning = EarlyWarning.objects.open().get(kind=INTEGRITY_WARNING_KIND, object_id=str(document.pk))
    assert warning.raised_on == timezone.localdate() and document.code in warning.link
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    listing = client.get("/admin/warnings/").content.decode()
    assert "存档文件与平台签发时不一致" in listing
    event_list = client.get("/admin/security-events/").content.decode()
    assert str(document) in event_list


def test_restored_contract_is_served_again_and_the_warning_clears(client, sealed_contract):
    scenario, contract = sealed_contract
    document = contract.sealed_document
    original = flip_one_byte(document.file)
    client.force_login(scenario.family)
    assert client.get(f"/orders/{scenario.order.reference}/contract/sealed.pdf").status_code == 409
    assert EarlyWarning.objects.open().filter(kind=INTEGRITY_WARNING_KIND).count() == 1

    overwrite(document.file, original)  # restored from backup
    response = client.get(f"/orders/{scenario.order.reference}/contract/sealed.pdf")
    assert response.status_code == 200 and b"".join(response.streaming_content) == original
    EarlyWarning.objects.refresh(kinds=[INTEGRITY_WARNING_KIND])
    assert not EarlyWarning.objects.open().filter(kind=INTEGRITY_WARNING_KIND).exists()
    assert SecurityEvent.objects.count() == 1  # the history stays


def test_altered_draft_is_not_shown_for_signing(client):
    scenario = Scenario()
    scenario.advance("contract_issued")
    contract = scenario.order.contract
    flip_one_byte(contract.draft_file)
    client.force_login(scenario.family)
    response = client.get(f"/orders/{scenario.order.reference}/contract/draft.pdf")
    assert response.status_code == 409
    assert SecurityEvent.objects.get().details["file_field"] == "draft_file"


def test_missing_file_is_reported_not_a_server_error(client, sealed_contract):
    scenario, contract = sealed_contract
    document = contract.sealed_document
    document.file.storage.delete(document.file.name)
    client.force_login(scenario.family)
    response = client.get(f"/orders/{scenario.order.reference}/contract/sealed.pdf")
    assert response.status_code == 409
    assert "已缺失" in response.content.decode()
    assert SecurityEvent.objects.get().kind == SecurityEvent.Kind.DOCUMENT_MISSING


def test_security_events_are_append_only(client, sealed_contract):
    scenario, contract = sealed_contract
    flip_one_byte(contract.sealed_document.file)
    client.get(f"/verify/{contract.sealed_document.code}/")
    event = SecurityEvent.objects.get()
    event.summary = "nothing happened"
    with pytest.raises(Exception, match="只能追加"):
        event.save()
    with pytest.raises(Exception, match="只能追加"):
        event.delete()


@pytest.mark.parametrize("code", ["----", "ABCD", "ABCD-EFGH-JKMN-PQRU", "ABCD-EFGH-JKMN-PQRS-TVWX"])
def test_verify_malformed_code_stays_on_form(client, code):
    response = client.get("/verify/", {"code": code})
    html = response.content.decode()
    assert response.status_code == 400
    assert f'value="{code}"' in html  # the code is kept in the input
    assert "核验码格式不正确" in html


def test_verify_overlong_code_stays_on_form(client):
    response = client.get("/verify/", {"code": "A" * 60})
    assert response.status_code == 400 and 'name="code"' in response.content.decode()


def test_verify_unknown_code_stays_on_form_with_the_code(client):
    response = client.get("/verify/", {"code": "abcd efgh jkmn pqrs"})
    html = response.content.decode()
    assert response.status_code == 404
    assert 'value="abcd efgh jkmn pqrs"' in html
    assert "未找到核验码为 ABCD-EFGH-JKMN-PQRS 的文书" in html


def test_verify_malformed_code_in_the_path_is_not_a_server_error(client):
    response = client.get("/verify/----/")
    assert response.status_code == 400 and "核验码格式不正确" in response.content.decode()


def test_verify_form_message_is_translated(client):
    response = client.get("/en/verify/", {"code": "----"})
    assert "The verification code" in response.content.decode()
