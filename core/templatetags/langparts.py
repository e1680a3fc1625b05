"""Language of parts (WCAG 3.1.2): text that people typed stays as they typed it, but on a
page in another language it is marked with its own language, so screen readers switch voice.

``{{ text|lang_attr }}`` gives `` lang="zh-Hans"`` when the text contains Chinese characters
and the page is not in Chinese, else nothing: ``<span{{ text|lang_attr }}>{{ text }}</span>``.
"""

import re

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

# CJK ideographs, CJK punctuation and full-width forms.
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")


def is_chinese(value):
    return bool(CJK.search(str(value or "")))


@register.filter
def lang_attr(value):
    language = (get_language() or "").lower()
    if language.startswith("zh") or not is_chinese(value):
        return ""
    return mark_safe(' lang="zh-Hans"')
