"""B4 live chat: the pure rules (card numbers, opening hours, the two
minutes before a ticket is offered, links to this store's pages)."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from camshaft.chat import rules

HOSTS = {"shop.example.com"}


@pytest.mark.parametrize(
    "text",
    [
        "4111 1111 1111 1111",
        "4111-1111-1111-1111",
        "my card is 4111111111111111, exp 12/29",
        "amex 3782 822463 10005 please",
        "5555555555554444",
    ],
)
def test_B4_chat_a_card_number_is_masked(text):
    masked = rules.mask_card_numbers(text)
    assert masked.had_card
    assert rules.CARD_MASK in masked.text
    assert not any(run in masked.text for run in ("1111 1111", "4111111111111111", "822463"))


@pytest.mark.parametrize(
    "text",
    [
        "order 4111 1111 1111 1112",  # fails the Luhn check
        "part 123456789012",  # 12 digits: too short for a card
        "call 1-800-555-0100",
        "VIN 1HGCM82633A004352",
    ],
)
def test_B4_chat_numbers_that_are_not_cards_stay(text):
    assert rules.mask_card_numbers(text) == rules.Masked(text, False)


@given(st.lists(st.integers(0, 9), min_size=12, max_size=18))
def test_B4_chat_any_luhn_valid_run_of_card_length_is_masked(body):
    digits = "".join(map(str, body))
    check = next(d for d in "0123456789" if rules.luhn_valid(digits + d))
    masked = rules.mask_card_numbers(f"x {digits}{check} y")
    assert masked.had_card and digits + check not in masked.text


def test_B4_chat_opening_hours_are_judged_in_the_store_zone():
    # 12:30 UTC on a Wednesday in December is 7:30 Eastern: not yet open.
    assert not rules.hours_at(datetime(2026, 12, 2, 12, 30, tzinfo=UTC)).is_open
    # 13:30 UTC is 8:30 Eastern.
    assert rules.hours_at(datetime(2026, 12, 2, 13, 30, tzinfo=UTC)).is_open
    # 00:30 UTC Thursday is 19:30 Eastern on Wednesday: still open.
    assert rules.hours_at(datetime(2026, 12, 3, 0, 30, tzinfo=UTC)).is_open
    # Sunday: closed all day; Christmas Day (a Friday): closed.
    sunday = rules.hours_at(datetime(2026, 12, 6, 16, 0, tzinfo=UTC))
    assert not sunday.is_open and sunday.today == "closed today"
    assert not rules.hours_at(datetime(2026, 12, 25, 16, 0, tzinfo=UTC)).is_open
    with pytest.raises(ValueError):
        rules.hours_at(datetime(2026, 12, 2, 13, 30))


def test_B4_chat_offers_a_ticket_when_closed_nobody_online_or_after_two_minutes():
    now = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
    waiting = dict(is_open=True, agents_online=2, answered=False, now=now)
    assert rules.offer_ticket(**{**waiting, "is_open": False}, waiting_since=now)
    assert rules.offer_ticket(**{**waiting, "agents_online": 0}, waiting_since=now)
    just_under = now - rules.NO_ANSWER_WITHIN + timedelta(seconds=1)
    assert not rules.offer_ticket(**waiting, waiting_since=just_under)
    assert rules.offer_ticket(**waiting, waiting_since=now - rules.NO_ANSWER_WITHIN)
    late_but_answered = {**waiting, "answered": True}
    assert not rules.offer_ticket(**late_but_answered, waiting_since=now - timedelta(hours=1))


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("/parts/BP-1/", "/parts/BP-1/"),
        ("https://shop.example.com/cart/?x=1", "/cart/?x=1"),
        ("http://SHOP.example.com/orders/AB12/", "/orders/AB12/"),
        ("https://evil.example.net/parts/BP-1/", None),
        ("//evil.example.net/x", None),
        ("javascript:alert(1)", None),
        ("https:/\\evil.example.net", None),
        ("data:text/html,<script>", None),
    ],
)
def test_B4_chat_links_are_only_this_stores_pages(url, path):
    assert rules.store_path(url, hosts=HOSTS) == path
