"""Memorials made through the real service (M1), so every rule is applied as in use."""

import datetime

from django.utils import timezone

from marketplace.memorials import services
from marketplace.memorials.models import RestingKind, Visibility
from tests.factories.orders import family_user

DECLARATION = "我是逝者的女儿，父亲已于去年病逝。"


def memorial_data(**overrides):
    today = timezone.localdate()
    data = {
        "name": "李秀英",
        "birth_date": datetime.date(today.year - 80, 3, 15),
        "death_date": today - datetime.timedelta(days=30),
        "epitaph": "慈母手中线",
        "biography": "一生勤劳，乐于助人。\n\n> 谁言寸草心，报得三春晖。",
        "resting_kind": RestingKind.SEA,
        "resting_provider": None,
        "resting_plot": "",
        "sea_date": today - datetime.timedelta(days=20),
        "sea_area": "天津大沽口海域",
        "resting_note": "",
    }
    data.update(overrides)
    return data


def make_memorial(
    keeper=None,
    *,
    visibility=Visibility.PUBLIC,
    access_code="",
    order=None,
    declaration=DECLARATION,
    approve_messages=False,
    **overrides,
):
    keeper = keeper or family_user()
    return services.create_memorial(
        keeper,
        order=order,
        declaration="" if order is not None else declaration,
        visibility=visibility,
        access_code=access_code,
        approve_messages=approve_messages,
        **memorial_data(**overrides),
    )
