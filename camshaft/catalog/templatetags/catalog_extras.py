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
def urlencode_dict(mapping) -> str:
    return urlencode(mapping)


@register.filter
def get_item(mapping, key):
    return mapping.get(key, [])


UNITS = {"in": "(in)", "mm": "(mm)", "lb": "(lb)", "v": "(V)", "a": "(A)"}


@register.filter
def attribute_label(key: str) -> str:
    """'rotor_diameter_in' -> 'Rotor diameter (in)'."""
    words = str(key).replace("-", "_").split("_")
    if len(words) > 1 and words[-1].lower() in UNITS:
        words[-1] = UNITS[words[-1].lower()]
    return " ".join(words).strip().capitalize()


@register.filter
def attribute_value(value) -> str:
    if value is True or str(value) == "True":
        return "Yes"
    if value is False or str(value) == "False":
        return "No"
    return str(value)
