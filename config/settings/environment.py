"""Reading settings from the environment: an unset or empty variable gives the default.

Lists are comma-separated; records (``env_records``) are comma-separated rows of
colon-separated fields, each field converted by its own function; a mapping is rows of
``key:value``. A value that doesn't convert raises ``ImproperlyConfigured`` naming the
variable, so a typo stops the process at start-up instead of bending a rule.
"""

import os

from django.core.exceptions import ImproperlyConfigured


def env(name, default=None):
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value in (None, ""):
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=()):
    value = os.environ.get(name)
    if not value:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def _convert(name, text, convert):
    try:
        return convert(text)
    except (ArithmeticError, TypeError, ValueError) as exc:
        raise ImproperlyConfigured(f"The environment variable {name} has an invalid value {text!r}.") from exc


def env_tuple(name, default, convert=str):
    """A tuple of ``convert``-ed items; ``default`` is the comma-separated text used when unset."""
    return tuple(_convert(name, item, convert) for item in env_list(name, default.split(",")))


def env_records(name, default, *converts):
    """A tuple of tuples: rows separated by commas, fields by colons, one converter per field."""
    rows = []
    for row in env_list(name, default.split(",")):
        fields = [field.strip() for field in row.split(":")]
        if len(fields) != len(converts):
            raise ImproperlyConfigured(
                f"The environment variable {name}: {row!r} needs {len(converts)} fields separated by ':'."
            )
        rows.append(
            tuple(_convert(name, text, convert) for text, convert in zip(fields, converts, strict=True))
        )
    return tuple(rows)


def env_mapping(name, default):
    """A dict from ``key:value`` rows; ``default`` is that text."""
    return dict(env_records(name, default, str, str))


def env_month_day(name, default):
    """A yearly deadline as (month, day) from ``MM-DD``."""
    text = env(name, default)
    month, _sep, day = text.partition("-")
    value = (_convert(name, month, int), _convert(name, day, int))
    if not (1 <= value[0] <= 12 and 1 <= value[1] <= 31):
        raise ImproperlyConfigured(f"The environment variable {name} has an invalid date {text!r} (MM-DD).")
    return value
