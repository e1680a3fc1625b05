"""StreamField blocks used by the CMS pages."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock


class ServiceEntryBlock(blocks.StructBlock):
    """A card on the home page that leads to a service."""

    title = blocks.CharBlock(label=_("标题"), max_length=40)
    description = blocks.TextBlock(label=_("说明"), max_length=200)
    page = blocks.PageChooserBlock(label=_("链接页面"), required=False)
    url = blocks.CharBlock(
        label=_("或站内链接"), required=False, max_length=200, help_text=_("例如 /funeral/")
    )
    icon = blocks.ChoiceBlock(
        label=_("图标"),
        choices=[
            ("funeral", _("殡葬服务")),
            ("orgs", _("社会组织")),
            ("guide", _("办事指南")),
            ("news", _("通知公告")),
            ("charity", _("慈善公开")),
            ("credit", _("信用查询")),
        ],
        default="guide",
    )

    class Meta:
        icon = "link"
        label = _("服务入口")
        template = "cms/blocks/service_entry.html"


class MaterialValue(blocks.StructValue):
    @property
    def form_label(self):
        return dict(MaterialBlock.FORM_CHOICES).get(self.get("form"), self.get("form"))

    @property
    def signature_label(self):
        return dict(MaterialBlock.SIGNATURE_CHOICES).get(self.get("signature"), self.get("signature"))


class MaterialBlock(blocks.StructBlock):
    """One item of a service guide's required-materials list (申请材料)."""

    FORM_CHOICES = [
        ("original", _("原件")),
        ("copy", _("复印件")),
        ("electronic", _("电子件")),
        ("original_and_copy", _("原件及复印件")),
    ]
    SIGNATURE_CHOICES = [
        ("none", _("无需签字盖章")),
        ("signature", _("需申请人签字")),
        ("seal", _("需加盖单位公章")),
        ("signature_and_seal", _("需签字并盖章")),
    ]

    name = blocks.CharBlock(label=_("材料名称"), max_length=120)
    form = blocks.ChoiceBlock(label=_("材料形式"), choices=FORM_CHOICES, default="original")
    copies = blocks.IntegerBlock(label=_("份数"), min_value=1, default=1)
    signature = blocks.ChoiceBlock(label=_("签字盖章要求"), choices=SIGNATURE_CHOICES, default="none")
    notes = blocks.TextBlock(label=_("备注"), required=False)
    # S9: a guide that is an online application's checklist (GuidePage.online_service) asks for
    # every item marked required before the application can be submitted.
    required = blocks.BooleanBlock(
        label=_("必须提供"),
        required=False,
        default=True,
        help_text=_("不勾选表示“如适用”，在线申请时可不上传。"),
    )

    class Meta:
        icon = "doc-full"
        label = _("申请材料")
        template = "cms/blocks/material.html"
        value_class = MaterialValue


class StepBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("步骤名称"), max_length=80)
    description = blocks.TextBlock(label=_("说明"), required=False)

    class Meta:
        icon = "list-ol"
        label = _("办理步骤")


class FAQBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("问题"), max_length=200)
    answer = blocks.RichTextBlock(label=_("回答"), features=["bold", "italic", "link", "ol", "ul"])

    class Meta:
        icon = "help"
        label = _("常见问题")


class AttachmentBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("名称"), max_length=120, required=False)
    document = DocumentChooserBlock(label=_("文件"))
    kind = blocks.ChoiceBlock(
        label=_("类型"),
        choices=[("form", _("申请表格")), ("sample", _("示范文本")), ("attachment", _("附件"))],
        default="form",
    )

    class Meta:
        icon = "doc-full-inverse"
        label = _("下载文件")


class BodyBlock(blocks.StreamBlock):
    heading = blocks.CharBlock(label=_("小标题"), form_classname="title", template="cms/blocks/heading.html")
    paragraph = blocks.RichTextBlock(label=_("正文"))
    attachment = AttachmentBlock()

    class Meta:
        label = _("正文")
