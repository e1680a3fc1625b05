"""``/api/v1/changes/``: the public change feed (issue 19), and the Atom feeds built from it.

``GET /api/v1/changes/?after=<cursor>&kind=<kind>&subject=<slug or USCC>`` lists the changes
with a cursor above ``after`` (exclusive), oldest first. The cursor of a change is its ``id``;
a client stores the last one it processed and asks for the changes after it. Pages follow the
project's keyset pagination (``next``), so ``after`` only needs to be sent on the first request.

It is a :class:`api.base.PublicViewSet` (ordering ``id``, the project's cursor pagination,
throttling, caching headers, licence) rather than a plain view: "after" is one more filter of
its FilterSet, and a page's ``next`` link keeps it.
"""

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from rest_framework import serializers

from . import feeds  # noqa: F401  (registers the Atom feeds)
from .base import PublicViewSet
from .changes import CACHE_SECTION, kind_choices, kinds
from .models import PublicChange
from .registry import register


class PublicChangeFilter(filters.FilterSet):
    after = filters.NumberFilter(
        field_name="id",
        lookup_expr="gt",
        min_value=0,
        label=_("游标之后"),
        help_text=_("只列出游标大于此值的变更（不含此值）。"),
    )
    kind = filters.MultipleChoiceFilter(
        choices=kind_choices,
        label=_("变更类型"),
        help_text=_("可重复，如 kind=price.published&kind=listing.confirmed。"),
    )
    subject = filters.CharFilter(
        field_name="subject", label=_("主体"), help_text=_("机构网址标识或统一社会信用代码。")
    )

    class Meta:
        model = PublicChange
        fields = ["after", "kind", "subject"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The kinds are registered by the apps after this module is imported: name them here.
        message = _("未知的变更类型“%(value)s”。可用的类型：%(kinds)s。") % {
            "value": "%(value)s",
            "kinds": ", ".join(kinds()),
        }
        self.filters["kind"].extra["error_messages"] = {"invalid_choice": message}


class PublicChangeSerializer(serializers.ModelSerializer):
    cursor = serializers.IntegerField(source="id", read_only=True)
    kind_label = serializers.SerializerMethodField()
    title = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()
    api_url = serializers.SerializerMethodField()

    class Meta:
        model = PublicChange
        fields = ["cursor", "kind", "kind_label", "subject", "title", "occurred_at", "html_url", "api_url"]

    def get_kind_label(self, change) -> str:
        return str(change.kind_label)

    def get_title(self, change) -> str:
        return change.localized_title()

    def _absolute(self, path):
        request = self.context.get("request")
        return request.build_absolute_uri(path) if path and request is not None else path

    def get_html_url(self, change) -> str:
        return self._absolute(change.html_url)

    def get_api_url(self, change) -> str:
        return self._absolute(change.api_url)


class PublicChangeViewSet(PublicViewSet):
    """公开变更记录：价格发布、名录列入与移出、年报审核通过、捐赠公开与更正、评估等级评定与到期、机构核验等，按游标顺序排列。"""

    queryset = PublicChange.objects.all()
    serializer_class = PublicChangeSerializer
    filterset_class = PublicChangeFilter
    ordering = ("id",)
    cache_sections = (CACHE_SECTION,)


register("changes", PublicChangeViewSet, "change")
