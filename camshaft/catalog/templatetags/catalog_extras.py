"""Template helpers for listings: links that change one query parameter."""

from django import template
from django.utils.http import urlencode

register = template.Library()


def _params(request, drop: str) -> dict:
    return {k: v for k, v in request.GET.items() if k not in {drop, "page"}}


@register.simple_tag
def query_with(request, key: str, value) -> str:
    return "?" + urlencode({**_params(request, key), key: value})


@register.simple_tag
def query_without(request, key: str) -> str:
    return "?" + urlencode(_params(request, key))


@register.filter
def get_item(mapping, key):
    return mapping.get(key, [])
