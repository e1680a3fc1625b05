"""Issue 23, point 6: ceilings are versioned like prices (F2), the providers a new ceiling
affects are reported and warned, and verifying a provider needs a reason and the evidence."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from accounts.groups import FUNERAL_SECTION
from core.models import AppendOnlyError, EarlyWarning
from marketplace.catalogue import services
from marketplace.catalogue.models import GuidePrice, PriceBasis, Provider, ProviderVerification
from marketplace.catalogue.services.ceilings import (
    WARNING_KIND,
    affected_prices,
    record_ceiling,
)
from marketplace.catalogue.services.posting import ceiling_for
from tests.factories.accounts import UserFactory
from tests.factories.catalogue import ProviderFactory, category, make_guide_price, make_item, make_member

pytestmark = pytest.mark.django_db

GUIDE = PriceBasis.GOVERNMENT_GUIDE
SET = PriceBasis.GOVERNMENT_SET


def today():
    return timezone.localdate()


def days(n):
    return today() + datetime.timedelta(days=n)


@pytest.fixture
def officer():
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=FUNERAL_SECTION))
    return user


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client


def new_version_data(
    guide_category, basis, ceiling, effective_from, reason="成本监审后下调", document="京发改〔2026〕测试9号"
):
    return {
        "category": str(guide_category.pk),
        "basis": basis,
        "ceiling": str(ceiling),
        "effective_from": effective_from.isoformat(),
        "reason": reason,
        "document_reference": document,
    }


def open_ceiling_warnings():
    provider_type = ContentType.objects.get_for_model(Provider)
    return EarlyWarning.objects.open().filter(kind=WARNING_KIND, content_type=provider_type)


# --- append-only -----------------------------------------------------------------------------


def test_f2_ceiling_change_is_a_new_version_and_never_an_edit(officer_client, officer):
    first = make_guide_price("cosmetic", GUIDE, "200.00")
    # The model refuses an edit and a delete, also through the queryset.
    first.ceiling = Decimal("150.00")
    with pytest.raises(AppendOnlyError):
        first.save()
    with pytest.raises(AppendOnlyError):
        first.delete()
    with pytest.raises(AppendOnlyError):
        GuidePrice.objects.filter(pk=first.pk).update(ceiling=Decimal("1.00"))
    with pytest.raises(AppendOnlyError):
        GuidePrice.objects.filter(pk=first.pk).delete()
    first.refresh_from_db()
    assert first.ceiling == Decimal("200.00")

    # The admin offers no edit and no delete, even to a group that holds the permissions.
    edit = reverse("catalogue_guide_price:edit", args=[first.pk])
    assert officer_client.get(edit).status_code in (302, 403)
    officer_client.post(edit, new_version_data(first.category, GUIDE, "1.00", today()))
    delete = reverse("catalogue_guide_price:delete", args=[first.pk])
    officer_client.post(delete)
    first.refresh_from_db()
    assert first.ceiling == Decimal("200.00")

    # The listing offers "新增限价版本" from each row, and no edit link.
    listing = officer_client.get(reverse("catalogue_guide_price:index")).text
    assert f"{reverse('catalogue_guide_price:add')}?from={first.pk}" in listing
    assert edit not in listing and delete not in listing

    # "新增限价版本" starts from the current version.
    add = reverse("catalogue_guide_price:add")
    form = officer_client.get(add, {"from": first.pk})
    assert form.status_code == 200
    initial = form.context["form"].initial
    assert initial["category"] == first.category_id and initial["basis"] == GUIDE
    assert initial["ceiling"] == Decimal("200.00")
    assert not form.context["form"].initial.get("reason")

    response = officer_client.post(add, new_version_data(first.category, GUIDE, "150.00", days(10)))
    second = GuidePrice.objects.exclude(pk=first.pk).get(category=first.category, basis=GUIDE)
    assert response.status_code == 302
    assert response["Location"] == reverse("catalogue_guide_price:inspect", args=[second.pk])
    assert second.ceiling == Decimal("150.00") and second.effective_from == days(10)
    assert second.reason == "成本监审后下调" and second.document_reference == "京发改〔2026〕测试9号"
    assert second.recorded_by == officer and second.previous == first
    first.refresh_from_db()
    assert first.ceiling == Decimal("200.00")  # the first version is untouched
    entry = ModelLogEntry.objects.get(object_id=str(second.pk), action="catalogue.ceiling_recorded")
    assert entry.user_id == officer.pk
    assert entry.data["reason"] == "成本监审后下调" and entry.data["previous_ceiling"] == "200.00"
    assert "成本监审后下调" in entry.message


def test_backdating_a_ceiling_is_refused(officer_client):
    first = make_guide_price("cosmetic", GUIDE, "200.00")
    response = officer_client.post(
        reverse("catalogue_guide_price:add"), new_version_data(first.category, GUIDE, "150.00", days(-1))
    )
    assert response.status_code == 200
    assert "effective_from" in response.context["form"].errors
    assert GuidePrice.objects.filter(category=first.category, basis=GUIDE).count() == 1
    with pytest.raises(ValidationError) as refused:
        record_ceiling(
            first.category,
            GUIDE,
            ceiling="150.00",
            effective_from=days(-1),
            reason="x",
            document_reference="y",
        )
    assert "effective_from" in refused.value.message_dict
    # Today is allowed: it takes effect at once.
    record_ceiling(
        first.category, GUIDE, ceiling="150.00", effective_from=today(), reason="x", document_reference="y"
    )
    assert ceiling_for(first.category, GUIDE, today()).ceiling == Decimal("150.00")


def test_a_ceiling_version_needs_a_reason_and_a_document_number(officer_client):
    first = make_guide_price("cosmetic", GUIDE, "200.00")
    data = new_version_data(first.category, GUIDE, "150.00", days(3), reason="  ", document="")
    response = officer_client.post(reverse("catalogue_guide_price:add"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "reason" in errors and "document_reference" in errors
    assert GuidePrice.objects.filter(category=first.category, basis=GUIDE).count() == 1
    with pytest.raises(ValidationError) as refused:
        record_ceiling(
            first.category,
            GUIDE,
            ceiling="150.00",
            effective_from=days(3),
            reason="",
            document_reference="文号",
        )
    assert set(refused.value.message_dict) == {"reason"}


def test_the_ceiling_in_force_on_a_day_is_the_newest_version_in_effect():
    first = make_guide_price("cosmetic", GUIDE, "200.00", effective_from=days(-100))
    near = record_ceiling(
        first.category, GUIDE, ceiling="180", effective_from=days(5), reason="下调", document_reference="A"
    )
    far = record_ceiling(
        first.category, GUIDE, ceiling="160", effective_from=days(20), reason="再下调", document_reference="B"
    )
    assert ceiling_for(first.category, GUIDE, days(-1)) == first
    assert ceiling_for(first.category, GUIDE, days(4)) == first
    assert ceiling_for(first.category, GUIDE, days(5)) == near
    assert ceiling_for(first.category, GUIDE, days(19)) == near
    assert ceiling_for(first.category, GUIDE, days(20)) == far
    # A correction of an upcoming version is another version for the same day: the later wins.
    corrected = record_ceiling(
        first.category, GUIDE, ceiling="170", effective_from=days(5), reason="更正", document_reference="A2"
    )
    assert ceiling_for(first.category, GUIDE, days(5)) == corrected
    assert ceiling_for(first.category, SET, days(30)) is None  # another basis has none


def test_a_price_above_the_new_ceiling_is_refused_from_its_effective_date_but_not_before():
    make_guide_price("cosmetic", GUIDE, "200.00")
    provider = ProviderFactory()
    item = make_item(provider, "cosmetic", price="150.00", basis=GUIDE)
    record_ceiling(
        item.category,
        GUIDE,
        ceiling="120.00",
        effective_from=days(10),
        reason="下调",
        document_reference="京测1号",
    )
    # Existing versions are not touched: they were lawful when published.
    assert item.versions.get().price == Decimal("150.00")
    before = services.publish_price(item, price="180.00", effective_from=days(9), reason_code="costs")
    assert before.price == Decimal("180.00")
    with pytest.raises(ValidationError) as refused:
        services.publish_price(item, price="121.00", effective_from=days(10), reason_code="costs")
    assert "120.00" in str(refused.value) and "京测1号" in str(refused.value)
    assert services.publish_price(item, price="120.00", effective_from=days(10), reason_code="policy")


# --- the affected providers ------------------------------------------------------------------


def test_the_affected_provider_report_and_warnings_name_exactly_the_providers_above(officer_client):
    make_guide_price("cosmetic", GUIDE, "300.00")
    make_guide_price("cosmetic", SET, "300.00")
    make_guide_price("farewell", GUIDE, "300.00")
    above = ProviderFactory(name="高于限价殡仪馆")
    above_item = make_item(above, "cosmetic", name="整容（高）", price="250.00", basis=GUIDE)
    below = ProviderFactory(name="低于限价殡仪馆")
    make_item(below, "cosmetic", name="整容（低）", price="180.00", basis=GUIDE)
    other_category = ProviderFactory(name="其他类别殡仪馆")
    make_item(other_category, "farewell", name="告别（高）", price="250.00", basis=GUIDE)
    other_basis = ProviderFactory(name="其他性质殡仪馆")
    make_item(other_basis, "cosmetic", name="整容（定价）", price="250.00", basis=SET)
    unpublished = ProviderFactory(name="未公开殡仪馆", is_published=False)
    make_item(unpublished, "cosmetic", name="整容（未公开）", price="250.00", basis=GUIDE)
    lowered = ProviderFactory(name="已预告调低殡仪馆")
    lowered_item = make_item(lowered, "cosmetic", name="整容（将调低）", price="250.00", basis=GUIDE)
    services.publish_price(lowered_item, price="190.00", effective_from=days(5), reason_code="policy")

    response = officer_client.post(
        reverse("catalogue_guide_price:add"),
        new_version_data(category("cosmetic"), GUIDE, "200.00", days(14)),
        follow=True,
    )
    assert response.status_code == 200
    report = response.text
    assert 'data-affected-providers="1"' in report
    assert f'data-affected-provider="{above.slug}"' in report
    assert "<td>整容（高）</td><td>250.00</td>" in report and "<td>200.00</td><td>50.00</td>" in report
    for name in ("低于限价殡仪馆", "其他类别殡仪馆", "其他性质殡仪馆", "未公开殡仪馆", "已预告调低殡仪馆"):
        assert name not in report.split('id="history-heading"')[0]

    warnings = list(open_ceiling_warnings())
    assert [w.object_id for w in warnings] == [str(above.pk)]
    warning = warnings[0]
    assert warning.deadline == days(14)
    assert "整容（高）" in warning.reason and "200.00" in warning.reason
    assert warning.owner_key == f"provider:{above.slug}"
    assert warning.translations["en"]["reason"]  # stored for English readers too

    # Lowering the price before the effective date clears the warning at once.
    services.publish_price(above_item, price="200.00", effective_from=days(7), reason_code="policy")
    assert not open_ceiling_warnings().exists()
    warning.refresh_from_db()
    assert warning.cleared_on == today()


def test_withdrawing_the_item_clears_the_warning():
    make_guide_price("cosmetic", GUIDE, "300.00")
    provider = ProviderFactory()
    item = make_item(provider, "cosmetic", price="250.00", basis=GUIDE)
    guide = record_ceiling(
        item.category,
        GUIDE,
        ceiling="200.00",
        effective_from=days(3),
        reason="下调",
        document_reference="京测2号",
    )
    assert [row.item for row in affected_prices(guide)] == [item]
    assert open_ceiling_warnings().count() == 1
    item.is_active = False
    item.save()
    assert not open_ceiling_warnings().exists()


# --- the public listing ----------------------------------------------------------------------


def test_the_ceiling_history_is_public_beside_the_price_history(client):
    first = make_guide_price("cosmetic", GUIDE, "200.00", document="京发改〔2020〕首版1号")
    record_ceiling(
        first.category,
        GUIDE,
        ceiling="150.00",
        effective_from=days(10),
        reason="成本监审后下调",
        document_reference="京发改〔2026〕调整2号",
    )
    page = client.get(reverse("catalogue:ceilings_category", args=["cosmetic"]))
    assert page.status_code == 200
    text = page.text
    assert "<caption>" in text and '<th scope="row"' in text
    # Newest first, with the date, the amount, the reason and the document.
    assert text.index("京发改〔2026〕调整2号") < text.index("京发改〔2020〕首版1号")
    assert "成本监审后下调" in text and "150.00" in text and "200.00" in text
    assert days(10).isoformat() in text and "即将生效" in text and "现行" in text

    provider = ProviderFactory()
    item = make_item(provider, "cosmetic", price="180.00", basis=GUIDE)
    history = client.get(item.get_history_url()).text
    assert "民政局最高限价历史" in history and "京发改〔2026〕调整2号" in history
    assert reverse("catalogue:ceilings_category", args=["cosmetic"]) in history

    index = client.get(reverse("catalogue:ceilings")).text
    assert "200.00" in index and reverse("catalogue:ceilings_category", args=["cosmetic"]) in index

    english = client.get("/en" + reverse("catalogue:ceilings_category", args=["cosmetic"]))
    assert english.status_code == 200
    assert 'lang="zh-Hans"' in english.text  # the bureau's Chinese reason is marked as such


# --- provider verification -------------------------------------------------------------------


def provider_form_data(provider, **changes):
    data = {
        name: getattr(provider, name)
        for name in (
            "name",
            "slug",
            "type",
            "district",
            "address",
            "phone",
            "opening_hours",
            "service_area",
            "description",
            "licence_number",
            "supervising_authority",
            "complaint_hotline",
            "procedure",
            "ownership_disclosure",
            "referral_disclosure",
            "deposit_terms",
            "deposit_percent",
            "payment_schedule",
            "cancellation_terms",
            "refund_terms",
        )
    }
    data["licence_expires"] = provider.licence_expires.isoformat()
    data.update({"latitude": "", "longitude": "", "plot_term_years": "", "confirmation_hours": ""})
    if provider.is_published:
        data["is_published"] = "on"
    if provider.is_verified:
        data["is_verified"] = "on"
    data.update(
        {
            "photos-TOTAL_FORMS": "0",
            "photos-INITIAL_FORMS": "0",
            "photos-MIN_NUM_FORMS": "0",
            "photos-MAX_NUM_FORMS": "1000",
        }
    )
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_verification_needs_a_reason_and_evidence_and_is_audited(officer_client, officer):
    provider = ProviderFactory(is_verified=False)
    edit = reverse("catalogue_provider:edit", args=[provider.pk])
    # Ticking 已核验 without a reason or evidence is refused.
    response = officer_client.post(edit, provider_form_data(provider, is_verified="on"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "verification_reason" in errors and "verification_evidence" in errors
    provider.refresh_from_db()
    assert not provider.is_verified and not ProviderVerification.objects.filter(provider=provider).exists()

    response = officer_client.post(
        edit,
        provider_form_data(
            provider,
            is_verified="on",
            verification_reason="现场核查许可证与收费公示一致",
            verification_evidence="京民殡核〔2026〕18号",
        ),
    )
    assert response.status_code == 302
    provider.refresh_from_db()
    assert provider.is_verified and provider.verified_by == officer and provider.verified_at
    record = ProviderVerification.objects.get(provider=provider)
    assert record.verified and record.reason == "现场核查许可证与收费公示一致"
    assert record.evidence_reference == "京民殡核〔2026〕18号" and record.recorded_by == officer
    entry = ModelLogEntry.objects.get(object_id=str(provider.pk), action="catalogue.provider_verified")
    assert entry.data["reason"] == "现场核查许可证与收费公示一致" and entry.user_id == officer.pk

    # An edit that leaves 已核验 alone needs no reason and records nothing.
    officer_client.post(edit, provider_form_data(provider, phone="010-12345678"))
    provider.refresh_from_db()
    assert provider.phone == "010-12345678" and provider.verifications.count() == 1

    # Unticking is a decision too; both stay in the history, newest first.
    response = officer_client.post(
        edit,
        provider_form_data(
            provider,
            is_verified=None,
            verification_reason="许可证已被吊销",
            verification_evidence="京民殡罚〔2026〕3号",
        ),
    )
    assert response.status_code == 302
    provider.refresh_from_db()
    assert not provider.is_verified and provider.verified_at is None
    assert ModelLogEntry.objects.filter(
        object_id=str(provider.pk), action="catalogue.provider_unverified", data__reason="许可证已被吊销"
    ).exists()
    with pytest.raises(AppendOnlyError):
        record.delete()

    inspect = officer_client.get(reverse("catalogue_provider:inspect", args=[provider.pk])).text
    history = inspect[inspect.index('id="verifications-heading"') :]
    assert history.index("许可证已被吊销") < history.index("现场核查许可证与收费公示一致")
    assert "京民殡核〔2026〕18号" in history and "取消核验" in history


# --- exports ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("listing", "heading"),
    [
        ("catalogue_guide_price", "调整原因"),
        ("catalogue_provider", "经营许可证号"),
        ("catalogue_package", "参考上限（元）"),
        ("catalogue_category", "属于基本殡葬服务"),
        ("catalogue_membership", "角色"),
        ("catalogue_price_audit", "链哈希"),
    ],
)
def test_catalogue_listings_export_csv_and_xlsx_with_chinese_headings(officer_client, listing, heading):
    make_guide_price("cosmetic", GUIDE, "200.00")
    provider = ProviderFactory(name="=cmd|导出测试")
    make_item(provider, "cosmetic", price="100.00", basis=GUIDE)
    make_member(provider)
    url = reverse(f"{listing}:index")
    response = officer_client.get(url, {"export": "csv"})
    assert response.status_code == 200
    assert "csv" in response["Content-Type"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert heading in rows[0]
    assert len(rows) > 1
    assert not any(cell.startswith("=") for row in rows[1:] for cell in row)
    xlsx = officer_client.get(url, {"export": "xlsx"})
    assert xlsx.status_code == 200 and "spreadsheetml" in xlsx["Content-Type"]


def test_the_guide_price_export_lists_every_version_with_its_reason(officer_client):
    guide = make_guide_price("cosmetic", GUIDE, "200.00")
    record_ceiling(
        guide.category,
        GUIDE,
        ceiling="150",
        effective_from=days(2),
        reason="下调原因",
        document_reference="京测3号",
    )
    response = officer_client.get(reverse("catalogue_guide_price:index"), {"export": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    cosmetic = [row for row in rows if row["文件文号"] in ("京测3号", guide.document_reference)]
    assert {row["最高限价（元）"] for row in cosmetic} == {"200.00", "150.00"}
    assert any(row["调整原因"] == "下调原因" for row in cosmetic)


def test_the_seed_creates_a_first_version_once_and_never_rewrites_one():
    from marketplace.catalogue.models import ServiceCategory
    from marketplace.catalogue.seed import seed_rule_ceilings

    sweeping = category("proxy-sweeping")
    seeded = GuidePrice.objects.filter(category=sweeping)
    assert seeded.count() == 3  # one per basis
    assert {guide.ceiling for guide in seeded} == {Decimal("0.00")}
    assert {guide.reason for guide in seeded} == {"初始最高限价"}  # migration 0010 / the seed
    newer = record_ceiling(
        sweeping,
        GUIDE,
        ceiling="5.00",
        effective_from=days(1),
        reason="示例调整",
        document_reference="京测4号",
    )
    seed_rule_ceilings(ServiceCategory, GuidePrice)  # a re-run (a migration, the demo) adds nothing
    assert GuidePrice.objects.filter(category=sweeping).count() == 4
    newer.refresh_from_db()
    assert newer.ceiling == Decimal("5.00")
    assert ceiling_for(sweeping, GUIDE, days(1)) == newer
