"""The permission API that membership-scoped apps implement."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.http import Http404

from accounts import permissions
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def group_policy():
    """Use Group as a stand-in scoped model: a user manages the groups they belong to."""
    permissions.register_policy(
        Group,
        can_manage=lambda user, group: group.user_set.filter(pk=user.pk).exists(),
        scope=lambda user, qs: qs.filter(user=user),
    )
    yield
    permissions._policies.pop(Group, None)


def test_member_manages_own_record_and_not_another(group_policy):
    mine, theirs = Group.objects.create(name="A"), Group.objects.create(name="B")
    user = UserFactory()
    user.groups.add(mine)
    assert permissions.can_manage(user, mine)
    assert not permissions.can_manage(user, theirs)
    assert list(permissions.scope(user, Group)) == [mine]
    assert permissions.get_managed_or_404(user, Group.objects.all(), pk=mine.pk) == mine
    with pytest.raises(Http404):
        permissions.get_managed_or_404(user, Group.objects.all(), pk=theirs.pk)


def test_anonymous_and_inactive_users_manage_nothing(group_policy):
    group = Group.objects.create(name="A")
    inactive = UserFactory(is_active=False)
    inactive.groups.add(group)
    assert not permissions.can_manage(AnonymousUser(), group)
    assert not permissions.can_manage(inactive, group)
    assert not permissions.scope(AnonymousUser(), Group).exists()


def test_unregistered_models_are_denied_by_default():
    user = UserFactory()
    assert not permissions.can_manage(user, user)
    assert not permissions.can_view(user, user)
    assert permissions.can_manage(UserFactory(is_superuser=True), user)


@pytest.mark.parametrize(
    ("model_path", "refused", "allowed"),
    [
        ("catalogue.PriceVersion", {"add", "change", "delete"}, {"view"}),
        ("catalogue.PriceFlag", {"add", "delete"}, {"change", "view"}),
        ("payments.PaymentIntent", {"add", "change", "delete"}, {"view"}),
        ("core.EarlyWarning", {"add", "change", "delete"}, {"view"}),
        ("registry.RegistryChange", {"change", "delete"}, {"add", "view"}),
        ("charity.Donation", {"change", "delete"}, {"add", "view"}),
        ("credit.CreditRecord", {"change", "delete"}, {"add", "view"}),
        ("credit.ListEntry", {"delete"}, {"change", "view"}),
        ("reports.AnnualReport", {"add", "delete"}, {"change", "view"}),
    ],
)
@pytest.mark.django_db
def test_history_and_computed_rows_refuse_rewrites_even_to_superusers(model_path, refused, allowed):
    from django.apps import apps
    from wagtail.permissions import policy_registry

    superuser = UserFactory(is_superuser=True, is_staff=True)
    policy = policy_registry.get_by_type(apps.get_model(model_path))
    for action in refused:
        assert not policy.user_has_permission(superuser, action), action
        assert superuser not in policy.users_with_any_permission([action])
    for action in allowed:
        assert policy.user_has_permission(superuser, action), action
