"""My Account → saved cards: see them by brand and last four, remove any (A3, Y3)."""

from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from camshaft.accounts.views import member_required
from camshaft.payments import selectors, services
from camshaft.payments.gateways import GatewayUnavailable, WebhookRefused
from camshaft.payments.models import SavedCard


@member_required
def saved_cards(request):
    cards = selectors.saved_cards_of(user=request.user)
    return render(request, "payments/saved_cards.html", {"cards": cards})


@require_POST
@member_required
def delete_saved_card(request, card_id: int):
    try:
        services.delete_saved_card(user=request.user, card_id=card_id)
    except SavedCard.DoesNotExist:
        raise Http404("No such saved card.") from None
    messages.success(request, "The card is removed.")
    return redirect("saved_cards")


@csrf_exempt
@require_POST
def processor_webhook(request, gateway: str):
    """A processor's notice (Y4): its signature is checked by the gateway
    (Stripe's library; PayPal's published self-verification); a forged or
    stale one gets 400. 503 when PayPal's certificate could not be fetched:
    the processor sends the notice again later."""
    try:
        services.receive_webhook(gateway=gateway, body=request.body, headers=dict(request.headers))
    except WebhookRefused:
        return HttpResponseBadRequest("refused")
    except GatewayUnavailable:
        return HttpResponse("try again later", status=503)
    return HttpResponse("ok")
