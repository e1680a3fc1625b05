"""Configuration checks: the payment URLs must point back to the server that is running.

``PAYMENTS_SITE_URL`` is the origin the gateway sends notifications to and the buyer back
to, and the origin of the local simulator's gateway. If it names another port or host than
the one being served, payments silently never complete. ``manage.py runserver`` shows
``payments.W001`` at start-up when the port differs; ``payments.W002`` when the host is
not one the site serves (``ALLOWED_HOSTS``); and the first checkout request served on a
different origin logs a warning (``served_origin_mismatch``).
"""

import logging
import re
import sys
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.http.request import validate_host

logger = logging.getLogger("payments")

_warned_hosts = set()


def _site():
    site = urlsplit(settings.PAYMENTS_SITE_URL)
    try:
        port = site.port or (443 if site.scheme == "https" else 80)
    except ValueError:
        port = None
    return site, port


def runserver_address(argv=None):
    """(host, port) that ``manage.py runserver`` in ``argv`` will listen on, or None."""
    argv = sys.argv if argv is None else argv
    if len(argv) < 2 or argv[1] != "runserver":
        return None
    from django.core.management import get_commands, load_command_class

    command = load_command_class(get_commands()["runserver"], "runserver")
    options, _rest = command.create_parser(argv[0], "runserver").parse_known_args(argv[2:])
    if not options.addrport:
        return command.default_addr, int(command.default_port)
    from django.core.management.commands.runserver import naiveip_re

    match = re.match(naiveip_re, options.addrport)
    if match is None:
        return None
    addr, _ipv4, _ipv6, _fqdn, port = match.groups()
    if not port.isdigit():
        return None
    return (addr or command.default_addr).strip("[]"), int(port)


@checks.register(checks.Tags.compatibility)
def check_payments_site_url(app_configs=None, argv=None, **kwargs):
    messages = []
    site, site_port = _site()
    if not site.scheme or not site.hostname or site_port is None:
        return [
            checks.Error(
                f"PAYMENTS_SITE_URL ({settings.PAYMENTS_SITE_URL!r}) is not an absolute http(s) URL.",
                hint="Set PAYMENTS_SITE_URL to the site's public origin, e.g. https://mzj.beijing.example",
                id="payments.E001",
            )
        ]
    served = runserver_address(argv)
    if served is not None and served[1] != site_port:
        messages.append(
            checks.Warning(
                f"PAYMENTS_SITE_URL is {settings.PAYMENTS_SITE_URL} but this server listens on port "
                f"{served[1]}: payment notifications, returns and the sandbox gateway would go to "
                f"port {site_port}.",
                hint=f"Start it with `make run PORT={served[1]}` or `PORT={served[1]} manage.py runserver "
                f"{served[1]}`, or set PAYMENTS_SITE_URL=http://127.0.0.1:{served[1]}.",
                id="payments.W001",
            )
        )
    if not validate_host(site.hostname, settings.ALLOWED_HOSTS):
        messages.append(
            checks.Warning(
                f"PAYMENTS_SITE_URL's host {site.hostname!r} is not in ALLOWED_HOSTS: the site would "
                "refuse the gateway's notifications and the buyer's return.",
                hint="Set PAYMENTS_SITE_URL to an origin this site serves (by default it is WAGTAILADMIN_BASE_URL).",
                id="payments.W002",
            )
        )
    return messages


def note_served_origin(request):
    """Log once per origin when a payment page is served elsewhere than PAYMENTS_SITE_URL."""
    site = urlsplit(settings.PAYMENTS_SITE_URL)
    served = f"{request.scheme}://{request.get_host()}"
    expected = f"{site.scheme}://{site.netloc}"
    if served == expected or served in _warned_hosts:
        return False
    _warned_hosts.add(served)
    logger.warning(
        "served_origin_mismatch: payment pages are served on %s but PAYMENTS_SITE_URL is %s; "
        "the gateway will notify and return the buyer to %s",
        served,
        settings.PAYMENTS_SITE_URL,
        expected,
    )
    return True
