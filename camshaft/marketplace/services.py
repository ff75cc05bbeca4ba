"""Writes of the marketplace: becoming a seller (A1's 18+, M4's terms) and
forgetting a person (V4)."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from camshaft.marketplace import rules, selectors
from camshaft.marketplace.models import Seller


class SellerProblem(Exception):
    """A refusal a caller shows as it is; `code` tells an API which status."""

    def __init__(self, code: str, message: str, *, field: str | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


@transaction.atomic
def become_seller(*, user, public_id: str, terms_version: str, now=None) -> Seller:
    """Make `user` a seller under the current terms with `public_id` (M4).
    Refused, storing nothing, when the member is under 18 or gave no date of
    birth, already sells, names terms that are not the current ones, or picks
    an ID that is malformed or taken."""
    now = now or timezone.now()
    decision = rules.may_sell(born=user.date_of_birth, today=timezone.localdate(now))
    if not decision.allowed:
        raise SellerProblem("under_age", decision.reason)
    if Seller.objects.filter(user=user).exists():
        raise SellerProblem("already_seller", "You are already a seller.")
    terms = selectors.current_terms()
    if terms is None:
        raise SellerProblem("no_terms", "The marketplace is not open to sellers yet.")
    if terms_version != terms.version:
        raise SellerProblem(
            "outdated_terms",
            f"Accept the current seller terms (version {terms.version}).",
            field="terms_version",
        )
    public_id = public_id.strip()
    problem = rules.public_id_problem(public_id)
    if problem:
        raise SellerProblem("bad_public_id", problem, field="public_id")
    if selectors.public_id_taken(public_id):
        raise SellerProblem(
            "public_id_taken", "This user ID is taken: choose another.", field="public_id"
        )
    try:
        with transaction.atomic():
            return Seller.objects.create(
                user=user, public_id=public_id, terms=terms, accepted_at=now
            )
    except IntegrityError:
        # Two members racing for the same ID, or one member in two tabs.
        raise SellerProblem(
            "public_id_taken", "This user ID is taken: choose another.", field="public_id"
        ) from None


def forget_person(*, user) -> None:
    """V4: a member's seller record goes with them."""
    Seller.objects.filter(user=user).delete()
