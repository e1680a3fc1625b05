"""What online memorials show in the site-wide search (M1).

Only ``Memorial.objects.public()`` is indexed: public and not hidden by the bureau. An unlisted
or private memorial, or one the bureau hid, is never indexed; a memorial that leaves the public
queryset (its keeper makes it private, the bureau hides it) leaves the index on its next save.
The entry uses only what the public page shows.
"""

from django.utils.translation import gettext_lazy as _

from search.registry import DocumentType, Entry, display, register
from search.text import join

from .models import Memorial, RestingKind


def resting_text(memorial):
    if memorial.resting_kind == RestingKind.PROVIDER and memorial.resting_provider_id:
        return join(memorial.resting_provider.name, memorial.resting_plot, sep=" ")
    if memorial.resting_kind == RestingKind.SEA:
        return join(display(memorial, "resting_kind"), memorial.sea_area, sep=" ")
    return join(display(memorial, "resting_kind"), memorial.resting_note, sep=" ")


def memorial_entry(memorial):
    years = f"{memorial.birth_date.year}—{memorial.death_date.year}"
    return Entry(
        title=_("%(name)s 纪念馆") % {"name": memorial.name},
        body=join(memorial.name, years, memorial.epitaph, resting_text(memorial)),
        url=memorial.get_absolute_url(),
        date=memorial.death_date,
        extra=join(years, resting_text(memorial), sep=" · "),
    )


register(
    DocumentType(
        key="memorial",
        label=_("网上纪念馆"),
        model=Memorial,
        queryset=lambda: Memorial.objects.public().select_related("resting_provider"),
        entry=memorial_entry,
        order=17,
        numerous=True,
    )
)
