"""Text helpers shared by indexing and querying: Chinese terms, plain text, snippets.

Indexing and queries use the same segmentation (jieba), so a multi-word Chinese query finds a
record that contains every word even when they are not adjacent.
"""

import html
import re

from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe

_PUNCTUATION = re.compile(r"[\s\u3000，,。.、;；:：()（）《》【】\[\]\"'“”‘’!！?？\-—_/\\|·]+")
_SPACES = re.compile(r"\s+")
# Block-level tags separate words; inline tags (<b>, <a>) don't (Chinese has no spaces).
_BLOCK_TAGS = re.compile(r"</?(?:p|div|li|ul|ol|h[1-6]|br|hr|tr|td|th|table|blockquote|figure)\b[^>]*>", re.I)


def terms(query):
    """The words of a query: jieba words of each punctuation-separated part, deduplicated, in order.

    "朝阳 养老" and "朝阳区养老协会" both give words that all occur in 北京市朝阳区养老服务协会."""
    import jieba

    query = (query or "").strip()
    if not query:
        return []
    words = []
    for part in _PUNCTUATION.split(query):
        if not part:
            continue
        for word in jieba.lcut(part):
            word = word.strip()
            if word and not _PUNCTUATION.fullmatch(word) and word not in words:
                words.append(word)
    return words


def normalize_query(query, max_length=100):
    return _SPACES.sub(" ", (query or "").strip())[:max_length]


def plain_text(value):
    """Readable text from a string, rich text HTML or a StreamField value."""
    if value is None:
        return ""
    if hasattr(value, "raw_data") or hasattr(value, "stream_block"):
        parts = []
        for child in value:
            parts.append(_block_text(child.value))
        return join(*parts)
    text = str(value)
    if "<" in text:
        text = html.unescape(strip_tags(_BLOCK_TAGS.sub(" ", text)))
    return _SPACES.sub(" ", text).strip()


def _block_text(value):
    """Text of a block value: text, rich text and nested blocks; choices, numbers, links and
    chooser values (codes and ids, not words) are left out."""
    from wagtail import blocks

    if value is None:
        return ""
    if hasattr(value, "block") and hasattr(value, "items"):  # StructValue
        kept = (blocks.CharBlock, blocks.TextBlock, blocks.RichTextBlock, blocks.StructBlock)
        kept += (blocks.StreamBlock, blocks.ListBlock)
        return join(
            *(
                _block_text(value.get(name))
                for name, block in value.block.child_blocks.items()
                if isinstance(block, kept)
            )
        )
    if hasattr(value, "raw_data") or hasattr(value, "stream_block"):
        return plain_text(value)
    if hasattr(value, "source"):  # RichText
        return plain_text(value.source)
    if isinstance(value, list | tuple) or hasattr(value, "bound_blocks"):  # ListValue
        return join(*(_block_text(v) for v in value))
    if isinstance(value, str):
        return plain_text(value)
    return ""


def join(*parts, sep=" "):
    return sep.join(p for p in (str(part).strip() for part in parts if part not in (None, "")) if p)


def snippet(text, query, words=(), length=80):
    """A short escaped excerpt of ``text`` around the first match, matches wrapped in <mark>."""
    text = text or ""
    needles = [n for n in [query, *words] if n]
    lower = text.lower()
    start = -1
    for needle in needles:
        start = lower.find(needle.lower())
        if start >= 0:
            break
    if start < 0:
        excerpt = text[:length]
        prefix, suffix = "", "…" if len(text) > length else ""
    else:
        begin = max(0, start - length // 3)
        excerpt = text[begin : begin + length]
        prefix = "…" if begin > 0 else ""
        suffix = "…" if begin + length < len(text) else ""
    return mark_safe(prefix + highlight(excerpt, needles) + suffix)  # noqa: S308 - escaped in highlight()


def highlight(text, needles):
    """Escape ``text`` and wrap every occurrence of any needle in <mark>."""
    needles = sorted({n for n in needles if n}, key=len, reverse=True)
    if not needles:
        return str(escape(text))
    pattern = re.compile("|".join(re.escape(n) for n in needles), re.IGNORECASE)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(str(escape(text[last : match.start()])))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(str(escape(text[last:])))
    return "".join(out)
