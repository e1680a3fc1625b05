import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from wagtail.models import Page

from cms.models import GuidePage, HomePage, NewsPage

pytestmark = pytest.mark.django_db


def test_demo_data_builds_the_site_and_is_idempotent(client):
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (Page.objects.count(), get_user_model().objects.count())
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert (Page.objects.count(), get_user_model().objects.count()) == counts

    assert GuidePage.objects.filter(locale__language_code="zh-hans").count() >= 6
    assert NewsPage.objects.count() >= 5
    assert HomePage.objects.count() == 2  # Chinese and its English translation
    topics = set(GuidePage.objects.values_list("topic", flat=True))
    assert {"funeral", "social_org"} <= topics
    # Everything is marked as demo content, in its own language (issue 18, point 12: every
    # notice has an English copy).
    notices = NewsPage.objects.select_related("locale")
    assert all(("示例" if n.locale.language_code == "zh-hans" else "(Demo)") in n.title for n in notices)
    assert {n.locale.language_code for n in notices} == {"zh-hans", "en"}

    html = client.get("/").content.decode()
    assert "北京市民政公共服务平台" in html and "演示环境" in html
    assert "Beijing Civil Affairs Public Services" in client.get("/en/").content.decode()

    admin = get_user_model().objects.get(mobile="13900000001")
    assert admin.is_superuser and admin.check_password("demo-pass-2026")
    assert client.login(username="13900000001", password="demo-pass-2026")
    assert client.get("/admin/").status_code == 200
