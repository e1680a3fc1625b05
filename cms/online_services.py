"""The platform's online services (在线办理) that a service guide can lead to.

A guide names one of these by key (``GuidePage.online_service``); its "在线办理" button then
goes to the service's page in the visitor's language. The registry lives in code because
the services do: a key names a URL of this platform, never an address an editor types. A
service that needs a signed-in user says so, and the button tells the visitor before they
follow it (the page itself sends a visitor who is not signed in to sign-in and back).
"""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class OnlineService:
    key: str
    label: str
    url_name: str
    sign_in: bool

    def url(self):
        """The service's address in the active language."""
        return reverse(self.url_name)


SERVICES = (
    OnlineService("funeral_quote", _("在线报价与下单"), "catalogue:quote", False),
    OnlineService("funeral_compare", _("查询和比较殡葬服务价格"), "catalogue:index", False),
    OnlineService("complaint", _("殡葬服务投诉"), "complaints:new", False),
    OnlineService("review", _("评价殡葬服务"), "reviews:mine", True),
    OnlineService("memorial", _("创建网上纪念馆"), "memorials:new", True),
    OnlineService("cemetery_visit", _("预约祭扫"), "memorial_visits:index", False),
    OnlineService("annual_report", _("填报社会组织年度报告"), "reports_workbench:index", True),
    OnlineService("org_workbench", _("社会组织工作台（信息变更、信用异议）"), "workbench:index", True),
    OnlineService("registry", _("查询社会组织登记信息"), "registry:index", False),
    OnlineService("credit", _("查询社会组织信用"), "credit:index", False),
    OnlineService("charity", _("查询慈善项目"), "charity:index", False),
    OnlineService("donation_lookup", _("查询我的捐赠去向"), "charity:lookup", False),
    OnlineService("verify", _("核验电子证明"), "verify:index", False),
    # S9: a guide with one of these keys is also the checklist of that application's materials.
    OnlineService("reg_establish_social_group", _("社会团体成立登记"), "registration_workbench:index", True),
    OnlineService(
        "reg_establish_social_service", _("社会服务机构成立登记"), "registration_workbench:index", True
    ),
    OnlineService("reg_establish_foundation", _("基金会成立登记"), "registration_workbench:index", True),
    OnlineService("reg_change", _("社会组织变更登记"), "registration_workbench:index", True),
    OnlineService("reg_deregister", _("社会组织注销登记"), "registration_workbench:index", True),
)

BY_KEY = {service.key: service for service in SERVICES}


def choices():
    return [(service.key, service.label) for service in SERVICES]


def get(key):
    """The service with ``key``, or ``None`` for an empty or retired key."""
    return BY_KEY.get(key or "")


def url_for(key):
    """The address of the service ``key`` in the active language, or ``""``."""
    service = get(key)
    if service is None:
        return ""
    try:
        return service.url()
    except NoReverseMatch:  # a service whose app this deployment doesn't install
        return ""
