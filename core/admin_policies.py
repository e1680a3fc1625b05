"""Admin permission policies for rows the admin may show but must not rewrite.

Wagtail's ``ModelPermissionPolicy`` grants what the user's groups grant. These policies
refuse some actions to everyone, superusers included, so history stays history whatever
permissions a group is given by mistake::

    register_permission_policy(PriceVersion, RefusingPolicy(PriceVersion, VIEW_ONLY))
"""

from wagtail.permission_policies import ModelPermissionPolicy

VIEW_ONLY = frozenset({"add", "change", "delete", "publish", "lock", "unlock"})
"""Made elsewhere (by a rule, a signal or another party) and only looked at in the admin."""

APPEND_ONLY = frozenset({"change", "delete"})
"""History: rows are added and viewed, never changed or deleted."""

DECIDE_ONLY = frozenset({"add", "delete"})
"""Made elsewhere; the bureau decides on them (changes their state) but never adds or deletes."""

NO_DELETE = frozenset({"delete"})


class RefusingPolicy(ModelPermissionPolicy):
    def __init__(self, model, refused):
        super().__init__(model)
        self.refused = frozenset(refused)

    def user_has_permission(self, user, action):
        if action in self.refused:
            return False
        return super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        allowed = [action for action in actions if action not in self.refused]
        if not allowed:
            return super().users_with_any_permission([]).none()
        return super().users_with_any_permission(allowed)
