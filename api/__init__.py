"""The open data API v1 (issue 19): read-only, anonymous, documented, cache-friendly.

``api`` sits at the bottom of the dependency order with ``search``: it imports no marketplace
or orgs app. Each app declares its resources in its own ``resources.py`` by calling
:func:`api.registry.register`; :class:`api.apps.ApiConfig` discovers those modules.
"""
