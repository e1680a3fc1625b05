"""What the funeral catalogue shows in the site-wide search: published providers (their
public notice: name, type, district, address, service area and the services they post)."""

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from search.registry import DocumentType, Entry, display, register
from search.text import join

from .models import Provider, ServiceItem


def public_providers():
    items = (
        ServiceItem.objects.active().select_related("category").only("provider_id", "name", "category__name")
    )
    return Provider.objects.public().prefetch_related(
        Prefetch("items", queryset=items, to_attr="search_items")
    )


def provider_entry(provider):
    categories, names = [], []
    for item in provider.search_items:
        for value, bucket in ((item.category.name, categories), (item.name, names)):
            if value not in bucket:
                bucket.append(value)
    services = join(*categories, *names, sep="、")
    return Entry(
        title=provider.name,
        body=join(
            display(provider, "type"),
            display(provider, "district"),
            provider.address,
            provider.service_area,
            provider.opening_hours,
            provider.description,
            f"服务项目：{services}" if services else "",
        ),
        url=provider.get_absolute_url(),
        date=timezone.localdate(provider.updated_at) if provider.updated_at else None,
        district=display(provider, "district"),
        extra=join(display(provider, "type"), provider.address, sep=" · "),
    )


register(
    DocumentType(
        key="provider",
        label=_("殡葬服务机构"),
        model=Provider,
        queryset=public_providers,
        entry=provider_entry,
        order=10,
        depends_on={ServiceItem: lambda item: [item.provider_id]},
    )
)
