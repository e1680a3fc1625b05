"""The awards of the resource pool as a grants data set (I2), CSV and JSON.

The column names follow the 360Giving Data Standard where a field fits (``Identifier``,
``Title``, ``Amount Awarded``, ``Recipient Org:Identifier`` …), so that funders' data can be
joined on them; the fields the standard lacks carry an ``Additional:`` name, the way the
standard asks for extra columns. Organisations are identified by their unified social credit
code, prefixed ``CN-USCC-`` (our choice: no org-id.guide list for the USCC was checked from
here). The identifiers of awards are ``360G-bjmzj-incubator-<id>``.
"""

from django.utils.translation import gettext_lazy as _

from core import opendata

from .models import Award, OfferKind

PREFIX = "360G-bjmzj-incubator-"
ORG_PREFIX = "CN-USCC-"
FUNDER_BUREAU = "北京市民政局"

FIELDS = (
    ("Identifier", _("授予编号")),
    ("Title", _("资源名称")),
    ("Description", _("交付成果")),
    ("Currency", _("币种")),
    ("Amount Awarded", _("金额（元）")),
    ("Award Date", _("授予日期")),
    ("Planned Dates:Start Date", _("开始日期")),
    ("Planned Dates:End Date", _("结束日期")),
    ("Recipient Org:Identifier", _("获得机构标识")),
    ("Recipient Org:Name", _("获得机构")),
    ("Funding Org:Identifier", _("提供方标识")),
    ("Funding Org:Name", _("提供方")),
    ("Beneficiary Location:Name", _("服务地点")),
    ("Grant Programme:Title", _("资源类型")),
    ("Additional:Contract Number", _("合同或协议编号")),
)


def award_rows():
    awards = Award.objects.select_related("application__offer__funder", "application__organization").order_by(
        "awarded_on", "pk"
    )
    for award in awards.iterator(chunk_size=500):
        offer, organization = award.application.offer, award.application.organization
        funder = offer.funder
        yield {
            "Identifier": f"{PREFIX}{award.pk}",
            "Title": offer.title,
            "Description": award.deliverables,
            "Currency": "CNY",
            "Amount Awarded": None if award.amount is None else str(award.amount),
            "Award Date": award.awarded_on.isoformat(),
            "Planned Dates:Start Date": award.starts_on.isoformat(),
            "Planned Dates:End Date": award.ends_on.isoformat(),
            "Recipient Org:Identifier": f"{ORG_PREFIX}{organization.uscc}",
            "Recipient Org:Name": organization.name,
            "Funding Org:Identifier": f"{ORG_PREFIX}{funder.uscc}" if funder else "",
            "Funding Org:Name": funder.name if funder else offer.provider_name,
            "Beneficiary Location:Name": offer.get_district_display() if offer.district else "",
            "Grant Programme:Title": str(OfferKind(offer.kind).label),
            "Additional:Contract Number": award.document_number,
        }


def csv_response(request=None):
    # The header row is the standard's field names, so that 360Giving tools read the file.
    return opendata.csv_response(
        "incubator-grants.csv",
        [key for key, _label in FIELDS],
        ([row[key] for key, _label in FIELDS] for row in award_rows()),
    )


def json_response(request=None):
    meta = opendata.dataset_meta(
        str(_("孵化培育资源授予（360Giving 字段）")), fields={key: str(label) for key, label in FIELDS}
    )
    return opendata.json_response("incubator-grants.json", meta, award_rows())
