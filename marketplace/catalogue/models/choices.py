"""Choices and amounts shared by the catalogue's models: the district, the type of provider,
the F1 price basis every item and price carries, units of sale, and money columns."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 12, "decimal_places": 2}
CENT = Decimal("0.01")


class District(models.TextChoices):
    DONGCHENG = "dongcheng", _("东城区")
    XICHENG = "xicheng", _("西城区")
    CHAOYANG = "chaoyang", _("朝阳区")
    FENGTAI = "fengtai", _("丰台区")
    SHIJINGSHAN = "shijingshan", _("石景山区")
    HAIDIAN = "haidian", _("海淀区")
    MENTOUGOU = "mentougou", _("门头沟区")
    FANGSHAN = "fangshan", _("房山区")
    TONGZHOU = "tongzhou", _("通州区")
    SHUNYI = "shunyi", _("顺义区")
    CHANGPING = "changping", _("昌平区")
    DAXING = "daxing", _("大兴区")
    HUAIROU = "huairou", _("怀柔区")
    PINGGU = "pinggu", _("平谷区")
    MIYUN = "miyun", _("密云区")
    YANQING = "yanqing", _("延庆区")


class ProviderType(models.TextChoices):
    FUNERAL_HOME = "funeral_home", _("殡仪馆")
    CEMETERY = "cemetery", _("公墓")
    COLUMBARIUM = "columbarium", _("骨灰堂")
    SERVICE_AGENCY = "service_agency", _("殡葬服务机构")


class PriceBasis(models.TextChoices):
    """F1: every item and every price carries its basis."""

    GOVERNMENT_SET = "gov_set", _("政府定价")
    GOVERNMENT_GUIDE = "gov_guide", _("政府指导价")
    MARKET = "market", _("市场调节价")


class Unit(models.TextChoices):
    TIME = "次", _("次")
    DAY = "天", _("天")
    PIECE = "个", _("个")
    BODY = "具", _("具")
    YEAR = "年", _("年")
    SET = "套", _("套")
    ITEM = "件", _("件")
    PLOT = "座", _("座")
    HOUR = "小时", _("小时")
    KM = "公里", _("公里")
