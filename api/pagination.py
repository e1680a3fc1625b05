"""Keyset ("cursor") pagination, stable when rows are inserted or deleted between pages.

A page is the ``page_size`` rows that come after (or, going back, before) the last row the
caller saw, in the viewset's ``ordering``. The cursor carries that row's values of every
ordering field, so a row inserted anywhere moves no other row from one page to another, and
no row is shown twice or skipped. The ordering must end in a unique field (the slug, the
number, the id) and its fields must never be NULL; :meth:`CursorPagination.ordering_of`
refuses a viewset without one.

The cursor is opaque to callers (base64 of a small JSON array); a cursor that does not
decode answers 404 with a clear message, as DRF's own cursor pagination does.
"""

import base64
import binascii
import json
from collections import OrderedDict

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param


def _encode(values, backwards):
    raw = json.dumps([values, backwards], cls=DjangoJSONEncoder, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor, width):
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values, backwards = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        return None
    if not isinstance(values, list) or len(values) != width or not isinstance(backwards, bool):
        return None
    if any(value is None or isinstance(value, list | dict) for value in values):
        return None
    return values, backwards


def _value_of(row, field):
    value = row
    for part in field.split("__"):
        value = getattr(value, part)
    return value


def _after(ordering, values):
    """Rows strictly after ``values`` in ``ordering``: (a > x) | (a = x & b > y) | …"""
    condition = Q(pk__in=[])
    equal = Q()
    for term, value in zip(ordering, values, strict=True):
        field = term.lstrip("-")
        lookup = "lt" if term.startswith("-") else "gt"
        condition |= equal & Q(**{f"{field}__{lookup}": value})
        equal &= Q(**{field: value})
    return condition


def _reversed(ordering):
    return [term[1:] if term.startswith("-") else f"-{term}" for term in ordering]


class CursorPagination(BasePagination):
    cursor_query_param = "cursor"
    page_size_query_param = "page_size"
    invalid_cursor_message = _("无效的翻页游标。请使用上一页响应中 next 或 previous 给出的地址。")

    def ordering_of(self, view):
        ordering = getattr(view, "ordering", None)
        if isinstance(ordering, str):
            ordering = (ordering,)
        if not ordering:
            raise ImproperlyConfigured(f"{type(view).__name__} needs an `ordering` ending in a unique field")
        return list(ordering)

    def page_size_of(self, request):
        default = settings.API_PAGE_SIZE
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return default
        try:
            size = int(raw)
        except ValueError:
            return default
        return max(1, min(size, settings.API_MAX_PAGE_SIZE))

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.base_url = request.build_absolute_uri()
        self.ordering = self.ordering_of(view)
        self.page_size = self.page_size_of(request)
        raw_cursor = request.query_params.get(self.cursor_query_param)
        cursor = None
        if raw_cursor is not None:
            cursor = _decode(raw_cursor, len(self.ordering))
            if cursor is None:
                raise NotFound(self.invalid_cursor_message)
        backwards = bool(cursor and cursor[1])
        order = _reversed(self.ordering) if backwards else self.ordering
        queryset = queryset.order_by(*order)
        if cursor is not None:
            try:
                queryset = queryset.filter(_after(order, cursor[0]))
            except (DjangoValidationError, ValueError, TypeError) as error:
                raise NotFound(self.invalid_cursor_message) from error
        try:
            rows = list(queryset[: self.page_size + 1])
        except (DjangoValidationError, ValueError, TypeError) as error:
            raise NotFound(self.invalid_cursor_message) from error
        more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if backwards:
            rows.reverse()
            self.has_next, self.has_previous = True, more
        else:
            self.has_next, self.has_previous = more, cursor is not None
        self.rows = rows
        return rows

    def _link(self, row, backwards):
        values = [_value_of(row, term.lstrip("-")) for term in self.ordering]
        return replace_query_param(self.base_url, self.cursor_query_param, _encode(values, backwards))

    def get_next_link(self):
        if not self.has_next:
            return None
        if not self.rows:  # going back past the first row: the first page
            return remove_query_param(self.base_url, self.cursor_query_param)
        return self._link(self.rows[-1], False)

    def get_previous_link(self):
        if not self.has_previous or not self.rows:
            return None
        return self._link(self.rows[0], True)

    def get_paginated_response(self, data):
        return Response(
            OrderedDict(
                [("next", self.get_next_link()), ("previous", self.get_previous_link()), ("results", data)]
            )
        )

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "Opaque cursor from a previous page's `next` or `previous` link.",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Rows per page (default {settings.API_PAGE_SIZE}, at most {settings.API_MAX_PAGE_SIZE}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": settings.API_MAX_PAGE_SIZE},
            },
        ]
