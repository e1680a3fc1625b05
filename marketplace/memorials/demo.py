"""Demo memorials (M1): public ones (a sea burial, one at a demo cemetery, a natural burial),
one unlisted, one private with a public demo access code, and one with a reported message in
the bureau's queue; with free tributes. Idempotent (a memorial is found by its keeper and
name); dates are relative to today."""

import datetime

from django.utils import timezone

from accounts.demo import DEMO_FAMILY_MOBILE, ensure_user
from accounts.models import User
from marketplace.catalogue.models import Provider

from . import services
from .models import Memorial, MemorialReport, RestingKind, Visibility

DEMO_ACCESS_CODE = "huainian-88"  # noqa: S105 - documented demo-only code of the private memorial
DEMO_VISITOR_MOBILE = "13900000021"
DECLARATION = "本人为逝者亲属，逝者已经去世。（示例数据）"


def _years_ago(today, years, month, day):
    return datetime.date(today.year - years, month, day)


def _memorials(today, cemetery):
    yield (
        "张文华",
        {
            "birth_date": _years_ago(today, 88, 4, 12),
            "death_date": today - datetime.timedelta(days=400),
            "epitaph": "一生耕读，两袖清风。",
            "biography": "张文华先生生于京郊农家，毕生从事乡村教育。\n\n退休后仍在村里义务辅导孩子读书。\n\n> 桃李不言，下自成蹊。",
            "resting_kind": RestingKind.SEA,
            "sea_date": today - datetime.timedelta(days=380),
            "sea_area": "天津大沽口附近海域（北京市骨灰海撒活动）",
        },
        Visibility.PUBLIC,
    )
    if cemetery is not None:
        yield (
            "刘桂芳",
            {
                "birth_date": _years_ago(today, 79, 9, 3),
                "death_date": today - datetime.timedelta(days=200),
                "epitaph": "慈母手中线，游子身上衣。",
                "biography": "刘桂芳女士勤俭持家，养育四个子女成人。",
                "resting_kind": RestingKind.PROVIDER,
                "resting_provider": cemetery,
                "resting_plot": "松柏园 3 区 12 排 8 号",
            },
            Visibility.PUBLIC,
        )
    yield (
        "陈建国",
        {
            "birth_date": _years_ago(today, 70, 1, 20),
            "death_date": today - datetime.timedelta(days=90),
            "epitaph": "化作春泥更护花。",
            "biography": "陈建国先生生前是一名林业工人，遗愿树葬回归山林。",
            "resting_kind": RestingKind.NATURAL,
            "resting_note": "西山示例公墓 树葬林区 银杏树下",
        },
        Visibility.PUBLIC,
    )
    yield (
        "赵淑兰",
        {
            "birth_date": _years_ago(today, 91, 6, 6),
            "death_date": today - datetime.timedelta(days=30),
            "epitaph": "家人永远怀念您。",
            "resting_kind": RestingKind.OTHER,
            "resting_note": "骨灰由家人暂存，待安葬。",
        },
        Visibility.UNLISTED,
    )
    yield (
        "孙志强",
        {
            "birth_date": _years_ago(today, 60, 11, 11),
            "death_date": today - datetime.timedelta(days=15),
            "epitaph": "爸爸，我们想您。",
            "resting_kind": RestingKind.SEA,
            "sea_date": today - datetime.timedelta(days=5),
            "sea_area": "渤海湾示例海域",
        },
        Visibility.PRIVATE,
    )


def load(out):
    keeper = User.objects.filter(mobile=DEMO_FAMILY_MOBILE).first()
    if keeper is None or not keeper.is_real_name_verified:
        out.write("  memorials: no real-name demo family account; skipped")
        return
    visitor = ensure_user(DEMO_VISITOR_MOBILE, display_name="示例访客（小周）")
    today = timezone.localdate()
    cemetery = Provider.objects.public().filter(slug="demo-xishan-cemetery").first()
    made = {}
    for name, content, visibility in _memorials(today, cemetery):
        memorial = Memorial.objects.filter(created_by=keeper, name=name).first()
        if memorial is None:
            data = {
                "name": name,
                "resting_provider": None,
                "resting_plot": "",
                "sea_date": None,
                "sea_area": "",
                "resting_note": "",
                "biography": "",
                **content,
            }
            memorial = services.create_memorial(
                keeper,
                declaration=DECLARATION,
                visibility=visibility,
                access_code=DEMO_ACCESS_CODE if visibility == Visibility.PRIVATE else "",
                **data,
            )
            services.leave_tribute(memorial, keeper, kind="flower")
            if visibility != Visibility.PRIVATE:
                services.leave_tribute(memorial, visitor, kind="candle")
                services.leave_tribute(
                    memorial, visitor, kind="message", message="愿您安息，家人平安。", signed_as="小周"
                )
        made[name] = memorial
    # One reported message waiting in the bureau's queue.
    reported_in = made["陈建国"]
    if not MemorialReport.objects.filter(memorial=reported_in).exists():
        spam = services.leave_tribute(
            reported_in,
            visitor,
            kind="message",
            message="低价出售墓地，欢迎来电咨询（示例举报）",
            signed_as="某推销",
        )
        services.report(reported_in, reason="留言含商业广告（示例）", reporter=keeper, ip="", tribute=spam)
    out.write(
        f"  memorials: {Memorial.objects.public().filter(created_by=keeper).count()} public demo memorials; "
        f"unlisted {made['赵淑兰'].get_absolute_url()}; private {made['孙志强'].get_absolute_url()} "
        f"(access code {DEMO_ACCESS_CODE})"
    )
