"""Text helpers shared by indexing and querying: Chinese terms, plain text, snippets.

Indexing and queries use the same segmentation (jieba), so a multi-word Chinese query finds a
record that contains every word even when they are not adjacent.
"""

import functools
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


def warm_up():
    """Load the segmenter's dictionary and the pinyin tables now (about a second), not in the
    first search a process serves: a web worker calls this as it starts (``config/wsgi.py``)."""
    import jieba
    from pypinyin import lazy_pinyin

    jieba.initialize()
    lazy_pinyin("北京")


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


# --- Full-text index tokens ------------------------------------------------------------------
#
# What the embedded index stores in ``SearchEntry.tokens`` and what a query looks up
# (``query_phrases``), the same
# on PostgreSQL (a GIN index over ``to_tsvector('simple', tokens)``) and SQLite (an FTS5 table).
# Every token is plain ASCII ``[a-z0-9]+``, so both databases' own word splitters keep it whole
# whatever their locale:
# - each pair of adjacent Chinese characters (a bigram) as ``z`` + the two code points in hex:
#   a Chinese query of two or more characters is a substring of a text only if all its bigrams
#   are, so the index narrows the candidates and ``icontains`` then checks them exactly;
# - each run of Latin letters and digits, lower-cased (USCC codes, receipt numbers, English);
# - for each jieba word (``cut_for_search``: 通州区 gives 通州 and 通州区), its full pinyin
#   (``tongzhou``) and its initials (``tz``), so a query typed in pinyin finds the word.

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN_RUN = re.compile(r"[0-9a-z]+")


# The two functions below are pure (jieba's dictionary and pypinyin's tables are fixed once
# loaded; the platform adds no words at run time) and records repeat the same names and words
# (a donor's name, a project's, 捐赠人, 银行转账): each run of Chinese text is turned into
# pinyin once per process. Without it, pinyin was nine tenths of indexing a 10,000-row import.
TOKEN_CACHE_SIZE = 100_000


@functools.lru_cache(maxsize=TOKEN_CACHE_SIZE)
def _bigram_token(pair):
    return "z" + "".join(f"{ord(ch):05x}" for ch in pair)


def _bigrams(run):
    return [_bigram_token(run[i : i + 2]) for i in range(len(run) - 1)]


@functools.lru_cache(maxsize=TOKEN_CACHE_SIZE)
def _pinyin_tokens(run):
    import jieba
    from pypinyin import lazy_pinyin

    tokens = []
    for word in jieba.cut_for_search(run):
        syllables = [s for s in lazy_pinyin(word) if s.isascii() and s.isalpha()]
        if syllables:
            tokens.append("".join(syllables))
            if len(syllables) > 1:
                tokens.append("".join(s[0] for s in syllables))
    return tuple(tokens)


def index_tokens(*texts):
    """The tokens of a record for the full-text index, space-separated, in text order."""
    tokens = []
    for text in texts:
        text = (text or "").lower()
        for run in _CJK_RUN.findall(text):
            tokens += _bigrams(run)
            tokens += _pinyin_tokens(run)
        tokens += _LATIN_RUN.findall(_CJK_RUN.sub(" ", text))
    return " ".join(tokens)


def query_phrases(query):
    """What a query asks the full-text index, word by word: ``(phrases, prefixes, exact)``.

    ``phrases`` holds, for each Chinese word of the query (jieba, as ``terms`` splits it), its
    bigrams in order. Each run of Chinese text is indexed as its bigrams at consecutive
    positions, so a record holds a word as a substring of its text exactly when the word's
    bigrams occur as a phrase (each directly after the one before). ``prefixes`` are the Latin
    words, each matching any token that starts with it. ``exact`` says whether the index alone
    decides the query: a one-character Chinese word has no bigram, so then the index can only
    narrow and the text itself must be checked (``exact`` is false)."""
    phrases, prefixes, exact = [], [], True
    text = (query or "").lower()
    for run in _CJK_RUN.findall(text):
        for word in terms(run):
            bigrams = _bigrams(word)
            if not bigrams:
                exact = False
            elif bigrams not in phrases:
                phrases.append(bigrams)
    for word in _LATIN_RUN.findall(_CJK_RUN.sub(" ", text)):
        if word not in prefixes:
            prefixes.append(word)
    return phrases, prefixes, exact


def title_tokens(title):
    """The title's own tokens for the title tiers of the ranking: its bigrams and Latin words,
    without pinyin, so that a title token matches only what the title literally contains (a
    pinyin query matches titles through ``tokens`` and ranks as a body match, as it always has)."""
    tokens = []
    text = (title or "").lower()
    for run in _CJK_RUN.findall(text):
        tokens += _bigrams(run)
    tokens += _LATIN_RUN.findall(_CJK_RUN.sub(" ", text))
    return " ".join(tokens)
