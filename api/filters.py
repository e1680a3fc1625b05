"""The filter backend of every resource: django-filter, with the FilterSet the HTML page uses.

Some FilterSets take extra keyword arguments beyond ``data``/``queryset``/``request`` (the
catalogue's takes ``package_prices``); a viewset supplies them from ``get_filterset_extra_kwargs()``.
"""

from django_filters.rest_framework import DjangoFilterBackend


class FilterBackend(DjangoFilterBackend):
    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        extra = getattr(view, "get_filterset_extra_kwargs", None)
        if extra is not None:
            kwargs.update(extra())
        return kwargs
