"""The biography of a memorial: a small, fixed set of StreamField blocks (M1).

Paragraphs allow bold, italic and links only; a quote is plain text with an optional source.
Photos are not part of this round (no image block), so no EXIF can leak through a biography.
"""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("引文"), max_length=500)
    source = blocks.CharBlock(label=_("出处"), max_length=60, required=False)

    class Meta:
        label = _("引文")
        icon = "openquote"
        template = "memorials/blocks/quote.html"


class BiographyBlock(blocks.StreamBlock):
    paragraph = blocks.RichTextBlock(label=_("段落"), features=["bold", "italic", "link"])
    quote = QuoteBlock()

    class Meta:
        block_counts = {}
        max_num = 60
