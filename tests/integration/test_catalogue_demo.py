"""The catalogue's demo data: idempotent, and a visitor can see history, an upcoming change,
a flag and the PDF on the first demo funeral home."""

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from pypdf import PdfReader

from core.demo import DEMO_MARK
from marketplace.catalogue import demo, services
from marketplace.catalogue.models import PriceFlag, PriceVersion, Provider, ProviderMembership

pytestmark = pytest.mark.django_db


def test_demo_catalogue_is_idempotent_and_shows_every_feature(client):
    call_command("load_demo_data", stdout=io.StringIO())
    counts = (Provider.objects.count(), PriceVersion.objects.count(), PriceFlag.objects.count())
    call_command("load_demo_data", stdout=io.StringIO())
    assert (Provider.objects.count(), PriceVersion.objects.count(), PriceFlag.objects.count()) == counts
    assert counts[0] == 12 and counts[2] == 1
    assert all(DEMO_MARK in name for name in Provider.objects.values_list("name", flat=True))
    assert len(set(Provider.objects.values_list("district", flat=True))) >= 10
    assert services.verify_chain() == []

    flagship = Provider.objects.get(slug=demo.FIRST_FUNERAL_HOME)
    assert ProviderMembership.objects.filter(
        provider=flagship, user__mobile=demo.DEMO_PROVIDER_ADMIN_MOBILE, role="admin"
    ).exists()
    oldest = PriceVersion.objects.filter(provider=flagship).order_by("effective_from").first()
    assert (services.today() - oldest.effective_from).days >= 700  # two years of history
    html = client.get(flagship.get_absolute_url()).content.decode()
    assert "即将生效的调价" in html and "价格复核提示" in html and "prices.pdf" in html
    package_price = services.package_breakdowns(services.standard_package(), [flagship])[flagship.pk].total
    assert package_price is not None and package_price <= settings.F6_BASIC_PACKAGE_CEILING
    pdf = PdfReader(io.BytesIO(client.get(f"/funeral/providers/{flagship.slug}/prices.pdf").content))
    assert "京西示例殡仪馆" in "".join(page.extract_text() for page in pdf.pages)
    upcoming_item = flagship.items.get(name=demo.UPCOMING_ITEM_NAME)
    history = client.get(upcoming_item.get_history_url()).content.decode()
    assert history.count("<tr") >= 4 and "即将生效" in history
