"""The public change feed (issue 19): one row per public change, never rewritten, never deleted.

A row is written by :func:`api.changes.record_changes` in the same transaction as the change it
describes (a price published, a listing confirmed or removed, a report accepted, …), from the
apps' own ``public_changes.py`` modules; no view writes one. Its ``key`` names the change (kind,
record and, where a record can change the same way twice, which time), and is unique: however
many times the record is saved in that transaction, the change is written once.

The cursor is the primary key, a ``BigAutoField``. Readers only need order and no duplicates:
the writers of this table are serialised until they commit (``api.changes``), so the ids become
visible in increasing order, and a reader that has seen id *n* will never later see a row with
a smaller id. A rolled-back transaction leaves a gap in the sequence and no row: a gap costs a
reader nothing, because it asks for rows *after* a cursor, never for a count or for "the next id".

Only public facts go into a row: a title and the public URLs of the record. A donor's name, an
unaccepted report or an unpublished provider never reach it (``tests/integration/test_api_changes.py``).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core.models import AppendOnlyModel

from ..changes import kind_choices, kind_label


class PublicChangeQuerySet(models.QuerySet):
    def after(self, cursor):
        """The changes after ``cursor`` (exclusive), in cursor order."""
        return self.filter(pk__gt=cursor).order_by("pk")

    def update(self, **kwargs):
        raise self.model.append_only_error(self.model.edit_message)

    def delete(self):
        raise self.model.append_only_error(self.model.delete_message)


class PublicChange(AppendOnlyModel):
    edit_message = _("公开变更记录只能追加，不能修改。")
    delete_message = _("公开变更记录不能删除。")

    id = models.BigAutoField(primary_key=True, verbose_name=_("游标"))
    kind = models.CharField(_("变更类型"), max_length=40, choices=kind_choices)
    key = models.CharField(
        _("变更标识"),
        max_length=200,
        unique=True,
        help_text=_("类型、记录和次序；同一变更只记录一次。"),
    )
    subject = models.CharField(
        _("主体"), max_length=80, blank=True, help_text=_("机构网址标识或统一社会信用代码。")
    )
    title = models.CharField(_("标题"), max_length=300)
    titles = models.JSONField(_("各语言标题"), default=dict, blank=True)
    html_url = models.CharField(_("页面地址"), max_length=300, blank=True)
    api_url = models.CharField(_("接口地址"), max_length=300, blank=True)
    occurred_at = models.DateTimeField(_("变更时间"), default=timezone.now)

    objects = PublicChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("公开变更")
        verbose_name_plural = _("公开变更")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["kind", "id"], name="api_change_kind"),
            models.Index(fields=["kind", "subject", "id"], name="api_change_kind_subject"),
            models.Index(fields=["subject", "id"], name="api_change_subject"),
        ]

    def __str__(self):
        return f"{self.pk} · {self.kind} · {self.title}"

    @property
    def kind_label(self):
        return kind_label(self.kind)

    def localized_title(self, language=None):
        """The title in ``language`` (the active one by default), or the default-language title."""
        language = (language or translation.get_language() or settings.LANGUAGE_CODE).lower()
        if language == settings.LANGUAGE_CODE.lower():
            return self.title
        return self.titles.get(language) or self.titles.get(language.split("-")[0]) or self.title
