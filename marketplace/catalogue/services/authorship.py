"""How the author of a change is recorded on an append-only row: price versions, ceiling
versions and provider verifications keep a name, so the record still reads when the account
is gone."""


def author_name(user):
    """The user's name, else their masked mobile (at most 80 characters); "" for no user."""
    if user is None:
        return ""
    return (user.get_full_name() or getattr(user, "masked_mobile", "") or str(user))[:80]
