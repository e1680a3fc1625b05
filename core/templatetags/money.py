"""``{% load money %}`` and ``{{ amount|money }}``: yuan as ``12,345.60`` (``core.money.format_money``)."""

from django import template

from core.money import format_money

register = template.Library()

register.filter("money", format_money)
