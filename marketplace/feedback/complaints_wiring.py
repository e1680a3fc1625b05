"""Wiring of the complaints half (see apps.py): the provider page's statistics section, the
open data set, the overdue early warning, the bureau's permissions, the workbench panel and
the account link 我的投诉."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def provider_section(provider, request):
    """The provider page's complaint statistics (two queries, whatever the numbers)."""
    from .services import stats

    start, end = stats.window()
    return {
        "provider": provider,
        "figures": stats.provider_figures(provider, end),
        "start": start,
        "end": end,
    }


def workbench_panels(user):
    from accounts.workbench import Panel
    from marketplace.catalogue.permissions import member_provider_ids

    if not member_provider_ids(user):
        return []
    return [
        Panel(
            title=_("投诉处理"),
            url=reverse("complaint_workbench:index"),
            description=_("答复民政局受理的、针对本机构的投诉。"),
            kind=_("殡葬服务机构"),
        )
    ]


def _complaint_action(request, order):
    """The family's order page offers 投诉该订单, with the order (and its provider) filled in."""
    return _("投诉该订单"), f"{reverse('complaints:new')}?order={order.reference}"


def ready():
    from accounts.groups import FUNERAL_SECTION, grant
    from accounts.workbench import register_panels
    from core.navigation import register_account_link
    from core.opendata import Dataset, register_dataset
    from core.warnings import register_warning_source
    from marketplace.catalogue.hooks import register_provider_section
    from marketplace.orders.hooks import register_order_action

    from .services.complaints import WARNING_KIND, overdue_warnings

    register_provider_section(
        "complaint_stats", "feedback/complaints/provider_section.html", provider_section, order=200
    )
    register_order_action(_complaint_action)
    register_dataset(
        Dataset(
            key="funeral-complaint-statistics",
            title=gettext_lazy("殡葬服务投诉统计"),
            description=gettext_lazy(
                "近期各殡葬服务机构及全市投诉的收到、受理、成立数与成立率、办结天数中位数、"
                "按期办结占比和每百单投诉数；不含投诉内容。"
            ),
            formats={"csv": "complaint_stats:csv", "json": "complaint_stats:json"},
            order=14,
            api="api:complaint-statistics-list",
            sections=("funeral",),
        )
    )
    register_warning_source(WARNING_KIND, gettext_lazy("投诉办理超期"), overdue_warnings)
    register_panels(workbench_panels)
    register_account_link("complaints", gettext_lazy("我的投诉"), "complaints:mine")
    grant(
        FUNERAL_SECTION,
        "feedback.view_complaint",
        "feedback.change_complaint",
        "feedback.view_providercreditnote",
    )
