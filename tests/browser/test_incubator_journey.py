"""The incubator journey (issue 16): an organisation finds an open programme and is told it is
not eligible, and why — its latest annual report still waits for review — with the fix; the
bureau accepts the report; the organisation now passes every criterion and applies; the bureau
screens it, two reviewers score it against the programme's rubric (each declaring no conflict
of interest first, the second seeing the first's scores only after their own), and the bureau
admits it; the applicant reads the panel's score; the public profile lists the programme. The
public incubator pages pass axe (WCAG 2.1 AA)."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core.demo import DEMO_PASSWORD
from orgs.credit.services import latest_due_report_year
from orgs.incubator.demo import BASE, DEMO_REVIEWER_MOBILES, PAST, RUBRIC
from orgs.registry.demo import DEMO_SOCIAL_WORK_ADMIN_MOBILE
from orgs.registry.models import Organization
from orgs.reports.models import AnnualReport, ReportStatus
from tests.browser.helpers import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

ORG = "北京市东城区社会工作者协会（示例）"  # its latest annual report is 待审核 in the demo
OFFICER = "13900000005"  # the bureau's social-organisation section officer
REVIEWER = DEMO_REVIEWER_MOBILES[0]  # an outside expert on the panel


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.REPORT_ATTACHMENT_ROOT = tmp_path / "attachments"


def admin_sign_in(page, base, mobile=OFFICER):
    page.goto(base + "/admin/login/")
    page.locator("#id_username").fill(mobile)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("button[type=submit]").click()
    expect(page.locator("#queues-title")).to_be_visible()


def score(page, points):
    """Declare no conflict and score each line of the demo rubric, in the admin's review page."""
    form = page.locator("[data-panel-form]")
    form.get_by_label("本人与申请机构不存在利益冲突").check()
    for (title, _guidance, weight, top), value in zip(RUBRIC, points, strict=True):
        form.get_by_label(f"{title}（权重 {weight}，满分 {top}）").fill(str(value))
    form.get_by_role("button", name="提交评审").click()


def test_ineligible_organisation_fixes_its_report_applies_and_is_admitted(demo_site, new_page):
    base = demo_site.url
    organization = Organization.objects.get(name=ORG)
    # The report year the programmes require: the latest whose deadline has passed.
    year = latest_due_report_year(organization, timezone.localdate())
    assert AnnualReport.objects.get(organization=organization, year=year).status == ReportStatus.SUBMITTED

    # The public list: the two open programmes and last year's closed cohort with its graduates.
    public = new_page()
    public.goto(base + "/incubator/")
    expect(public.get_by_role("heading", level=1)).to_have_text("社会组织孵化培育")
    past = public.locator("li[data-programme]", has=public.get_by_role("link", name=PAST))
    expect(past).to_contain_text("已截止")
    assert_accessible(public)
    public.get_by_role("link", name=PAST).click()
    graduates = public.locator("section", has=public.get_by_role("heading", name="已出壳的组织"))
    expect(graduates.get_by_role("link")).to_have_count(2)
    expect(graduates).to_contain_text(re.compile(r"\d{4}-\d{2}-\d{2} 出壳"))
    assert_accessible(public)

    # The organisation opens the district base's programme and is told why it can't apply yet.
    org_page = new_page()
    sign_in(org_page, base, DEMO_SOCIAL_WORK_ADMIN_MOBILE)
    org_page.goto(base + "/incubator/")
    row = org_page.locator("li[data-programme]", has=org_page.get_by_role("link", name=BASE))
    expect(row).to_contain_text("正在接受申请")
    row.get_by_role("link", name=BASE).click()
    expect(org_page.get_by_role("heading", level=1)).to_have_text(BASE)
    expect(org_page.locator("[data-requirements]")).to_contain_text("近 1 年年度报告审核合格")
    assert_accessible(org_page)
    org_page.get_by_role("link", name=f"以“{ORG}”核验资格并申请").click()
    expect(org_page.get_by_role("heading", level=1)).to_have_text(f"申请：{BASE}")
    ineligible = org_page.locator("[data-ineligible]")
    expect(ineligible).to_contain_text(f"{year} 年度报告待审核，尚未审核通过")
    expect(ineligible).to_contain_text(f"{year} 年度报告已报送，等待登记管理机关审核；审核通过后即符合此项。")
    expect(ineligible.locator("li")).to_have_count(1)  # the pending report is the only reason
    expect(org_page.locator('[data-criterion="reports"]')).to_have_attribute("data-passed", "0")
    expect(org_page.get_by_role("button", name="提交申请")).to_have_count(0)
    assert_accessible(org_page)
    apply_url = org_page.url

    # The bureau accepts the report in its annual-report review.
    bureau = new_page()
    admin_sign_in(bureau, base)
    bureau.goto(base + "/admin/reports/review/?view=open")
    report_row = bureau.locator("table.listing tbody tr", has_text=ORG).filter(
        has=bureau.get_by_role("cell", name=str(year), exact=True)
    )
    report_row.get_by_role("link", name=ORG).click()
    bureau.get_by_label("年检结论").select_option(label="合格")
    bureau.get_by_label("审核意见").fill("材料齐全。")
    bureau.get_by_role("button", name="审核通过").click()
    expect(bureau.get_by_role("heading", name="请确认审核结论")).to_be_visible()
    bureau.get_by_role("button", name="确认审核通过（合格）").click()
    expect(bureau.get_by_text("报告已审核通过")).to_be_visible()

    # The organisation reloads: every criterion passes, and it applies.
    org_page.goto(apply_url)
    expect(org_page.locator("[data-ineligible]")).to_have_count(0)
    expect(org_page.get_by_text("符合全部申请条件")).to_be_visible()
    expect(org_page.locator('[data-criterion="reports"]')).to_have_attribute("data-passed", "1")
    expect(org_page.locator('[data-eligibility] [data-passed="0"]')).to_have_count(0)
    org_page.get_by_label("申请说明").fill("本会组织社工开展社区服务，希望入驻基地完善项目管理和财务制度。")
    org_page.get_by_role("button", name="提交申请").click()
    expect(org_page).to_have_url(re.compile(r"/workbench/incubator/[0-9A-Z]{18}/applications/\d+/$"))
    expect(org_page.get_by_role("heading", level=1)).to_have_text(BASE)
    expect(org_page.locator("dd[data-state]")).to_have_text("已提交")
    expect(org_page.get_by_text("申请已提交")).to_be_visible()
    assert_accessible(org_page)

    # The bureau screens and admits it from the incubator review queue.
    bureau.goto(base + "/admin/incubator/applications/")
    bureau.locator("table.listing tbody tr", has_text=BASE).get_by_role("link", name=ORG).click()
    expect(bureau.locator("strong[data-state]")).to_have_text("已提交")
    bureau.locator('select[name="target"]').select_option(label="初审中")
    bureau.get_by_role("button", name="提交决定").click()
    expect(bureau.get_by_text("已作出决定：初审中。")).to_be_visible()
    bureau.locator('select[name="target"]').select_option(label="评审打分中")
    bureau.get_by_role("button", name="提交决定").click()
    expect(bureau.get_by_text("已作出决定：评审打分中。")).to_be_visible()

    # Two reviewers score it. The officer is one; an admission before the panel is complete is
    # refused.
    score(bureau, (8, 8, 9, 7))
    expect(bureau.get_by_text("已提交您的评审打分。")).to_be_visible()
    expect(bureau.locator("[data-panel-status]")).to_contain_text("已打分专家 1 位，至少需要 2 位")
    bureau.locator('select[name="target"]').select_option(label="已录取")
    bureau.get_by_role("button", name="提交决定").click()
    expect(bureau.get_by_role("alert")).to_contain_text("评审打分尚未完成")
    expert = new_page()
    admin_sign_in(expert, base, REVIEWER)
    expert.goto(bureau.url)
    expect(expert.locator("[data-reviews]")).to_have_count(0)  # blind until their own review
    score(expert, (7, 8, 8, 6))
    expect(expert.locator("[data-reviews] [data-review]")).to_have_count(2)
    # (30×0.8 + 30×0.8 + 25×0.9 + 15×0.7 = 81.00) and (21 + 24 + 20 + 9 = 74.00): mean 77.50
    expect(expert.locator("[data-panel-mean]")).to_have_text("77.50")

    bureau.goto(bureau.url)  # a GET: the page on screen answered the refused POST
    bureau.locator('select[name="target"]').select_option(label="已录取")
    bureau.locator('textarea[name="reason"]').fill("材料齐全，服务方向与基地定位相符。")
    bureau.get_by_role("button", name="提交决定").click()
    expect(bureau.get_by_text("已作出决定：已录取。")).to_be_visible()
    expect(bureau.locator("strong[data-state]")).to_have_text("已录取")

    # The organisation sees the admission with the bureau's reason.
    org_page.reload()
    expect(org_page.locator("dd[data-state]")).to_have_text("已录取")
    expect(org_page.locator("dd[data-reason]")).to_contain_text("服务方向与基地定位相符")
    expect(org_page.locator("dd[data-panel-score]")).to_have_text("77.50 分（百分制，2 位评审专家的平均分）")

    # The public profile lists the programme in its 孵化培育 section.
    public.goto(f"{base}/orgs/{organization.uscc}/")
    section = public.locator('section[aria-labelledby="section-incubator"]')
    expect(section.get_by_role("heading", name="孵化培育")).to_be_visible()
    programme_row = section.get_by_role("row", name=re.compile(re.escape(BASE)))
    expect(programme_row).to_contain_text("已录取")
    expect(programme_row.get_by_role("link", name=BASE)).to_be_visible()
