"""Safe publishing of notices and guides (issue 23, point 8): editor → bureau approval.

Service guides (办事指南) and notices (通知公告) are the platform's official word, so a content
editor (group 内容编辑) can't publish them: the editor submits a change, and a member of the
bureau's administrators (group 市民政局管理员, the approving group) approves it in Wagtail's
workflow — the page goes live then — or rejects it with a comment, which sends it back.

* One Wagtail ``Workflow`` (:data:`WORKFLOW_NAME`) with one ``GroupApprovalTask``
  (:data:`TASK_NAME`) for the group :data:`APPROVER_GROUP`.
* It is assigned (``WorkflowPage``) to every guide index and news index page, in every
  language, and to the home pages, whose edits an editor can't publish either.
* Wagtail's page permissions are inherited down the tree and can't be taken away below a
  page, so editors hold no ``publish_page`` on the tree's root: they get it on each other
  section under a home page (standard and section pages), and not on the guide and news
  indexes nor the home page itself.

Everything here takes an app registry, so the same code runs from the data migration (on
the historical models; pages may not exist yet on a fresh database) and from the demo
loader (which creates the pages). Every step is idempotent.
"""

WORKFLOW_NAME = "通知公告与办事指南审核"
TASK_NAME = "市民政局审核"
APPROVER_GROUP = "市民政局管理员"
EDITOR_GROUP = "内容编辑"
# Page models whose pages (and so all their children) need the bureau's approval.
MODERATED_MODELS = ("guideindexpage", "newsindexpage", "homepage")
# Editors publish directly the other sections under a home page.
HOME_MODEL = "homepage"
PUBLISH = "publish_page"
# ``accounts.SeededGrant`` key of the editors' tree-wide publish grant (accounts.signals): its
# record tells the post-migrate seeding that the grant was given once, so it is never re-added.
EDITOR_PUBLISH_GRANT = "page:publish_page"
# Wagtail's tree paths: four characters per level (treebeard's steplen; historical models lack it).
STEPLEN = 4


def ensure_workflow(apps):
    """The workflow and its group-approval task; created once, found by name afterwards."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    GroupApprovalTask = apps.get_model("wagtailcore", "GroupApprovalTask")

    approvers, _ = Group.objects.get_or_create(name=APPROVER_GROUP)
    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        content_type, _ = ContentType.objects.get_or_create(
            app_label="wagtailcore", model="groupapprovaltask"
        )
        task = GroupApprovalTask.objects.create(name=TASK_NAME, content_type=content_type, active=True)
        task.groups.add(approvers)
    workflow = Workflow.objects.filter(name=WORKFLOW_NAME).first()
    if workflow is None:
        workflow = Workflow.objects.create(name=WORKFLOW_NAME, active=True)
    if not WorkflowTask.objects.filter(workflow=workflow, task=task).exists():
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    return workflow


def _pages_of(apps, *models):
    Page = apps.get_model("wagtailcore", "Page")
    return Page.objects.filter(content_type__app_label="cms", content_type__model__in=models)


def assign_workflow(apps, workflow=None):
    """Assign the workflow to every guide index, news index and home page that exists.

    A page that already has a workflow of its own keeps it (an administrator chose it)."""
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    workflow = workflow or ensure_workflow(apps)
    for page in _pages_of(apps, *MODERATED_MODELS):
        WorkflowPage.objects.get_or_create(page_id=page.pk, defaults={"workflow": workflow})


def restrict_editor_publishing(apps):
    """Editors may not publish guides, notices or the home page; they may publish the other
    sections under a home page. Returns the pages they may publish."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Page = apps.get_model("wagtailcore", "Page")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    SeededGrant = apps.get_model("accounts", "SeededGrant")

    # The tree-wide grant counts as given: the post-migrate seeding never adds it again.
    SeededGrant.objects.get_or_create(group_name=EDITOR_GROUP, permission=EDITOR_PUBLISH_GRANT)
    editors = Group.objects.filter(name=EDITOR_GROUP).first()
    publish = Permission.objects.filter(content_type__app_label="wagtailcore", codename=PUBLISH).first()
    if editors is None or publish is None:
        return []
    # Publishing anywhere above or on a moderated page would reach it by inheritance.
    moderated = list(_pages_of(apps, *MODERATED_MODELS))
    above = {page.path[: STEPLEN * depth] for page in moderated for depth in range(1, page.depth + 1)}
    GroupPagePermission.objects.filter(group=editors, permission=publish, page__path__in=above).delete()
    allowed = []
    for home in _pages_of(apps, HOME_MODEL):
        sections = Page.objects.filter(path__startswith=home.path, depth=home.depth + 1).exclude(
            content_type__app_label="cms", content_type__model__in=MODERATED_MODELS
        )
        for section in sections:
            GroupPagePermission.objects.get_or_create(group=editors, page_id=section.pk, permission=publish)
            allowed.append(section)
    return allowed


def apply(apps):
    """The whole arrangement; what the migration and the demo loader run."""
    assign_workflow(apps, ensure_workflow(apps))
    return restrict_editor_publishing(apps)
