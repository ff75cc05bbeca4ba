"""{% also_sold_by part %}: the marketplace's offers of a catalogue part (M1, M3)."""

from django import template

from camshaft.marketplace import selectors

register = template.Library()


@register.inclusion_tag("marketplace/_also_sold_by.html")
def also_sold_by(part):
    return {"offers": selectors.also_sold_by(part=part)}
