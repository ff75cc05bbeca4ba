"""The live chat's one storefront view (B4): the chat's status for the
button's panel (opening hours, agents online). It also makes sure a guest
has a session, which is how the chat socket knows their conversation."""

from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from camshaft.chat import rules, selectors


@never_cache
@require_GET
def status(request):
    if not request.session.session_key:
        request.session["chat"] = True
        request.session.save()
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
