"""{% also_sold_by part %}: the marketplace's offers of a catalogue part (M1, M3);
{% photo_thumbnail photo %}: a listing photo as a <picture> (M1)."""

from django import template

from camshaft.marketplace import photos, selectors

register = template.Library()


@register.inclusion_tag("marketplace/_also_sold_by.html")
def also_sold_by(part):
    return {"offers": selectors.also_sold_by(part=part)}


@register.inclusion_tag("catalog/_picture.html")
def photo_thumbnail(photo, width: int = photos.LIST_WIDTH):
    return {"pic": photos.thumbnail(photo.image.name, width), "alt": photo.alt_text}
