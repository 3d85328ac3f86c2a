"""Claims of the ODD's process overview and submodels (docs/ODD.md) that follow the code.

Each test checks one rule twice: the code behaves as the ODD says, and the ODD says it.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pytest

from simcontract import openround
from simcontract.model import ContractingModel
from simcontract.outcomes import YearRecord, yearly
from simcontract.phases import budgets, cadres, entry, strategy, tendering
from simcontract.phases.money import match_sources
from simcontract.scenario import Rules, load_scenario

ODD = Path(__file__).resolve().parent.parent / "docs" / "ODD.md"


@pytest.fixture(scope="module")
def odd_text() -> str:
    """The text of docs/ODD.md."""
    return ODD.read_text(encoding="utf-8")


def section(text: str, heading: str) -> str:
    """The text of the section whose heading starts with ``heading`` (up to the next
    heading of the same or a higher level), whitespace collapsed."""
    level = heading.split(" ", 1)[0]
    match = re.search(
        rf"^{re.escape(heading)}.*?$(.*?)(?=^#{{1,{len(level)}}} )", text, re.M | re.S
    )
    assert match, f"docs/ODD.md has no section {heading!r}"
    return " ".join(match.group(1).split())


def test_cofunders_grant_grows_with_the_funding_network(odd_text: str) -> None:
    rules = Rules(load_scenario("moca_2012_fund").at_year(1), 1)
    track, price = np.array([5.0]), np.array([1e6])
    _, half = match_sources(track, np.array([0.5]), price, rules)
    _, full = match_sources(track, np.array([1.0]), price, rules)
    assert half[0] == pytest.approx(full[0] / 2) and half[0] > 0
    money = section(odd_text, "### 7.18")
    assert "cofunder_match * standing * network * price_c" in money
    assert "network = revenue_other / other_income" in money


def test_open_purchasers_decide_contract_length_when_the_round_starts(odd_text: str) -> None:
    model = ContractingModel("baseline", rng=5, multiyear_endorsement=0.5)
    city = model.cities[0]
    rules = model.market_scenario.rules(1, previous=model.rules)
    record = YearRecord(year=1)
    year_so_far = (
        budgets.open_year,
        entry.register_ngos,
        cadres.rotate_officials,
        strategy.plan_year,
    )
    for phase in year_so_far:
        phase(city, rules, record)
    books = tendering.open_books(city, rules)
    chosen = tendering.choose_open_tenders(city, rules, books)
    assert chosen is not None
    openround.OpenRound.start(city, books, *chosen, tendering.Terms.of(rules))
    open_buyers = {id(s.purchaser): s.purchaser for s in chosen[0]}.values()
    assert open_buyers and all(p.length_year == 1 for p in open_buyers)
    overview = section(odd_text, "## 3.")
    assert "the open round starts (`openround.OpenRound.start`, 7.10)" in overview
    assert "at its first award of the year the purchaser decides" not in overview


def test_equal_award_totals_go_to_the_first_bidder(odd_text: str) -> None:
    rules = Rules(load_scenario("baseline").at_year(1), 1)
    terms = tendering.Terms.of(rules)
    bids = tendering.Bids([None, None], [1.0, 1.0], [1.0, 1.0], [0.5, 0.5], [0, 0], [0, 0])
    assert tendering.pick_winner(None, bids, [0.4, 0.4], terms, noise=[0.0, 0.0]) == 0
    assert "on equal totals the first in bidder order wins" in section(odd_text, "### 7.10")


def test_staff_turnover_is_undefined_when_no_employer_survives_settlement(
    odd_text: str,
) -> None:
    # Workers were employed, but every NGO that employed them exited before turnover.
    values = yearly(YearRecord(year=2, employed=7, layoffs=7))
    assert math.isnan(values["staff_turnover"]) and values["staff_separation_rate"] == 1.0
    outcomes = section(odd_text, "### 7.21")
    assert "`staff_turnover`: no NGO was still active after settlement" in outcomes
