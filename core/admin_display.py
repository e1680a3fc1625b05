"""How the admin shows a date and time: in the platform's zone (Asia/Shanghai), always.

Wagtail's inspect view prints a field as ``{{ value|localize }}``; the ``localize`` filter
formats a datetime without converting it from UTC, so an order submitted at 11:20 in Beijing
showed as 03:20 (issue 23, point 5). Wagtail's documented hook for this is a display class
per field type (``register_display_class``); ours converts to the active time zone first
(the admin activates the user's chosen zone, else ``TIME_ZONE``)."""

from django.db import models
from django.utils import timezone
from django.utils.formats import date_format, localize
from django.utils.html import conditional_escape
from django.utils.translation import gettext as _
from wagtail.admin.ui.fields import BaseFieldDisplay, register_display_class
from wagtail.admin.views.generic import InspectView


class LocalDateTimeDisplay(BaseFieldDisplay):
    def render_html(self, parent_context=None):
        if self.value is None:
            return "-"
        value = timezone.localtime(self.value) if timezone.is_aware(self.value) else self.value
        return date_format(value, "DATETIME_FORMAT")


class ReadableValueDisplay(BaseFieldDisplay):
    """Any other field on an inspect page: nothing as "—", a boolean as 是/否, not Python's
    None/True/False. More specific display classes (the date-time one above, Wagtail's own
    for images and documents) still win: the registry looks a field's classes up in order."""

    def render_html(self, parent_context=None):
        if self.value is None or self.value == "":
            return "—"
        if isinstance(self.value, bool):
            return _("是") if self.value else _("否")
        return conditional_escape(localize(self.value))


def register():
    register_display_class(models.DateTimeField, display_class=LocalDateTimeDisplay)
    register_display_class(models.Field, display_class=ReadableValueDisplay)
    # A foreign key is looked up by its related model (Wagtail's images and documents have
    # their own display); every other related model falls back to this one.
    register_display_class(models.ForeignKey, to=models.Model, display_class=ReadableValueDisplay)


class ReadableInspectView(InspectView):
    """An inspect view where an empty related object reads "—": Wagtail's display for a
    document or image prints Python's None when there is none."""

    def get_field_display_value(self, field_name, field):
        if (
            field is not None
            and field.many_to_one
            and getattr(self.object, field.attname, None) is None
            and not hasattr(self, f"get_{field_name}_display_value")
        ):
            return "—"
        return super().get_field_display_value(field_name, field)
