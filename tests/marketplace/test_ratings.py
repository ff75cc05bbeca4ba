"""Rating a sale (M3): the buyer rates the seller and the seller the
buyer, once per sale, from delivery until 60 days after; the rated side
answers once; only ratings of sales count for the score; every refusal
says why and stores nothing."""

from datetime import UTC, datetime, timedelta

import pytest

from camshaft.marketplace import rules, selectors, services
from camshaft.marketplace.models import Rating
from tests.marketplace.helpers import adult, bearer, seller
from tests.marketplace.sales import sale

pytestmark = pytest.mark.django_db

DELIVERED = datetime(2026, 11, 2, 15, tzinfo=UTC)
NOW = DELIVERED + timedelta(days=3)


def delivered_sale(**extra):
    return sale(shipped_at=DELIVERED - timedelta(days=2), delivered_at=DELIVERED, **extra)


def test_M3_the_buyer_rates_the_seller_and_the_seller_the_buyer():
    sold = delivered_sale()
    by_buyer = services.rate_sale(
        user=sold.buyer, sale_id=sold.pk, value="positive", comment=" Fast! ", now=NOW
    )
    by_seller = services.rate_sale(user=sold.seller.user, sale_id=sold.pk, value="neutral", now=NOW)
    assert (by_buyer.subject, by_buyer.comment, by_buyer.sale) == (sold.seller.user, "Fast!", sold)
    assert by_seller.subject == sold.buyer
    assert selectors.scores_of([sold.seller.user_id], now=NOW)[sold.seller.user_id] == rules.Score(
        100, 1
    )


def test_M3_rating_twice_is_refused_and_nothing_changes():
    sold = delivered_sale()
    services.rate_sale(user=sold.buyer, sale_id=sold.pk, value="positive", now=NOW)
    with pytest.raises(services.RatingProblem) as twice:
        services.rate_sale(user=sold.buyer, sale_id=sold.pk, value="negative", now=NOW)
    assert twice.value.code == "refused" and "already" in twice.value.message
    assert list(Rating.objects.values_list("value", flat=True)) == ["positive"]


def test_M3_a_stranger_cannot_rate_a_sale_it_is_not_found():
    sold = delivered_sale()
    with pytest.raises(services.RatingProblem) as stranger:
        services.rate_sale(user=adult(), sale_id=sold.pk, value="negative", now=NOW)
    assert stranger.value.code == "not_found"
    with pytest.raises(services.RatingProblem) as missing:
        services.rate_sale(user=sold.buyer, sale_id=sold.pk + 999, value="negative", now=NOW)
    assert missing.value.code == "not_found"
    assert not Rating.objects.exists()


def test_M3_a_sale_not_delivered_cannot_be_rated():
    shipped = sale(shipped_at=DELIVERED)
    with pytest.raises(services.RatingProblem) as early:
        services.rate_sale(user=shipped.buyer, sale_id=shipped.pk, value="positive", now=NOW)
    assert early.value.code == "refused" and "delivered" in early.value.message
    assert not Rating.objects.exists()


def test_M3_ratings_close_60_days_after_delivery():
    sold = delivered_sale()
    last_moment = DELIVERED + rules.RATING_WINDOW
    with pytest.raises(services.RatingProblem) as late:
        services.rate_sale(
            user=sold.buyer,
            sale_id=sold.pk,
            value="negative",
            now=last_moment + timedelta(seconds=1),
        )
    assert "60 days" in late.value.message and not Rating.objects.exists()
    services.rate_sale(user=sold.buyer, sale_id=sold.pk, value="negative", now=last_moment)
    assert Rating.objects.count() == 1


@pytest.mark.parametrize(
    ("value", "comment"), [("great", ""), ("positive", "x" * (rules.MAX_COMMENT + 1))]
)
def test_M3_a_bad_value_or_too_long_comment_is_refused(value, comment):
    sold = delivered_sale()
    with pytest.raises(services.RatingProblem) as bad:
        services.rate_sale(user=sold.buyer, sale_id=sold.pk, value=value, comment=comment, now=NOW)
    assert bad.value.code == "invalid" and not Rating.objects.exists()


def test_M3_the_rated_side_answers_once_and_a_stranger_finds_nothing():
    sold = delivered_sale()
    rating = services.rate_sale(
        user=sold.buyer, sale_id=sold.pk, value="neutral", comment="Slow", now=NOW
    )
    with pytest.raises(services.RatingProblem) as author:
        services.reply_to_rating(user=sold.buyer, rating_id=rating.pk, text="Mine")
    assert author.value.code == "not_found"
    services.reply_to_rating(user=sold.seller.user, rating_id=rating.pk, text="Holiday week.")
    with pytest.raises(services.RatingProblem) as again:
        services.reply_to_rating(user=sold.seller.user, rating_id=rating.pk, text="Again")
    assert again.value.code == "refused"
    rating.refresh_from_db()
    assert rating.reply == "Holiday week."


def test_M3_only_ratings_of_sales_count_for_the_score():
    shop = seller("brakes")
    Rating.objects.create(
        author=adult(), subject=shop.user, value="negative", created_at=NOW
    )  # no sale behind it
    sold = delivered_sale(of=shop)
    services.rate_sale(user=sold.buyer, sale_id=sold.pk, value="positive", now=NOW)
    assert selectors.scores_of([shop.user_id], now=NOW)[shop.user_id] == rules.Score(100, 1)
    assert selectors.visible_ratings(shop.user).count() == 1


def test_M3_staff_removal_still_works_on_a_rating_of_a_sale(admin_user):
    sold = delivered_sale()
    rating = services.rate_sale(
        user=sold.buyer, sale_id=sold.pk, value="negative", comment="rude", now=NOW
    )
    services.remove_rating(staff=admin_user, rating_id=rating.pk, reason="Insults")
    assert selectors.scores_of([sold.seller.user_id], now=NOW)[sold.seller.user_id].count == 0


def test_M3_the_profile_shows_the_buyers_comment_escaped_and_the_count(client):
    sold = delivered_sale(of=seller("brakes"))
    services.rate_sale(
        user=sold.buyer,
        sale_id=sold.pk,
        value="positive",
        comment="<script>alert(1)</script> great pads",
    )
    page = client.get("/sellers/brakes/")
    assert "★ 100% (1)" in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; great pads" in page.text
    assert "<script>alert(1)" not in page.text


# API ----------------------------------------------------------------------------------


def test_M3_api_rates_a_sale_and_refuses_with_the_right_status(client, settings):
    sold = sale(shipped_at=datetime(2026, 1, 1, tzinfo=UTC))
    url = f"/api/v1/marketplace/sales/{sold.pk}/rating"
    body = {"value": "positive", "comment": "Fine"}
    headers = bearer(sold.buyer)
    early = client.post(url, body, content_type="application/json", headers=headers)
    assert early.status_code == 409 and "delivered" in early.json()["detail"]
    stranger = client.post(url, body, content_type="application/json", headers=bearer(adult()))
    assert stranger.status_code == 404
    sold.delivered_at = datetime.now(UTC)
    sold.save()
    made = client.post(url, body, content_type="application/json", headers=headers)
    assert made.status_code == 201 and made.json()["value"] == "positive"
    twice = client.post(url, body, content_type="application/json", headers=headers)
    assert twice.status_code == 409
    bad = client.post(
        url, {"value": "great"}, content_type="application/json", headers=bearer(sold.seller.user)
    )
    assert bad.status_code == 422
    assert Rating.objects.count() == 1


def test_M3_api_lists_ratings_received_and_given_and_answers(client):
    sold = sale(shipped_at=datetime.now(UTC), delivered_at=datetime.now(UTC))
    rating = services.rate_sale(user=sold.buyer, sale_id=sold.pk, value="positive", comment="Ok")
    mine = client.get("/api/v1/marketplace/ratings", headers=bearer(sold.seller.user)).json()
    assert [r["id"] for r in mine["received"]] == [rating.pk] and mine["given"] == []
    assert mine["score"] == {"percent_positive": 100, "count": 1}
    url = f"/api/v1/marketplace/ratings/{rating.pk}/answer"
    stranger = client.post(
        url, {"text": "Hi"}, content_type="application/json", headers=bearer(sold.buyer)
    )
    assert stranger.status_code == 404
    answered = client.post(
        url, {"text": "Thanks"}, content_type="application/json", headers=bearer(sold.seller.user)
    )
    assert answered.status_code == 200 and answered.json()["reply"] == "Thanks"
    again = client.post(
        url, {"text": "More"}, content_type="application/json", headers=bearer(sold.seller.user)
    )
    assert again.status_code == 409


# Pages --------------------------------------------------------------------------------


def test_M3_my_ratings_page_rates_a_sale_and_answers(client):
    sold = sale(shipped_at=datetime.now(UTC), delivered_at=datetime.now(UTC))
    client.force_login(sold.buyer)
    page = client.get("/account/ratings/")
    assert page.status_code == 200 and f'action="/account/ratings/sales/{sold.pk}/"' in page.text
    bad = client.post(f"/account/ratings/sales/{sold.pk}/", {"value": "nope"})
    assert bad.status_code == 400 and not Rating.objects.exists()
    done = client.post(f"/account/ratings/sales/{sold.pk}/", {"value": "positive", "comment": "A"})
    assert done.status_code == 302 and Rating.objects.count() == 1
    twice = client.post(f"/account/ratings/sales/{sold.pk}/", {"value": "negative"})
    assert twice.status_code == 409 and Rating.objects.get().value == "positive"
    client.force_login(adult())
    assert (
        client.post(f"/account/ratings/sales/{sold.pk}/", {"value": "negative"}).status_code == 404
    )
    client.force_login(sold.seller.user)
    rating = Rating.objects.get()
    answered = client.post(f"/account/ratings/{rating.pk}/answer/", {"text": "Thanks"})
    assert answered.status_code == 302
    rating.refresh_from_db()
    assert rating.reply == "Thanks"


# Privacy ------------------------------------------------------------------------------


def test_M3_V3_download_my_data_has_ratings_with_their_sales():
    from camshaft.privacy.selectors import personal_data

    sold = delivered_sale()
    services.rate_sale(user=sold.buyer, sale_id=sold.pk, value="positive", comment="Ok", now=NOW)
    [given] = personal_data(sold.buyer)["marketplace_ratings"]
    assert (given["given"], given["sale_id"], given["order_number"]) == (
        True,
        sold.pk,
        sold.order.number,
    )
    [received] = personal_data(sold.seller.user)["marketplace_ratings"]
    assert received["given"] is False and received["comment"] == "Ok"


def test_M3_V4_an_erased_authors_rating_keeps_its_value_without_author_or_comment():
    sold = delivered_sale()
    rating = services.rate_sale(
        user=sold.buyer, sale_id=sold.pk, value="positive", comment="From Pat Smith", now=NOW
    )
    received = services.rate_sale(
        user=sold.seller.user, sale_id=sold.pk, value="negative", comment="Late", now=NOW
    )
    services.forget_person(user=sold.buyer)
    rating.refresh_from_db()
    assert (rating.author, rating.comment, rating.value) == (None, "", "positive")
    assert not Rating.objects.filter(pk=received.pk).exists()
    score = selectors.scores_of([sold.seller.user_id], now=NOW)[sold.seller.user_id]
    assert score == rules.Score(100, 1)
