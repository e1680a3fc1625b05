"""One flat message dictionary per language, built once per process.

Django builds a language's translation by merging the ``django`` catalogue of every
installed app and of ``LOCALE_PATHS``. Its ``TranslationCatalog`` keeps a catalogue whose
plural formula differs from the top one as a separate dictionary, and
``gettext.translation`` chains the ``zh`` catalogues of third-party apps behind the
``zh_Hans`` ones as fallbacks. With Wagtail's many sub-apps that is a chain of about twenty
dictionaries plus a tail of fallbacks. Our source strings are Chinese and have no
``zh_Hans`` entry, so on a Chinese page every ``{% translate %}`` misses everywhere: it walks
the whole chain twice (``GNUTranslations.gettext`` retries with the plural key) and then
every fallback.

``FlatTranslation`` keeps Django's construction untouched and, once it is built, resolves
every message id that appears anywhere in the chain or its fallbacks into one ``dict``
(message id → what Django's own lookup returns). ``gettext`` is then one dictionary
lookup, and a miss returns the message id — exactly what the chain returns for a string no
catalogue knows. Precedence is Django's, because each entry is computed by Django's own
lookup. Plural lookups (``ngettext``) keep the chain: their plural formula differs per
catalogue.

``install()`` replaces ``django.utils.translation.trans_real.translation``, the factory and
per-process cache that ``activate()``, ``override()``, the default translation and the
fallback of non-default languages all go through. Django's own resets (``setting_changed``
for ``LANGUAGES``/``LOCALE_PATHS``/``INSTALLED_APPS`` and the autoreloader) empty
``trans_real._translations``; the next lookup rebuilds through this factory again.
See ``docs/performance.md``.
"""

from django.utils.translation import trans_real

_original_translation = trans_real.translation


class FlatTranslation(trans_real.DjangoTranslation):
    """A ``DjangoTranslation`` whose singular lookups read one precomputed dictionary."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._resolved = self._resolve_all()

    def _message_ids(self):
        """Every message id some catalogue of this translation or its fallbacks holds."""
        ids = set()
        catalogues = []
        translation = self
        while translation is not None:
            if isinstance(translation, trans_real.DjangoTranslation):
                catalogues.extend(translation._catalog._catalogs)
            else:
                catalogues.append(getattr(translation, "_catalog", None) or {})
            translation = getattr(translation, "_fallback", None)
        for catalogue in catalogues:
            for key in catalogue:
                ids.add(key[0] if isinstance(key, tuple) else key)
        return ids

    def _resolve_all(self):
        lookup = super().gettext
        resolved = {}
        for message in self._message_ids():
            resolved[message] = lookup(message)
        return resolved

    def gettext(self, message):
        return self._resolved.get(message, message)


def flat_translation(language):
    """``trans_real.translation`` with a ``FlatTranslation`` in the per-language cache."""
    cached = trans_real._translations.get(language)
    if cached is None:
        cached = trans_real._translations[language] = FlatTranslation(language)
    return cached


def install():
    """Make every ``django``-domain translation flat. Idempotent; called from
    ``CoreConfig.ready()`` when ``settings.I18N_FLAT_CATALOGUES`` is on."""
    if trans_real.translation is flat_translation:
        return
    trans_real.translation = flat_translation
    _reset()


def uninstall():
    """Back to Django's chained catalogues (the benchmark compares both)."""
    if trans_real.translation is _original_translation:
        return
    trans_real.translation = _original_translation
    _reset()


def is_installed():
    return trans_real.translation is flat_translation


def _reset():
    # What Django's own `setting_changed` handlers do: built translations are dropped and
    # rebuilt on the next lookup, so none built before the switch stays active.
    from asgiref.local import Local

    trans_real._translations = {}
    trans_real._default = None
    trans_real._active = Local()
