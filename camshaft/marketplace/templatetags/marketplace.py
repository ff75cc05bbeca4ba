"""The marketplace on other apps' pages: `{% also_sold_by part %}` (the
offers of a catalogue part, M1, M3), `{% marketplace_cart_lines %}` (the
cart page's lines per seller), `{% checkout_sellers summary %}` (review) and
`{% order_sellers order %}` (each seller's part of an order) and
`{% listings_for_vehicle vehicle %}` (listings fitting a vehicle, on its page);
`sale|seller_may_refund` (the seller's Refund form, M4)."""

from django import template

from camshaft.cart import services as cart_services
from camshaft.marketplace import photos, selectors

register = template.Library()


@register.filter
def seller_may_refund(sale) -> bool:
    """{% if sale|seller_may_refund %}: the rule the refund service applies."""
    return selectors.may_refund(sale, role="seller")


@register.inclusion_tag("marketplace/_for_vehicle.html")
def listings_for_vehicle(vehicle):
    """{% listings_for_vehicle vehicle %}: listings that fit it, on its page."""
    return {"offers": selectors.for_vehicle(vehicle_id=vehicle.id), "vehicle": vehicle}


@register.inclusion_tag("marketplace/_also_sold_by.html", takes_context=True)
def also_sold_by(context, part):
    request = context.get("request")
    return {
        "offers": selectors.also_sold_by(part=part),
        "csrf_token": context.get("csrf_token"),
        "next": request.path if request is not None else "",
    }


@register.inclusion_tag("marketplace/_cart_lines.html", takes_context=True)
def marketplace_cart_lines(context, quote):
    """The cart page's marketplace lines (M1), grouped "Sold by <user ID>",
    priced like the store's lines in `quote`'s currency."""
    request = context["request"]
    cart = cart_services.cart_for(user=request.user, create=False)
    market = selectors.marketplace_cart(
        cart=cart, currency=quote.currency, exchange_rate=quote.exchange_rate, buyer=request.user
    )
    return {
        "market": market,
        "csrf_token": context.get("csrf_token"),
        "cart_has_store_lines": bool(quote.lines),
    }


@register.inclusion_tag("marketplace/_checkout_sellers.html")
def checkout_sellers(summary):
    return {"market": summary.marketplace}


@register.inclusion_tag("marketplace/_order_sellers.html", takes_context=True)
def order_sellers(context, order):
    """Each seller's part of `order` with its status and tracking; the
    buyer's forms to cancel or say it arrived."""
    request = context["request"]
    is_buyer = request.user.is_authenticated and order.user_id == request.user.pk
    return {
        "parts": selectors.order_parts(order),
        "order": order,
        "is_buyer": is_buyer,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("catalog/_picture.html")
def photo_thumbnail(photo, width: int = photos.LIST_WIDTH):
    return {"pic": photos.thumbnail(photo.image.name, width), "alt": photo.alt_text}
