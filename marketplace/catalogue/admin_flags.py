"""The bureau's queue of flagged prices (F2: a market price far from the city median is
published, flagged and reviewed): accept the price, or query the provider.

The queue (``core.admin_queues``) opens on the flags waiting for the bureau (``open``), sorted
by their F2 review deadline (``PriceFlag.review_due``, F2_FLAG_REVIEW_WORKING_DAYS). A
**queried** flag is not in the bureau's queue: the bureau has made its F2 decision on time
(it asked the provider a question) and the flag now waits on the provider's answer; it is
found under the state filter 已质询 or the queue view 全部, and accepting it stays possible
from its own page.

Several open flags can be accepted at once (``AcceptFlagsBulkAction``, "认可：价格合理"):
a confirmation page lists them with one shared note, and each flag is decided through
``services.anomalies.review_flag`` (one audit entry per flag). A flag that is no longer open
when the batch runs (another officer decided it meanwhile) is **skipped** and named in the
message; the others are still accepted. Querying stays one by one: each needs its own
question."""

import django_filters
from django import forms
from django.contrib.admin.utils import quote
from django.db import transaction
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.tables import BulkActionsCheckboxColumn
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import register_permission_policy

from accounts.groups import FUNERAL_SECTION
from core.admin_policies import DECIDE_ONLY, RefusingPolicy
from core.admin_queues import (
    ComputedExportMixin,
    DeadlineColumn,
    Queue,
    QueueBulkAction,
    QueueIndexView,
    QueueViewSetMixin,
    countdown_text,
    register_queue,
)

from .models import PriceFlag, ServiceCategory
from .models.choices import District
from .services.anomalies import review_flag

register_permission_policy(PriceFlag, RefusingPolicy(PriceFlag, DECIDE_ONLY))


CHANGE_FLAG = "catalogue.change_priceflag"

FLAGS = register_queue(
    Queue(
        key="catalogue_flag",
        label=_("异常价格标记"),
        model=PriceFlag,
        section=FUNERAL_SECTION,
        permission=CHANGE_FLAG,
        # ``queried`` waits on the provider's answer, not on the bureau (module docstring).
        open_states=(PriceFlag.Status.OPEN,),
        due_field="review_due",
        received_field="created_at",
        decided_field="reviewed_at",
        district_field="provider__district",
        district_choices=lambda: District.choices,
        type_field="direction",
        type_label=_("偏离方向"),
        extra_filters={
            "category": django_filters.ModelChoiceFilter(
                label=_("项目类别"),
                field_name="version__item__category",
                queryset=ServiceCategory.objects.all(),
            )
        },
    )
)


class FlagReviewForm(WagtailAdminModelForm):
    decision = forms.ChoiceField(
        label=_("复核结论"),
        choices=[("accepted", _("认可：价格合理")), ("queried", _("质询：要求机构说明或调整"))],
        widget=forms.RadioSelect,
    )

    class Meta:
        model = PriceFlag
        fields = ["bureau_note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A decision's note starts empty: the previous one (a query's question) is in the
        # flag's history, and must not become the reason of the next decision unseen.
        self.initial["bureau_note"] = ""

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "queried" and not (cleaned.get("bureau_note") or "").strip():
            self.add_error("bureau_note", _("质询时请写明需要机构说明的问题。"))
        if (self.instance.status, cleaned.get("decision")) not in PriceFlag.TRANSITIONS:
            self.add_error("decision", _("该标记当前状态下不能作此结论。"))
        return cleaned

    def save(self, commit=True):
        return review_flag(
            self.instance,
            status=self.cleaned_data["decision"],
            note=self.cleaned_data.get("bureau_note", ""),
            user=self.for_user,
        )


class FlagIndexView(ComputedExportMixin, QueueIndexView):
    """The flag queue with a checkbox per row for the bulk acceptance, and exports whose rows
    carry the countdown an officer sees."""

    template_name = "catalogue/admin/flags/index.html"
    queryset = PriceFlag.objects.select_related("provider", "version__item__category")

    @cached_property
    def columns(self):
        return [BulkActionsCheckboxColumn("bulk_actions", obj_type="flag"), *super().columns]

    def _get_title_column(self, *args, **kwargs):
        return super()._get_title_column(
            *args, **kwargs, get_title_id=lambda instance: f"flag_{quote(instance.pk)}_title"
        )

    export_computed = {"countdown": countdown_text(FLAGS)}


class PriceFlagViewSet(QueueViewSetMixin, ModelViewSet):
    model = PriceFlag
    queue = FLAGS
    index_view_class = FlagIndexView
    icon = "warning"
    menu_label = _("异常价格标记")
    list_display = [
        "__str__",
        "provider",
        "provider__district",
        "direction",
        "ratio",
        "status",
        DeadlineColumn(FLAGS, label=_("复核期限")),
        "created_at",
    ]
    list_export = [
        "pk",
        "version.item.name",
        "version.item.category.name",
        "provider.name",
        "provider.get_district_display",
        "version.price",
        "median",
        "ratio",
        "get_direction_display",
        "get_status_display",
        "review_due",
        "countdown",
        "created_at",
        "reviewed_at",
        "bureau_note",
    ]
    export_headings = {
        "pk": _("编号"),
        "version.item.name": _("项目名称"),
        "version.item.category.name": _("项目类别"),
        "provider.name": _("机构"),
        "provider.get_district_display": _("所在区"),
        "version.price": _("价格（元）"),
        "median": _("全市中位数（元）"),
        "ratio": _("与中位数之比"),
        "get_direction_display": _("偏离方向"),
        "get_status_display": _("状态"),
        "review_due": _("复核期限"),
        "countdown": _("办理期限"),
        "created_at": _("标记时间（北京时间）"),
        "reviewed_at": _("复核时间（北京时间）"),
        "bureau_note": _("民政局意见"),
    }
    export_filename = "price-flags"
    copy_view_enabled = False
    inspect_view_enabled = True
    panels = [FieldPanel("decision"), FieldPanel("bureau_note")]

    def get_form_class(self, for_update=False):
        return FlagReviewForm


# --- Bulk acceptance --------------------------------------------------------------------------


class AcceptFlagsForm(forms.Form):
    note = forms.CharField(
        label=_("共同复核意见"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("写入每一项标记的民政局意见和审计记录。"),
    )


class AcceptFlagsBulkAction(QueueBulkAction):
    """认可：价格合理, for several open flags at once (F2), with one shared note."""

    queue = FLAGS
    related = ("provider", "version__item")
    display_name = _("认可：价格合理")
    action_type = "accept"
    aria_label = _("认可：价格合理（所选的异常价格标记）")
    template_name = "catalogue/admin/flags/confirm_bulk_accept.html"
    action_priority = 10
    form_class = AcceptFlagsForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        items = context["items"]
        context["open_items"] = [entry for entry in items if entry["item"].status == PriceFlag.Status.OPEN]
        context["skipped_items"] = [entry for entry in items if entry["item"].status != PriceFlag.Status.OPEN]
        context["header_icon"] = "warning"
        return context

    def object_context(self, flag):
        state = FLAGS.countdown_for(flag)
        return {"item": flag, "countdown": state.label if state else flag.get_status_display()}

    def get_execution_context(self):
        return {"user": self.request.user, "note": self.cleaned_form.cleaned_data["note"], "action": self}

    @classmethod
    def execute_action(cls, objects, user=None, note="", action=None, **kwargs):
        accepted, skipped = [], []
        with transaction.atomic():
            # Re-read under a lock: a flag another officer decided meanwhile is skipped.
            current = PriceFlag.objects.select_for_update().in_bulk([flag.pk for flag in objects])
            for flag in objects:
                fresh = current.get(flag.pk)
                if fresh is None or fresh.status != PriceFlag.Status.OPEN:
                    skipped.append(flag)
                    continue
                review_flag(fresh, status=PriceFlag.Status.ACCEPTED, note=note, user=user)
                accepted.append(fresh)
        if action is not None:
            action.skipped = skipped
        return len(accepted), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        text = ngettext(
            "已认可 %(n)d 项异常价格标记。", "已认可 %(n)d 项异常价格标记。", num_parent_objects
        ) % {"n": num_parent_objects}
        skipped = getattr(self, "skipped", [])
        if skipped:
            text += " " + ngettext(
                "跳过 %(n)d 项（已不是待复核状态）：%(items)s",
                "跳过 %(n)d 项（已不是待复核状态）：%(items)s",
                len(skipped),
            ) % {"n": len(skipped), "items": "；".join(str(flag) for flag in skipped)}
        return text


hooks.register("register_bulk_action", AcceptFlagsBulkAction)


def accept_flags_in_bulk(flags, *, note, user):
    """The bulk acceptance without HTTP (for scripts and tests): returns (accepted, skipped)."""

    class _Holder:
        skipped = []

    holder = _Holder()
    count, _children = AcceptFlagsBulkAction.execute_action(list(flags), user=user, note=note, action=holder)
    return count, holder.skipped
