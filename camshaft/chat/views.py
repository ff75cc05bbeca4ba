"""The live chat's one storefront view (B4): the chat's status for the
button's panel (opening hours, agents online). It also makes sure a guest
has a session holding their chat key, which is how the chat socket knows
their conversation (camshaft.chat.guests)."""

from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from camshaft.chat import guests, rules, selectors


@never_cache
@require_GET
def status(request):
    if not request.user.is_authenticated:
        guests.ensure_key(request.session)
    now = timezone.now()
    hours = rules.hours_at(now)
    return JsonResponse(
        {
            "open": hours.is_open,
            "hours": hours.today,
            "agents": selectors.agents_online(now=now),
            "maxLength": rules.MAX_MESSAGE,
        }
    )
