"""My Account → saved cards: see them by brand and last four, remove any (A3, Y3)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from camshaft.accounts.views import member_required
from camshaft.payments import selectors, services
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
