"""Demo accounts. Their passwords are public (see README) and for demo sites only."""

from django.contrib.auth.models import Group
from django.utils import timezone

from core.demo import DEMO_PASSWORD

from .groups import BUREAU_ADMIN, CONTENT_EDITOR, FUNERAL_SECTION, SOCIAL_ORG_SECTION
from .models import User

DEMO_ADMIN_MOBILE = "13900000001"
DEMO_FAMILY_MOBILE = "13900000002"
DEMO_EDITOR_MOBILE = "13900000003"
DEMO_FUNERAL_OFFICER_MOBILE = "13900000004"
DEMO_ORG_OFFICER_MOBILE = "13900000005"


def ensure_user(mobile, *, groups=(), **fields):
    user, created = User.objects.get_or_create(mobile=mobile, defaults=fields)
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    for name in groups:
        user.groups.add(Group.objects.get_or_create(name=name)[0])
    return user


def load(out):
    ensure_user(
        DEMO_ADMIN_MOBILE,
        display_name="示例管理员",
        last_name="示例",
        first_name="管理员",
        email="admin@mzj.beijing.example",
        is_staff=True,
        is_superuser=True,
        groups=[BUREAU_ADMIN],
    )
    ensure_user(
        DEMO_FAMILY_MOBILE,
        display_name="示例家属（王女士）",
        real_name="王丽",
        real_name_verified_at=timezone.now(),
    )
    ensure_user(
        DEMO_EDITOR_MOBILE,
        display_name="示例编辑",
        last_name="示例",
        first_name="编辑",
        is_staff=True,
        groups=[CONTENT_EDITOR],
    )
    ensure_user(
        DEMO_FUNERAL_OFFICER_MOBILE,
        display_name="示例殡葬管理科科员",
        last_name="示例",
        first_name="科员",
        is_staff=True,
        groups=[FUNERAL_SECTION],
    )
    ensure_user(
        DEMO_ORG_OFFICER_MOBILE,
        display_name="示例社会组织管理科科员",
        last_name="示例",
        first_name="科员",
        is_staff=True,
        groups=[SOCIAL_ORG_SECTION],
    )
    out.write(
        f"  demo logins: bureau admin {DEMO_ADMIN_MOBILE}, family {DEMO_FAMILY_MOBILE} / {DEMO_PASSWORD}"
    )
