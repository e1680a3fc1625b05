"""``search.registry.display``: the document builders' cached choice labels say exactly what
Django's ``get_<field>_display()`` says, for every choice of every choice field the indexed
models have, in both languages (issue 14: the labels were the second cost of indexing)."""

import pytest
from django.utils import translation

from cms.models import GuidePage
from marketplace.catalogue.models import Provider
from orgs.charity.models import CharityProject, Donation
from orgs.registry.models import Organization
from search.registry import display

MODELS = [Provider, Organization, CharityProject, Donation, GuidePage]

# A Wagtail page reads its default locale when it is built.
pytestmark = pytest.mark.django_db


def choice_fields():
    for model in MODELS:
        for field in model._meta.concrete_fields:
            if field.choices:
                yield pytest.param(model, field, id=f"{model.__name__}.{field.name}")


@pytest.mark.parametrize(("model", "field"), list(choice_fields()))
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_display_says_what_django_says_for_every_choice(model, field, language):
    with translation.override(language):
        values = [value for value, _label in field.flatchoices] + ["not-a-choice"]
        for value in values:
            instance = model(**{field.attname: value})
            assert display(instance, field.name) == getattr(instance, f"get_{field.name}_display")()


def test_labels_follow_the_language():
    organization = Organization(district="110105")
    with translation.override("zh-hans"):
        chinese = display(organization, "district")
    with translation.override("en"):
        english = display(organization, "district")
    assert chinese == "朝阳区" and english != chinese and "Chaoyang" in english
