"""The demo editor changes a service guide and submits it; the demo approver approves it from
their dashboard; the public guide shows the new text (issue 23, point 8). Before the approval
the public guide still shows the old text."""

import re

from playwright.sync_api import expect

from accounts.demo import DEMO_EDITOR_MOBILE
from cms.demo import DEMO_APPROVER_MOBILE
from cms.moderation import WORKFLOW_NAME
from tests.browser.helpers import sign_in

NEW_SUMMARY = "本指南已按新规定更新（审核流程测试）。"


def test_an_editor_submits_a_guide_and_the_bureau_approves_it(demo_site, new_page):
    from cms.models import GuidePage

    base = demo_site.url
    guide = GuidePage.objects.filter(locale__language_code="zh-hans").order_by("path").first()
    public_url = base + guide.url

    editor = new_page()
    sign_in(editor, base, DEMO_EDITOR_MOBILE)
    editor.goto(f"{base}/admin/pages/{guide.pk}/edit/")
    editor.locator("#id_summary").fill(NEW_SUMMARY)
    # The editor has no "发布": the footer offers saving a draft and submitting for approval.
    footer = editor.locator("footer")
    expect(footer.locator('button[name="action-publish"]')).to_have_count(0)
    footer.locator("[data-w-dropdown-target='toggle']").first.click()
    footer.get_by_role("button", name=re.compile(f"提交给.*{WORKFLOW_NAME}")).click()
    expect(editor.get_by_text("已经提交进行审核").first).to_be_visible()

    visitor = new_page()
    visitor.goto(public_url)
    expect(visitor.get_by_text(NEW_SUMMARY)).to_have_count(0)

    from wagtail.models import TaskState

    from accounts.models import User

    approver_user = User.objects.get(mobile=DEMO_APPROVER_MOBILE)
    waiting = [state.workflow_state.object_id for state in TaskState.objects.reviewable_by(approver_user)]
    assert waiting == [str(guide.pk)], (waiting, list(TaskState.objects.values_list("task__name", "status")))

    approver = new_page()
    sign_in(approver, base, DEMO_APPROVER_MOBILE)
    approver.goto(base + "/admin/")
    row = approver.locator("tr", has_text=guide.title).first
    expect(row).to_be_visible()  # "等待您审核" on the approver's dashboard
    row.locator("[data-w-dropdown-target='toggle']").click()
    row.get_by_role("button", name="批准", exact=True).click()

    for _ in range(20):
        guide.refresh_from_db()
        if guide.summary.startswith(NEW_SUMMARY):
            break
        approver.wait_for_timeout(250)
    assert guide.summary.startswith(NEW_SUMMARY) and not guide.has_unpublished_changes
    visitor.goto(public_url)
    expect(visitor.get_by_text(NEW_SUMMARY).first).to_be_visible()
