"""Reputation (M3): the rules as pure functions, answers, staff removal
(audited), the score over 12 months, the public profile and the part
page's "also sold by"."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from camshaft.core.models import AuditEntry
from camshaft.marketplace import rules, selectors, services
from camshaft.marketplace.models import Listing, ListingStatus, Rating
from tests.factories import MemberFactory, PartFactory
from tests.marketplace.helpers import seller
from tests.marketplace.sales import sale

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)


def test_M3_a_party_rates_from_delivery_to_60_days_after():
    delivered = NOW - timedelta(days=60)
    assert rules.may_rate(
        is_party=True, delivered_at=delivered, already_rated=False, now=NOW
    ).allowed
    late = rules.may_rate(
        is_party=True, delivered_at=delivered - timedelta(seconds=1), already_rated=False, now=NOW
    )
    assert not late.allowed and "60 days" in late.reason


@pytest.mark.parametrize(
    ("is_party", "delivered_at", "already_rated", "reason"),
    [
        (False, NOW, False, "Only the buyer and the seller"),
        (True, None, False, "once the parts are delivered"),
        (True, NOW, True, "rated this sale already"),
    ],
)
def test_M3_rating_is_refused_with_its_reason(is_party, delivered_at, already_rated, reason):
    decision = rules.may_rate(
        is_party=is_party, delivered_at=delivered_at, already_rated=already_rated, now=NOW
    )
    assert not decision.allowed and reason in decision.reason


def test_M3_only_the_rated_member_answers_once():
    assert rules.may_reply(is_subject=True, replied=False, removed=False).allowed
    assert not rules.may_reply(is_subject=False, replied=False, removed=False).allowed
    assert not rules.may_reply(is_subject=True, replied=True, removed=False).allowed
    assert not rules.may_reply(is_subject=True, replied=False, removed=True).allowed


def test_M3_the_score_is_the_whole_percent_positive_and_the_count():
    assert rules.score(positive=2, count=3) == rules.Score(66, 3)
    assert rules.score(positive=0, count=0) == rules.Score(None, 0)


def test_M3_the_window_is_twelve_months_even_from_29_february():
    assert rules.score_window_start(NOW) == datetime(2025, 12, 4, 12, tzinfo=UTC)
    leap = datetime(2028, 2, 29, tzinfo=UTC)
    assert rules.score_window_start(leap) == datetime(2027, 2, 28, tzinfo=UTC)


def rate(subject, value, *, at=None, **extra):
    """A rating of `subject` (a seller's user) by the buyer of a sale."""
    author = extra.pop("author", None) or MemberFactory()
    return Rating.objects.create(
        sale=sale(of=subject.seller, buyer=author, delivered_at=at or timezone.now()),
        author=author,
        subject=subject,
        value=value,
        created_at=at or timezone.now(),
        **extra,
    )


@pytest.mark.django_db
def test_M3_the_score_counts_the_last_12_months_and_not_removed_ratings():
    shop = seller("brakes").user
    rate(shop, "positive")
    rate(shop, "negative")
    rate(shop, "negative", at=timezone.now() - timedelta(days=400))
    rate(shop, "negative", removed_at=timezone.now(), removed_reason="Insults")
    assert selectors.scores_of([shop.pk])[shop.pk] == rules.Score(50, 2)


@pytest.mark.django_db
def test_M3_the_seller_answers_a_rating_once():
    shop = seller("brakes").user
    rating = rate(shop, "neutral", comment="Slow shipping")
    services.reply_to_rating(user=shop, rating_id=rating.pk, text="Sorry, holiday week.")
    with pytest.raises(services.RatingProblem):
        services.reply_to_rating(user=shop, rating_id=rating.pk, text="Again")
    with pytest.raises(services.RatingProblem):
        services.reply_to_rating(user=rating.author, rating_id=rating.pk, text="Not mine")
    rating.refresh_from_db()
    assert rating.reply == "Sorry, holiday week."


@pytest.mark.django_db
def test_M3_staff_remove_a_rating_with_a_reason_and_it_is_audited(admin_user):
    shop = seller("brakes").user
    rating = rate(shop, "negative", comment="rude words")
    with pytest.raises(services.RatingProblem):
        services.remove_rating(staff=admin_user, rating_id=rating.pk, reason="  ")
    services.remove_rating(staff=admin_user, rating_id=rating.pk, reason="Abusive language")
    rating.refresh_from_db()
    assert rating.removed_by == admin_user
    entry = AuditEntry.objects.get(object_type="marketplace.rating")
    assert "Abusive language" in entry.detail
    assert not selectors.visible_ratings(shop).exists()


@pytest.mark.django_db
def test_M3_the_public_profile_shows_the_score_and_comments_not_the_name(client):
    shop = seller("brakes", user=MemberFactory(first_name="Secretname"))
    rate(shop.user, "positive", comment="Great pads, fast shipping")
    rate(shop.user, "negative", comment="Hidden one", removed_at=timezone.now(), removed_reason="x")
    page = client.get("/sellers/Brakes/")
    assert page.status_code == 200
    assert "★ 100% (1)" in page.text
    assert "Great pads, fast shipping" in page.text
    assert "Hidden one" not in page.text
    assert "Secretname" not in page.text


@pytest.mark.django_db
def test_M5_a_suspended_sellers_profile_is_gone(client):
    seller("brakes", status="suspended")
    assert client.get("/sellers/brakes/").status_code == 404


@pytest.mark.django_db
def test_M1_the_part_page_shows_offers_by_user_id_with_score(client):
    part = PartFactory()
    shop = seller("brakes")
    rate(shop.user, "positive")
    services.create_listing(
        user=shop.user,
        draft=services.ListingDraft(
            title="Pads", condition="used", price=Decimal("12.00"), quantity=1, part_code=part.sku
        ),
    )
    paused = services.create_listing(
        user=seller("other").user,
        draft=services.ListingDraft(
            title="Pads", condition="new", price=Decimal("9.00"), quantity=1, part_code=part.sku
        ),
    )
    services.set_paused(user=paused.seller.user, listing_id=paused.pk, paused=True)
    page = client.get(f"/parts/{part.sku}/")
    assert page.status_code == 200
    assert "Also sold by" in page.text
    assert "brakes" in page.text and "★ 100% (1)" in page.text
    assert "Used" in page.text
    assert "/sellers/other/" not in page.text


@pytest.mark.django_db
def test_M3_also_sold_by_takes_three_queries_whatever_the_number_of_sellers(
    django_assert_num_queries,
):
    """Is it listed, the listings with their sellers' scores, their first photos (M1)."""
    part = PartFactory()
    for name, values in (("one", ["positive"]), ("two", ["negative", "positive"]), ("three", [])):
        shop = seller(name)
        for value in values:
            rate(shop.user, value)
        services.create_listing(
            user=shop.user,
            draft=services.ListingDraft(
                title="Pads", condition="used", price=Decimal("9"), quantity=1, part_code=part.sku
            ),
        )
    with django_assert_num_queries(3):
        offers = selectors.also_sold_by(part=part)
    scores = {o.public_id: (o.score.count, o.score.percent_positive) for o in offers}
    assert {key: scores[key] for key in ("one", "two")} == {"one": (1, 100), "two": (2, 50)}
    assert scores["three"][0] == 0


@pytest.mark.django_db
def test_M1_also_sold_by_a_part_nobody_lists_takes_one_query(django_assert_num_queries):
    part = PartFactory()
    shop = seller("paused")
    listing = services.create_listing(
        user=shop.user,
        draft=services.ListingDraft(
            title="Pads", condition="used", price=Decimal("9"), quantity=1, part_code=part.sku
        ),
    )
    Listing.objects.filter(pk=listing.pk).update(status=ListingStatus.PAUSED)
    with django_assert_num_queries(1):
        assert selectors.also_sold_by(part=part) == []
