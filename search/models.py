"""The embedded search index (database backend): one row per public record."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnlyModel


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
    # FTS5 table ``search_searchentry_fts``, kept in step by triggers). See migrations 0002
    # and 0005 (SQLite's title FTS5 table over ``title_tokens``).
    tokens = models.TextField(_("检索词"), blank=True, editable=False)
    # The search that stops early (migration 0004, ``search.backends.database``): the title's
    # own tokens (bigrams and Latin words, no pinyin), for the title tiers of the ranking; and
    # the registry's order of the entry's type, written at indexing, so that the ranking
    # (type, newest first, title) is a btree index PostgreSQL and SQLite can read in order.
    title_tokens = models.TextField(_("标题检索词"), blank=True, editable=False)
    type_order = models.PositiveSmallIntegerField(_("类型顺序"), default=1000, editable=False)

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


class SearchMatch(models.Model):
    """PostgreSQL only: the columns of an entry that deciding a match needs (its id, type and
    languages, and the stored ``tokens_tsv``, which is not declared here and never selected),
    in a narrow table of their own (migration 0006). Triggers on the entries keep it in step;
    Django never writes it. The counts' sample of a common word reads it instead of the wide
    entries (``search.backends.database.sample``)."""

    id = models.BigIntegerField(primary_key=True)
    doc_type = models.CharField(max_length=40)
    languages = models.CharField(max_length=60)

    class Meta:
        managed = False
        db_table = "search_searchmatch"

    def __str__(self):
        return f"{self.doc_type} #{self.pk}"


class ReindexRun(AppendOnlyModel):
    """One background rebuild of the index (``search.reindex``): who started it, when, how far
    it got. Its start time is the stamp of every entry it writes; when the last batch is done,
    entries stamped earlier (records deleted or no longer public) are pruned. Kept for audit:
    a run is never deleted, and only its progress columns change."""

    class State(models.TextChoices):
        RUNNING = "running", _("进行中")
        FINISHED = "finished", _("已完成")
        FAILED = "failed", _("出错中断")
        STOPPED = "stopped", _("已停止")

    class Origin(models.TextChoices):
        ADMIN = "admin", _("管理后台")
        COMMAND = "command", _("管理命令")

    started_at = models.DateTimeField(_("开始时间"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    origin = models.CharField(_("发起方式"), max_length=20, choices=Origin.choices)
    backend = models.CharField(_("搜索后端"), max_length=200)
    batch_size = models.PositiveIntegerField(_("每批记录数"))
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.RUNNING)
    # The chain of tasks allowed to advance the run: continuing a run starts a new chain, and a
    # task of an older chain that is still queued finds it is no longer its run's and stops.
    generation = models.PositiveIntegerField(_("第几次运行"), default=1)
    prepared = models.BooleanField(_("已准备"), default=False)
    batches = models.PositiveIntegerField(_("已完成批次"), default=0)
    progressed_at = models.DateTimeField(_("最近进展时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)
    resumed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("最近继续人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    stopped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("停止人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    mutable_columns = frozenset(
        {
            "state",
            "generation",
            "prepared",
            "batches",
            "progressed_at",
            "finished_at",
            "error",
            "resumed_by_id",
            "stopped_by_id",
        }
    )

    class Meta:
        verbose_name = _("搜索索引重建")
        verbose_name_plural = _("搜索索引重建")
        ordering = ["-started_at", "-pk"]
        constraints = [
            # At most one run in progress: a second start is refused by the database itself.
            models.UniqueConstraint(
                fields=["state"], condition=models.Q(state="running"), name="search_one_running_reindex"
            ),
        ]
        permissions = [("run_reindex", _("可以在后台重建搜索索引"))]

    def __str__(self):
        return f"#{self.pk} {self.get_state_display()}"

    @property
    def is_unfinished(self):
        return self.state != self.State.FINISHED


class ReindexProgress(AppendOnlyModel):
    """How far one run got through one document type: the last primary key done (the next
    batch reads the public records above it) and the counts so far."""

    run = models.ForeignKey(ReindexRun, on_delete=models.PROTECT, related_name="progress")
    doc_type = models.CharField(_("类型"), max_length=40)
    position = models.PositiveSmallIntegerField(_("顺序"))
    total = models.PositiveBigIntegerField(_("开始时的公开记录数"))
    last_pk = models.CharField(_("已完成到的主键"), max_length=64, blank=True)
    read = models.PositiveBigIntegerField(_("已读取"), default=0)
    indexed = models.PositiveBigIntegerField(_("已写入索引"), default=0)
    done = models.BooleanField(_("已完成"), default=False)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    mutable_columns = frozenset({"last_pk", "read", "indexed", "done", "finished_at"})

    class Meta:
        verbose_name = _("搜索索引重建进度")
        verbose_name_plural = _("搜索索引重建进度")
        ordering = ["run", "position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "doc_type"], name="search_reindex_progress_unique_type"),
        ]

    def __str__(self):
        return f"#{self.run_id} {self.doc_type}"

    @property
    def percent(self):
        """Share of the records counted at the start that are done (records added since may
        make ``read`` exceed ``total``; a finished type is 100)."""
        if self.done:
            return 100
        if not self.total:
            return 0
        return min(99, self.read * 100 // self.total)
