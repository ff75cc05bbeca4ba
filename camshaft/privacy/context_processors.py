"""The notice of a material privacy-policy change, on every page until it
takes effect (V1). Cached: the policy changes a few times a year."""

from django.core.cache import cache
from django.utils.functional import SimpleLazyObject

from camshaft.consent import selectors as consent
from camshaft.privacy.services import POLICY_NOTICE_CACHE_KEY as CACHE_KEY

CACHE_SECONDS = 300


def _upcoming():
    found = cache.get(CACHE_KEY)
    if found is None:
        policy = consent.upcoming_material_policy()
        found = {"version": policy.version, "effective_at": policy.effective_at} if policy else {}
        cache.set(CACHE_KEY, found, CACHE_SECONDS)
    return found


def policy_notice(request):
    return {"policy_notice": SimpleLazyObject(_upcoming)}
