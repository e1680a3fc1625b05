"""The public change feed: the kinds of change, and how the apps record them.

``api`` imports no app. Each app that produces public changes declares them in its own
``public_changes.py`` (discovered by ``ApiConfig.ready()``):

- :func:`register_kind` names a kind (``"price.published"``) with its label;
- :func:`watch` connects a model: after every save (``post_save``, in the saving transaction)
  the app's ``describe(instance, created, previous)`` returns the :class:`Change`\\ s that save
  made public, or nothing. ``previous`` holds the stored values of the fields named in
  ``previous=`` as they were before the save (``None`` for a new row), for changes that are a
  transition of a plain field (a provider becoming verified);
- :func:`saved` hands rows written without signals (``bulk_create`` in an import) to the same
  ``describe``; :func:`record_changes` records changes found another way (the daily job that
  notices an expired rating).

Guarantees (``tests/integration/test_api_changes.py``):

- **Same transaction.** A change is written inside the transaction that makes it: if that
  transaction rolls back, so does the change, and nothing is left in the feed.
- **Exactly once.** Every change has a ``key`` (its kind, its record and, where needed, which
  time); the key is unique in the table and a change whose key is already recorded is skipped.
  Saving the same row twice in one transaction, re-running a daily job or re-confirming an
  import records nothing more.
- **In order.** On PostgreSQL every writer takes one transaction-scoped advisory lock
  (``API_CHANGES_LOCK_ID``) before it inserts, and holds it until it commits. Two writers
  therefore commit in the order of their ids, and a reader paging with ``after=<last id seen>``
  never misses a row that was still uncommitted when it read. SQLite has one writer at a time.
  The price: transactions that record public changes commit one after another from the moment
  they record (which is at their end for imports and state changes).
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models.signals import post_save, pre_save
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from core import pagecache


@dataclass(frozen=True)
class ChangeKind:
    code: str
    label: object  # a lazy translation
    subject_exists: object = None  # callable(subject) -> bool, for per-subject feeds (404 otherwise)


@dataclass
class Change:
    """One public change, as an app describes it. ``title`` is a callable that returns the
    title in the active language (it is stored in every site language), or a plain string."""

    kind: str
    key: str
    title: object
    subject: str = ""
    html_url: str = ""
    api_url: str = ""
    occurred_at: object = None
    extra: dict = field(default_factory=dict)


_kinds: dict[str, ChangeKind] = {}
_watchers: dict[type, dict] = {}  # model -> {uid: describe}


def register_kind(code, label, *, subject_exists=None):
    """Declare a kind of public change. Registering a code again replaces it."""
    if len(code) > 40:
        raise ValueError(f"change kind code too long: {code!r}")
    kind = ChangeKind(code, label, subject_exists)
    _kinds[code] = kind
    return kind


def kinds():
    """``{code: ChangeKind}`` of every registered kind, in code order."""
    return dict(sorted(_kinds.items()))


def kind_choices():
    """The choices of ``PublicChange.kind`` (a callable, so migrations don't freeze the list)."""
    return [(code, kind.label) for code, kind in sorted(_kinds.items())]


def kind_label(code):
    kind = _kinds.get(code)
    return kind.label if kind is not None else code


def subject_exists(code, subject):
    """Whether ``subject`` is a public record that a per-subject feed of ``code`` may show."""
    kind = _kinds.get(code)
    if kind is None:
        return False
    return True if kind.subject_exists is None else bool(kind.subject_exists(subject))


def url_or_blank(name, **kwargs):
    """``reverse(name, kwargs=kwargs)``, or "" while the named URL is not installed (an API
    resource of an app that isn't registered)."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


# --- Watching models ----------------------------------------------------------------------------


def _remember_previous(fields):
    def handler(sender, instance, raw=False, **kwargs):
        if raw:
            return
        previous = None
        if instance.pk is not None and not instance._state.adding:
            previous = type(instance)._base_manager.filter(pk=instance.pk).values(*fields).first()
        instance._public_change_previous = previous

    return handler


def watch(model, describe, *, previous=()):
    """After every save of ``model``, record what ``describe(instance, created, previous)``
    returns (a :class:`Change`, several, or ``None``)."""
    uid = f"public_changes:{model._meta.label}:{describe.__module__}.{describe.__qualname__}"
    _watchers.setdefault(model, {})[uid] = describe
    if previous:
        pre_save.connect(_remember_previous(tuple(previous)), sender=model, weak=False, dispatch_uid=uid)

    def handler(sender, instance, created=False, raw=False, **kwargs):
        if raw:  # fixtures: nothing happened in the world
            return
        before = getattr(instance, "_public_change_previous", None) if previous else None
        record_changes(describe(instance, created, before))

    post_save.connect(handler, sender=model, weak=False, dispatch_uid=uid)


def saved(instances, *, created=True):
    """Hand rows saved without signals (``bulk_create``) to their models' watchers: one
    insert for all their changes."""
    changes = []
    for instance in instances:
        for describe in _watchers.get(type(instance), {}).values():
            changes.extend(_as_list(describe(instance, created, None)))
    return record_changes(changes)


def _as_list(changes):
    if changes is None:
        return []
    if isinstance(changes, Change):
        return [changes]
    return list(changes)


# --- Recording ----------------------------------------------------------------------------------


def _titles(changes):
    """For each change, (its title in the default language, {other language: title}); one
    language switch per language for the whole batch."""

    def text(title):
        return str(title() if callable(title) else title)[:300]

    with translation.override(settings.LANGUAGE_CODE):
        defaults = [text(change.title) for change in changes]
    others = [{} for _change in changes]
    for code, _name in settings.LANGUAGES:
        if code.lower() == settings.LANGUAGE_CODE.lower():
            continue
        with translation.override(code):
            for index, change in enumerate(changes):
                if callable(change.title):
                    translated = text(change.title)
                    if translated != defaults[index]:
                        others[index][code.lower()] = translated
    return list(zip(defaults, others, strict=True))


CACHE_SECTION = "changes"


def _serialise_writers():
    """Hold the feed's writer lock until this transaction ends (PostgreSQL; see the module)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [settings.API_CHANGES_LOCK_ID])


def record_changes(changes):
    """Write ``changes`` whose keys are not recorded yet, in the current transaction; returns the
    new ``PublicChange`` rows. An unregistered kind raises ``LookupError``."""
    from .models import PublicChange

    changes = _as_list(changes)
    if not changes:
        return []
    unique = {}
    for change in changes:
        if change.kind not in _kinds:
            raise LookupError(f"unregistered public change kind: {change.kind!r}")
        unique.setdefault(change.key, change)
    now = timezone.now()
    with transaction.atomic():
        _serialise_writers()
        keys = list(unique)
        known = set()
        for start in range(0, len(keys), 1000):
            known.update(
                PublicChange.objects.filter(key__in=keys[start : start + 1000]).values_list("key", flat=True)
            )
        pending = [change for key, change in unique.items() if key not in known]
        rows = [
            PublicChange(
                kind=change.kind,
                key=change.key,
                subject=change.subject,
                title=title,
                titles=titles,
                html_url=change.html_url,
                api_url=change.api_url,
                occurred_at=change.occurred_at or now,
            )
            for change, (title, titles) in zip(pending, _titles(pending), strict=True)
        ]
        if not rows:
            return []
        # The feed's cached answers and ETags (api.resources, cache_sections) are of this section.
        pagecache.bump(CACHE_SECTION)
        try:
            with transaction.atomic():
                return PublicChange.objects.bulk_create(rows, batch_size=1000)
        except IntegrityError:
            # Only where the lock does not serialise writers: a concurrent writer recorded one
            # of these keys first. Write the rest one by one; the recorded ones stay as they are.
            created = []
            for row in rows:
                try:
                    with transaction.atomic():
                        row.save()
                    created.append(row)
                except IntegrityError:
                    continue
            return created
