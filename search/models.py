"""The embedded search index (database backend): one row per public record."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SearchEntry(models.Model):
    """A public record as the site-wide search sees it. Filled only through ``search.index``
    from the document types' public querysets; never edited by hand."""

    doc_type = models.CharField(_("类型"), max_length=40)
    object_key = models.CharField(_("记录"), max_length=120, help_text=_("app_label.model:pk"))
    title = models.CharField(_("标题"), max_length=300)
    body = models.TextField(_("正文"), blank=True)
    url = models.CharField(_("链接"), max_length=500)
    date = models.DateField(_("日期"), null=True, blank=True)
    district = models.CharField(_("所在区"), max_length=40, blank=True)
    extra = models.CharField(_("附加信息"), max_length=300, blank=True)
    languages = models.CharField(
        _("语言"), max_length=60, blank=True, help_text=_("以空格分隔的语言代码；留空表示所有语言。")
    )
    updated = models.DateTimeField(_("索引时间"))
    # The full-text index's tokens (``search.text.index_tokens`` of title, extra and body):
    # indexed by PostgreSQL (GIN over ``to_tsvector('simple', tokens)``) and by SQLite (the
    # FTS5 table ``search_searchentry_fts``, kept in step by triggers). See migration 0002.
    tokens = models.TextField(_("检索词"), blank=True, editable=False)

    class Meta:
        verbose_name = _("搜索索引条目")
        verbose_name_plural = _("搜索索引条目")
        constraints = [
            models.UniqueConstraint(fields=["doc_type", "object_key"], name="search_entry_unique_object"),
        ]
        indexes = [models.Index(fields=["doc_type", "date"])]

    def __str__(self):
        return f"{self.doc_type} · {self.title}"

    @staticmethod
    def encode_languages(languages):
        """Languages as " en zh-hans " so one language matches with ``contains`` on every database."""
        return f" {' '.join(sorted(languages))} " if languages else ""
