"""Issue 18, point 13, on a phone (390×844): a section's words come from its CMS page, in
both languages, with the data right below them and the help, guides and notices after the
data; a guide's 在线办理 button is a large tap target that leads to the online service.
Nothing is wider than the screen."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_accessible, assert_no_horizontal_overflow

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(transactional_db, live_server):
    from wagtail.models import Locale

    from cms.models import SectionPage
    from tests.factories.catalogue import ProviderFactory
    from tests.factories.cms import make_guide, make_home_page, make_news

    home = make_home_page()
    guide = make_guide(home, online_service="funeral_quote")
    guide.save_revision().publish()
    notice = make_news(home, title="关于清明节期间预约祭扫的通知，请各位家属提前在网上预约时段")
    notice.tags.set(["殡葬"])
    notice.save_revision().publish()
    ProviderFactory(name="京西示例殡仪馆")
    page = SectionPage(
        title="殡葬服务机构与价格",
        slug="funeral",
        section="funeral",
        intro="<p>编辑写的引导语：本市殡葬服务机构的每一项收费都在这里公示。</p>",
        help_panels=[
            (
                "panel",
                {
                    "heading": "标准服务包的价格是怎样计算出来的？为什么各家机构的价格不同？",
                    "body": "<p>按每家机构今天的公示单价相加：遗体接运、冷藏、整容、告别、火化和骨灰盒。</p>",
                },
            )
        ],
        featured_guides=[("guide", guide)],
        notice_tag="殡葬",
    )
    home.add_child(instance=page)
    page.save_revision().publish()
    english = page.copy_for_translation(Locale.objects.get(language_code="en"), copy_parents=True).specific
    english.title = "Funeral providers and prices"
    english.intro = "<p>The editors' introduction: every charge of every provider is posted here.</p>"
    english.help_panels = [
        ("panel", {"heading": "How is the standard package priced?", "body": "<p>Today's posted prices.</p>"})
    ]
    english.save_revision().publish()
    return live_server


def test_a_section_page_and_a_guides_online_button_on_a_phone(site, phone):
    phone.goto(site.url + "/funeral/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("殡葬服务机构与价格")
    expect(phone.get_by_text("编辑写的引导语：本市殡葬服务机构的每一项收费都在这里公示。")).to_be_visible()
    expect(phone.get_by_role("link", name="京西示例殡仪馆")).to_be_visible()
    help_panel = phone.locator("details.faq", has_text="标准服务包的价格是怎样计算出来的")
    help_panel.locator("summary").click()
    expect(help_panel.get_by_text("按每家机构今天的公示单价相加")).to_be_visible()
    expect(phone.get_by_role("link", name="火化证明开具")).to_be_visible()
    expect(
        phone.get_by_role("link", name="关于清明节期间预约祭扫的通知，请各位家属提前在网上预约时段")
    ).to_be_visible()
    assert_no_horizontal_overflow(phone)
    assert_accessible(phone)

    phone.goto(site.url + "/en/funeral/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Funeral providers and prices")
    expect(
        phone.get_by_text("The editors' introduction: every charge of every provider is posted here.")
    ).to_be_visible()
    assert_no_horizontal_overflow(phone)

    phone.get_by_role("link", name="火化证明开具").first.click()  # the featured guide (not translated)
    button = phone.locator(".guide-online a.button")
    expect(button).to_be_visible()
    box = button.bounding_box()
    assert box["height"] >= 44 and box["y"] + box["height"] <= 844  # a large target, on the first screen
    assert_no_horizontal_overflow(phone)
    assert_accessible(phone)
    button.click()
    phone.wait_for_url("**/funeral/quote/")
    expect(phone.get_by_role("heading", level=1)).to_be_visible()
