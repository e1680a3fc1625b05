"""Workbench panels per organisation: an app of the organisations' side gives each member one
panel per organisation it belongs to (年度报告, 信用信息, 电子证照 …). Each app registers its
provider in ``AppConfig.ready()``::

    register_panels(membership_panels("reports_workbench:list", title=_("%(org)s · 年度报告"), ...))
"""

_providers = {}


def membership_panels(url_name, *, title, description, kind, only=None):
    """A provider for ``accounts.workbench.register_panels``: for each of the user's memberships
    whose organisation passes ``only`` (every one by default), a panel titled
    ``title % {"org": name}`` that links to ``url_name`` with the organisation's USCC. The lazy
    texts are read in the language of the request. One provider per URL name, so registering
    twice adds nothing."""

    def provider(user):
        from django.urls import reverse

        from accounts.workbench import Panel

        from .services import memberships_for

        return [
            Panel(
                title=str(title % {"org": membership.organization.name}),
                url=reverse(url_name, args=[membership.organization.uscc]),
                description=str(description),
                kind=str(kind),
            )
            for membership in memberships_for(user)
            if only is None or only(membership.organization)
        ]

    return _providers.setdefault(url_name, provider)
