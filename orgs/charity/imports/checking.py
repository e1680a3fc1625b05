"""The dry run and the confirmation. The dry run checks every row against its kind and the
records already kept and writes nothing. The confirmation is all-or-nothing and idempotent:
a row whose key is already recorded with the same content is skipped, one with other content
is rejected (a published record is corrected only by a correction record). Every imported
donation or expense is tied to its project, so C4's tracing covers imported rows too."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api import changes as public_changes
from core import pagecache
from search.index import index_objects

from .reading import Rejection
from .specs import DONATIONS


@dataclass
class ImportResult:
    new: list = field(default_factory=list)  # unsaved model instances
    skipped: int = 0  # already recorded with the same content
    rejected: list = field(default_factory=list)
    created: int = 0

    @property
    def ok(self):
        return not self.rejected


def check(project, rows, today=None, spec=DONATIONS):
    """The dry run: nothing is written."""
    today = today or timezone.localdate()
    result = ImportResult()
    result.rejected.extend(getattr(rows, "rejected", ()))
    keys = {values.get(spec.key_field, "") for _line, values in rows}
    existing = {getattr(record, spec.key_field): record for record in spec.existing(project, keys)}
    first_line = {}
    for line, values in rows:
        try:
            record = spec.parse(project, values, today)
        except ValueError as error:
            result.rejected.append(Rejection(line, str(error)))
            continue
        key = getattr(record, spec.key_field)
        if key in first_line:
            result.rejected.append(
                Rejection(
                    line,
                    _("%(field)s与第%(line)s行重复") % {"field": spec.key_label, "line": first_line[key]},
                )
            )
            continue
        first_line[key] = line
        if key in existing:
            if spec.same(existing[key], record):
                result.skipped += 1
            else:
                result.rejected.append(
                    Rejection(line, _("%(field)s已用于另一条不同的记录") % {"field": spec.key_label})
                )
            continue
        result.new.append(record)
    result.rejected.sort(key=lambda rejection: rejection.line)
    return result


def confirm(project, rows, *, user, today=None, spec=DONATIONS):
    """All or nothing: if any row is rejected, nothing is written."""
    from wagtail.log_actions import log

    with transaction.atomic():
        # Serialise imports for one organisation so two confirmations cannot race.
        type(project.organization).objects.select_for_update().get(pk=project.organization_id)
        result = check(project, rows, today, spec)
        if not result.ok:
            return result
        created = spec.model.objects.bulk_create(result.new, batch_size=1000)
        result.created = len(created)
        log(project, spec.log_action, user=user, data={"created": result.created, "skipped": result.skipped})
        # bulk_create sends no signals: hand the new rows to the search index (after commit),
        # and make the cached public pages that show donations and spending stale.
        index_objects(created)
        public_changes.saved(created)  # and to the public change feed, in this transaction
        pagecache.bump(*settings.PAGE_CACHE_APP_SECTIONS["charity"])
    return result
