"""The marketplace's pure rules: A1's 18+, M3's public user ID, M4's commission."""

from datetime import date
from decimal import Decimal

import pytest

from camshaft.marketplace import rules


def test_M1_a_member_turning_18_today_may_sell():
    assert rules.may_sell(born=date(2008, 12, 4), today=date(2026, 12, 4)).allowed


def test_M1_a_member_turning_18_tomorrow_is_refused_with_the_reason():
    decision = rules.may_sell(born=date(2008, 12, 5), today=date(2026, 12, 4))
    assert not decision.allowed
    assert "18 or older" in decision.reason


def test_M1_a_member_without_a_date_of_birth_is_asked_for_it():
    decision = rules.may_sell(born=None, today=date(2026, 12, 4))
    assert not decision.allowed
    assert "date of birth" in decision.reason


@pytest.mark.parametrize("public_id", ["ab", "x" * 31, "-dash", "under_", "a b", "café", "a@b"])
def test_M3_a_malformed_public_id_is_refused(public_id):
    assert rules.public_id_problem(public_id)


@pytest.mark.parametrize("public_id", ["CamshaftParts", "the-admin", "SupportDesk"])
def test_M3_a_public_id_passing_for_the_store_is_refused(public_id):
    assert "store's own" in rules.public_id_problem(public_id)


@pytest.mark.parametrize("public_id", ["abc", "Brake_Shop-42", "x" * 30])
def test_M3_a_well_formed_public_id_passes(public_id):
    assert rules.public_id_problem(public_id) == ""


def test_M4_the_nearest_category_rate_wins_over_its_parents_and_the_default():
    rates = {None: Decimal("10"), 1: Decimal("8"), 2: Decimal("6")}
    assert rules.commission_percent(category_chain=[3, 2, 1], rates=rates) == Decimal("6")
    assert rules.commission_percent(category_chain=[4, 1], rates=rates) == Decimal("8")
    assert rules.commission_percent(category_chain=[5], rates=rates) == Decimal("10")


def test_M4_no_rate_at_all_is_no_commission():
    assert rules.commission_percent(category_chain=[1], rates={}) == Decimal("0")
