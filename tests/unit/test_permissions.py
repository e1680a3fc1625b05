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
