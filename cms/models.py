"""Wagtail page types and site settings run by the bureau's editors."""

from django.core.paginator import Paginator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from . import online_services
from .blocks import AttachmentBlock, BodyBlock, FAQBlock, MaterialBlock, ServiceEntryBlock, StepBlock
from .links import CheckedLinksPageForm
from .locales import active_locale, in_default_locale


def localized_children(page, model):
    """Live children of ``model`` under the default-language version of ``page``,
    each replaced by its translation in the active language where one exists.

    Editors write every page in Chinese first; a missing English translation
    falls back to the Chinese page rather than vanishing from the English site.
    """
    source = in_default_locale(page)
    return in_active_locale(model.objects.child_of(source).live().public().specific(), model)


def in_active_locale(pages, model):
    """``pages`` (of the default language), each replaced by its live translation in the
    active language where one exists, in the same order."""
    pages = list(pages)
    active = active_locale()
    if not pages or all(page.locale_id == active.pk for page in pages):
        return pages
    translations = {
        p.translation_key: p
        for p in model.objects.live()
        .public()
        .filter(locale=active, translation_key__in=[page.translation_key for page in pages])
    }
    return [translations.get(page.translation_key, page) for page in pages]


class HomePage(Page):
    base_form_class = CheckedLinksPageForm
    hero_title = models.CharField(_("主标题"), max_length=80)
    hero_text = models.TextField(_("引导语"), blank=True)
    entries = StreamField([("entry", ServiceEntryBlock())], verbose_name=_("服务入口"), blank=True)
    notices_title = models.CharField(_("公告栏标题"), max_length=40, default="通知公告")

    content_panels = Page.content_panels + [
        MultiFieldPanel([FieldPanel("hero_title"), FieldPanel("hero_text")], heading=_("首屏")),
        FieldPanel("entries"),
        FieldPanel("notices_title"),
    ]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["cms.StandardPage", "cms.GuideIndexPage", "cms.NewsIndexPage", "cms.SectionPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("首页")

    def latest_notices(self, count=5):
        source = in_default_locale(self)
        latest = NewsPage.objects.live().public().descendant_of(source).order_by("-date", "-pk")[:count]
        return in_active_locale(latest, NewsPage)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["notices"] = self.latest_notices()
        return context


class StandardPage(Page):
    base_form_class = CheckedLinksPageForm
    intro = models.TextField(_("摘要"), blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("正文"), blank=True)

    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    parent_page_types = ["cms.HomePage", "cms.StandardPage"]
    subpage_types = ["cms.StandardPage"]

    class Meta:
        verbose_name = _("普通页面")


class GuideIndexPage(Page):
    base_form_class = CheckedLinksPageForm
    intro = models.TextField(_("说明"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.GuidePage"]

    class Meta:
        verbose_name = _("办事指南栏目")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        guides = localized_children(self, GuidePage)
        topic = request.GET.get("topic", "")
        if topic in dict(GuidePage.TOPIC_CHOICES):
            guides = [guide for guide in guides if guide.topic == topic]
        context.update(guides=guides, topics=GuidePage.TOPIC_CHOICES, active_topic=topic)
        return context


class GuidePage(Page):
    """A service guide (办事指南) with the structure citizens expect from a government portal."""

    base_form_class = CheckedLinksPageForm
    TOPIC_CHOICES = [("funeral", _("殡葬服务")), ("social_org", _("社会组织")), ("other", _("其他"))]

    topic = models.CharField(_("所属事项"), max_length=20, choices=TOPIC_CHOICES, default="other")
    service_name = models.CharField(_("事项名称"), max_length=120)
    summary = models.TextField(_("事项简介"), blank=True)
    legal_basis = RichTextField(_("设定依据"), features=["bold", "italic", "link", "ol", "ul"])
    eligibility = RichTextField(_("申请条件"), features=["bold", "italic", "link", "ol", "ul"])
    materials = StreamField([("material", MaterialBlock())], verbose_name=_("申请材料"))
    steps = StreamField([("step", StepBlock())], verbose_name=_("办理流程"))
    time_limit_working_days = models.PositiveIntegerField(
        _("办理时限（工作日）"), null=True, blank=True, help_text=_("留空表示即时办结。")
    )
    fees = models.CharField(_("收费标准"), max_length=200, default="不收费")
    where_to_apply = models.TextField(_("办理地点"), blank=True)
    online_service = models.CharField(
        _("在线办理事项"),
        max_length=40,
        blank=True,
        choices=online_services.choices,
        help_text=_("本平台上办理这一事项的页面；指南页的“在线办理”按钮链接到它（按访问者的语言）。"),
    )
    online_url = models.URLField(
        _("网上办理链接"), blank=True, help_text=_("未选择本平台事项时，“在线办理”按钮链接到这个地址。")
    )
    consultation_phone = models.CharField(_("咨询电话"), max_length=60, blank=True)
    downloads = StreamField([("file", AttachmentBlock())], verbose_name=_("表格下载与示范文本"), blank=True)
    faqs = StreamField([("faq", FAQBlock())], verbose_name=_("常见问题"), blank=True)

    search_fields = Page.search_fields + [
        index.SearchField("service_name"),
        index.SearchField("summary"),
        index.SearchField("materials"),
        index.FilterField("topic"),
    ]
    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldPanel("topic"), FieldPanel("service_name"), FieldPanel("summary")], heading=_("事项")
        ),
        FieldPanel("legal_basis"),
        FieldPanel("eligibility"),
        FieldPanel("materials"),
        FieldPanel("steps"),
        MultiFieldPanel(
            [
                FieldPanel("time_limit_working_days"),
                FieldPanel("fees"),
                FieldPanel("where_to_apply"),
                FieldPanel("online_service"),
                FieldPanel("online_url"),
                FieldPanel("consultation_phone"),
            ],
            heading=_("办理信息"),
        ),
        FieldPanel("downloads"),
        FieldPanel("faqs"),
    ]
    parent_page_types = ["cms.GuideIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("办事指南")

    def online_link(self):
        """Where the guide's "在线办理" button goes: the chosen service of this platform in the
        active language (with whether it needs sign-in), else the free address, else ``None``."""
        service = online_services.get(self.online_service)
        url = online_services.url_for(self.online_service)
        if url:
            return {"url": url, "label": service.label, "sign_in": service.sign_in}
        if self.online_url:
            return {"url": self.online_url, "label": "", "sign_in": False}
        return None


class NewsIndexPage(Page):
    base_form_class = CheckedLinksPageForm
    intro = models.TextField(_("说明"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.NewsPage"]
    page_size = 10

    class Meta:
        verbose_name = _("通知公告栏目")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        source = in_default_locale(self)
        news = NewsPage.objects.child_of(source).live().public().order_by("-date", "-pk")
        tag = request.GET.get("tag", "").strip()
        if tag:
            # A tag of the notice in any language (an English copy carries English tags).
            tagged = NewsPage.objects.filter(tags__name=tag).values("translation_key")
            news = news.filter(translation_key__in=tagged)
        page_obj = Paginator(news, self.page_size).get_page(request.GET.get("page"))
        page_obj.object_list = in_active_locale(page_obj.object_list, NewsPage)
        context["page_obj"] = page_obj
        context["active_tag"] = tag
        return context


class NewsPageTag(TaggedItemBase):
    content_object = ParentalKey("cms.NewsPage", related_name="tagged_items", on_delete=models.CASCADE)


class NewsPage(Page):
    base_form_class = CheckedLinksPageForm
    date = models.DateField(_("发布日期"))
    document_number = models.CharField(_("文号"), max_length=80, blank=True)
    summary = models.TextField(_("摘要"), blank=True)
    body = StreamField(BodyBlock(), verbose_name=_("正文"))
    attachments = StreamField([("file", AttachmentBlock())], verbose_name=_("附件"), blank=True)
    tags = ClusterTaggableManager(through=NewsPageTag, blank=True, verbose_name=_("标签"))

    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body")]
    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [FieldPanel("date"), FieldPanel("document_number"), FieldPanel("tags")], heading=_("信息")
        ),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("attachments"),
    ]
    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("通知公告")
        ordering = ["-date"]


@register_setting(icon="site")
class BureauSettings(BaseSiteSetting):
    """Facts shown in the footer and on the contact blocks of every page."""

    bureau_name = models.CharField(_("机关名称"), max_length=80, default="北京市民政局")
    bureau_name_en = models.CharField(
        _("机关名称（英文）"), max_length=120, blank=True, help_text=_("英文页面显示；留空则显示中文名称。")
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    address_en = models.CharField(
        _("地址（英文）"), max_length=300, blank=True, help_text=_("英文页面显示；留空则显示中文地址。")
    )
    postcode = models.CharField(_("邮编"), max_length=10, blank=True)
    service_hotline = models.CharField(_("政务服务热线"), max_length=40, default="12345")
    funeral_hotline = models.CharField(_("殡葬服务热线"), max_length=40, blank=True)
    complaint_hotline = models.CharField(_("投诉举报电话"), max_length=40, blank=True)
    icp_number = models.CharField(_("ICP 备案号"), max_length=60, blank=True)
    public_security_record = models.CharField(_("公安备案号"), max_length=60, blank=True)
    demo_notice = models.BooleanField(
        _("显示示例站点提示"), default=False, help_text=_("演示环境中在每页顶部提示内容为示例。")
    )
    eco_burial_page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("节地生态安葬介绍页"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("网上祭扫页面链接到这一页；页面内容由编辑在“页面”中维护。"),
    )

    # The user-visible texts that have an English field (``<name>_en``).
    translated_fields = ("bureau_name", "address")

    panels = [
        FieldPanel("bureau_name"),
        FieldPanel("bureau_name_en"),
        FieldPanel("address"),
        FieldPanel("address_en"),
        FieldPanel("postcode"),
        MultiFieldPanel(
            [FieldPanel("service_hotline"), FieldPanel("funeral_hotline"), FieldPanel("complaint_hotline")],
            heading=_("热线"),
        ),
        MultiFieldPanel([FieldPanel("icp_number"), FieldPanel("public_security_record")], heading=_("备案")),
        FieldPanel("demo_notice"),
        FieldPanel("eco_burial_page"),
    ]

    class Meta:
        verbose_name = _("站点信息")

    def localized(self, field):
        """``field`` in the active language: its ``_en`` twin on an English page when an
        editor filled it in, otherwise the Chinese value."""
        if field not in self.translated_fields:
            raise ValueError(field)
        language = (get_language() or "").lower()
        if not language.startswith("zh"):
            english = getattr(self, f"{field}_en", "")
            if english:
                return english
        return getattr(self, field)

    @property
    def bureau_name_display(self):
        return self.localized("bureau_name")

    @property
    def address_display(self):
        return self.localized("address")


from .section_pages import SectionPage  # noqa: E402  (registers the model; it uses the ones above)

__all__ = [
    "HomePage",
    "StandardPage",
    "GuideIndexPage",
    "GuidePage",
    "NewsIndexPage",
    "NewsPage",
    "NewsPageTag",
    "BureauSettings",
    "SectionPage",
]
