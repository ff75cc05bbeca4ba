"""The marketplace on the store's pages: offers of a part, listings fitting a
vehicle (M1, M3), and a listing photo as a <picture> (M1)."""

from django import template

from camshaft.marketplace import photos, selectors

register = template.Library()


@register.inclusion_tag("marketplace/_also_sold_by.html")
def also_sold_by(part):
    return {"offers": selectors.also_sold_by(part=part)}


@register.inclusion_tag("marketplace/_for_vehicle.html")
def listings_for_vehicle(vehicle):
    """{% listings_for_vehicle vehicle %}: listings that fit it, on its page."""
    return {"offers": selectors.for_vehicle(vehicle_id=vehicle.id), "vehicle": vehicle}


@register.inclusion_tag("catalog/_picture.html")
def photo_thumbnail(photo, width: int = photos.LIST_WIDTH):
    return {"pic": photos.thumbnail(photo.image.name, width), "alt": photo.alt_text}
