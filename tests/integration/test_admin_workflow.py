"""Notices and service guides go through the bureau's approval (issue 23, point 8).

A content editor (内容编辑) edits a notice and submits it; it is not live until a member of
the approving group (市民政局管理员) approves it. A rejection sends it back with a comment.
The editor can't publish a notice or a guide by any route, and every step is in the audit
log. See ``cms.moderation``.
"""

import datetime

import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from wagtail.models import PageLogEntry, TaskState, WorkflowState
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from accounts.groups import BUREAU_ADMIN, CONTENT_EDITOR
from cms import moderation
from cms.models import GuideIndexPage, NewsIndexPage, StandardPage
from tests.factories.accounts import UserFactory
from tests.factories.cms import make_guide, make_home_page, make_news

pytestmark = pytest.mark.django_db


def member(group, mobile):
    user = UserFactory(mobile=mobile, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def site():
    home = make_home_page()
    guide = make_guide(home)
    news = make_news(home, title="原通知标题", date=datetime.date(2026, 1, 1), slug="n1")
    about = StandardPage(title="关于我们", slug="about")
    home.add_child(instance=about)
    about.save_revision().publish()
    moderation.apply(apps)  # what the demo loader does once its pages exist
    return {"home": home, "guide": guide, "news": news, "about": about}


def news_form(news, title, **extra):
    return nested_form_data(
        {
            "title": title,
            "slug": news.slug,
            "date": news.date.isoformat(),
            "document_number": "",
            "summary": "",
            "tags": "",
            "body": streamfield([("paragraph", rich_text("<p>修改后的正文</p>"))]),
            "attachments": streamfield([]),
            **extra,
        }
    )


def submit(client, news, title):
    return client.post(
        f"/admin/pages/{news.pk}/edit/", news_form(news, title, **{"action-submit": "action-submit"})
    )


def public(page):
    """The public page, as an anonymous visitor sees it (no admin messages)."""
    return Client().get(page.url).content.decode()


def action_url(news, action, task_state):
    return reverse("wagtailadmin_pages:workflow_action", args=(news.pk, action, task_state.pk))


def current_task_state(news):
    return TaskState.objects.get(workflow_state__object_id=str(news.pk), status=TaskState.STATUS_IN_PROGRESS)


def test_the_workflow_is_assigned_to_guides_and_notices_and_approved_by_the_bureau(site):
    for index in (GuideIndexPage.objects.get(), NewsIndexPage.objects.get()):
        workflow = index.get_workflow()
        assert workflow is not None and workflow.name == moderation.WORKFLOW_NAME
    assert site["guide"].get_workflow().name == moderation.WORKFLOW_NAME  # children inherit it
    task = site["news"].get_workflow().tasks.get().specific
    assert [g.name for g in task.groups.all()] == [BUREAU_ADMIN]
    # Running it again changes nothing (the migration and the demo both run it).
    moderation.apply(apps)
    from wagtail.models import Workflow, WorkflowPage

    assert Workflow.objects.filter(name=moderation.WORKFLOW_NAME).count() == 1
    assert (
        WorkflowPage.objects.filter(workflow__name=moderation.WORKFLOW_NAME).count() == 3
    )  # home + 2 indexes


def test_editors_can_publish_other_sections_but_not_guides_notices_or_the_home_page(site):
    editor = member(CONTENT_EDITOR, "13655510001")
    assert not site["guide"].permissions_for_user(editor).can_publish()
    assert not site["news"].permissions_for_user(editor).can_publish()
    assert not site["home"].permissions_for_user(editor).can_publish()
    assert site["news"].permissions_for_user(editor).can_edit()  # they still write them
    assert site["about"].permissions_for_user(editor).can_publish()
    approver = member(BUREAU_ADMIN, "13655510002")
    assert site["news"].permissions_for_user(approver).can_publish()


def test_an_editor_cannot_publish_a_notice_directly(client, site):
    news = site["news"]
    client.force_login(member(CONTENT_EDITOR, "13655510001"))
    response = client.post(
        f"/admin/pages/{news.pk}/edit/",
        news_form(news, "编辑直接发布", **{"action-publish": "action-publish"}),
    )
    assert response.status_code in (200, 302, 403)
    news.refresh_from_db()
    assert news.title == "原通知标题"  # at most a draft was saved
    assert "编辑直接发布" not in public(news)
    # Nor take it offline.
    assert client.post(f"/admin/pages/{news.pk}/unpublish/").status_code in (302, 403)
    news.refresh_from_db()
    assert news.live


def test_submitted_approved_and_live(client, site):
    news = site["news"]
    editor = member(CONTENT_EDITOR, "13655510001")
    client.force_login(editor)
    response = submit(client, news, "经审核的新标题")
    assert response.status_code == 302
    state = WorkflowState.objects.get(base_content_type__model="page", object_id=str(news.pk))
    assert state.status == WorkflowState.STATUS_IN_PROGRESS and state.requested_by == editor
    news.refresh_from_db()
    assert news.live and news.title == "原通知标题"  # nothing changed on the public page yet
    assert "经审核的新标题" not in public(news)

    # The editor can't approve their own submission.
    task_state = current_task_state(news)
    approve_url = action_url(news, "approve", task_state)
    client.post(approve_url, {"comment": ""})
    task_state.refresh_from_db()
    assert task_state.status == TaskState.STATUS_IN_PROGRESS

    approver = member(BUREAU_ADMIN, "13655510002")
    client.force_login(approver)
    dashboard = client.get("/admin/").content.decode()
    assert "经审核的新标题" in dashboard  # "awaiting your review" on the approver's dashboard
    response = client.post(approve_url, {"comment": "同意发布"})
    assert response.status_code in (200, 302)
    state.refresh_from_db()
    news.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED
    assert news.live and news.title == "经审核的新标题" and not news.has_unpublished_changes
    assert "经审核的新标题" in public(news)

    actions = list(PageLogEntry.objects.filter(page=news).order_by("timestamp").values_list("action", "user"))
    assert ("wagtail.workflow.start", editor.pk) in actions
    assert ("wagtail.workflow.approve", approver.pk) in actions
    assert ("wagtail.publish", approver.pk) in actions


def test_a_rejection_sends_the_notice_back_with_a_comment(client, site):
    news = site["news"]
    editor = member(CONTENT_EDITOR, "13655510001")
    client.force_login(editor)
    submit(client, news, "有错的新标题")
    task_state = current_task_state(news)

    approver = member(BUREAU_ADMIN, "13655510002")
    client.force_login(approver)
    client.post(
        action_url(news, "reject", task_state),
        {"comment": "文号有误，请核对后重新提交"},
    )
    task_state.refresh_from_db()
    assert task_state.status == TaskState.STATUS_REJECTED
    assert task_state.comment == "文号有误，请核对后重新提交"
    state = task_state.workflow_state
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    news.refresh_from_db()
    assert news.title == "原通知标题" and "有错的新标题" not in public(news)

    # The editor sees the comment on the page's edit view and can submit again.
    client.force_login(editor)
    edit = client.get(f"/admin/pages/{news.pk}/edit/").content.decode()
    assert "文号有误，请核对后重新提交" in edit
    reject = PageLogEntry.objects.get(page=news, action="wagtail.workflow.reject")
    assert reject.user == approver and reject.data["comment"] == "文号有误，请核对后重新提交"
    response = client.post(
        f"/admin/pages/{news.pk}/edit/",
        news_form(news, "改正后的新标题", **{"action-restart-workflow": "action-restart-workflow"}),
    )
    assert response.status_code == 302
    assert WorkflowState.objects.filter(
        object_id=str(news.pk), status=WorkflowState.STATUS_IN_PROGRESS
    ).exists()


def test_a_later_migrate_does_not_give_editors_the_publish_permission_back(site):
    from accounts.signals import apply_group_permissions

    editor = member(CONTENT_EDITOR, "13655510001")
    apply_group_permissions()  # what the next deploy's migrate runs
    assert not site["news"].permissions_for_user(editor).can_publish()
