"""Outcomes of market capture, churn, separations, gaps, prices and survival, each checked
against a hand computation or a recount from the model's own state."""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest

from simcontract import ContractingModel, Scenario, compare
from simcontract.experiment import kaplan_meier_by, survival_by
from simcontract.experiment.stats import paired_difference
from simcontract.outcomes import (
    ORIGIN_MONEY,
    OUTCOMES,
    TOP_PROVIDERS,
    YearRecord,
    gini,
    summarise,
)
from simcontract.params import ORIGINS
from simcontract.phases import tendering, workforce

NEW = (
    "provider_churn",
    "staff_separation_rate",
    "top5_money_share",
    "contract_money_gini",
    *(f"money_share_{o}" for o in ORIGINS),
    "gap_district_share",
    "winning_price_ratio",
    "never_contracted_share",
    "entrant_survival",
)


def test_new_outcomes_are_declared_with_counters_for_every_origin() -> None:
    assert set(NEW) <= set(OUTCOMES)
    assert set(ORIGIN_MONEY) == set(ORIGINS)
    assert set(ORIGIN_MONEY.values()) <= set(YearRecord.__dataclass_fields__)


# --------------------------------------------------------------------------- by hand
def test_gini_by_hand() -> None:
    # Mean absolute difference over all ordered pairs of [0, 0, 10, 30] is 200 / 16;
    # over twice the mean (20) it gives 0.625.
    assert gini(np.array([0.0, 0.0, 10.0, 30.0])) == pytest.approx(0.625)
    assert gini(np.array([5.0, 5.0, 5.0])) == pytest.approx(0.0)
    assert gini(np.array([0.0, 0.0, 0.0, 7.0])) == pytest.approx(3 / 4)
    assert math.isnan(gini(np.zeros(3)))
    rng = np.random.default_rng(1)
    x = np.sort(rng.exponential(size=40))
    pairs = np.abs(x[:, None] - x[None, :]).sum()
    assert gini(x) == pytest.approx(pairs / (2 * len(x) ** 2 * x.mean()))


def test_capture_of_one_city_by_hand() -> None:
    money = np.array([0.0, 40.0, 10.0, 0.0, 20.0, 5.0, 15.0, 10.0])
    origins = ["general", "general", "specialist", "community", "grassroots", "general",
               "specialist", "community"]  # fmt: skip
    r = YearRecord(year=1)
    r.add_capture(money, np.array([ORIGINS.index(o) for o in origins]))
    r.hhi_cities = 1
    out = {name: OUTCOMES[name].measure(r) for name in NEW}
    assert TOP_PROVIDERS == 5
    assert out["top5_money_share"] == pytest.approx((40 + 20 + 15 + 10 + 10) / 100)
    assert out["money_share_general"] == pytest.approx(0.45)
    assert out["money_share_specialist"] == pytest.approx(0.25)
    assert out["money_share_community"] == pytest.approx(0.10)
    assert out["money_share_grassroots"] == pytest.approx(0.20)
    assert out["contract_money_gini"] == pytest.approx(gini(np.sort(money)))
    empty = YearRecord(year=1)
    empty.add_capture(np.zeros(3), np.zeros(3, np.intp))
    assert empty.top_sum == 0.0 and empty.gini_sum == 0.0 and empty.contract_money == 0.0


def test_separation_rate_by_hand() -> None:
    r = YearRecord(year=2, staff=8, quits=2, employed=10, layoffs=3)
    assert OUTCOMES["staff_separation_rate"].measure(r) == pytest.approx(0.5)
    assert OUTCOMES["staff_turnover"].measure(r) == pytest.approx(0.25)
    assert math.isnan(OUTCOMES["staff_separation_rate"].measure(YearRecord(year=1)))


# --------------------------------------------------------------------------- recounts
class Recount:
    """What the new outcomes count, recounted from the cities' state after each tender
    round (before staffing) and at each year's end."""

    def __init__(self, model: ContractingModel) -> None:
        self.model = model
        self.year: dict[str, float] = defaultdict(float)
        self.last_provider: dict[int, object] = {}
        self.held: set[int] = {n.unique_id for n in model.ngos if n.track_record > 0}
        self.prices: list[float] = []

    def after_tenders(self, city, rules) -> None:
        y = self.year
        money = np.array([sum(c.price for c in n.contracts) for n in city.ngos])
        total = money.sum()
        y["money"] += total
        for origin in ORIGINS:
            y[origin] += sum(m for m, n in zip(money, city.ngos, strict=True) if n.origin == origin)
        if total > 0:
            y["cities"] += 1
            y["top"] += np.sort(money)[::-1][:5].sum() / total
            # Gini as the mean absolute difference over twice the mean.
            diffs = np.abs(money[:, None] - money[None, :]).sum()
            y["gini"] += diffs / (2 * len(money) ** 2 * money.mean())
        districts = {pu.district for pu in city.purchasers}
        gaps = {pu.district for pu in city.purchasers for s in pu.slots if s.contract is None}
        y["districts"] += len(districts)
        y["gaps"] += len(gaps)
        for pu in city.purchasers:
            for s in pu.slots:
                now = s.contract.ngo if s.contract is not None else None
                before = self.last_provider.get(id(s))
                if now is not None and before is not None:
                    y["continued"] += 1
                    y["changed"] += now is not before
                self.last_provider[id(s)] = now
                if now is not None:
                    self.held.add(now.unique_id)

    def year_end(self) -> None:
        active = [n for c in self.model.cities for n in c.ngos]
        self.year["workers_left"] = sum(n.staff for n in active)
        self.year["never"] = sum(n.unique_id not in self.held for n in active)


def recounted_run(monkeypatch: pytest.MonkeyPatch, scenario: str, years: int, **params):
    model = ContractingModel(scenario, rng=11, years=years, **params)
    recount = Recount(model)
    staff_contracts, award = workforce.staff_contracts, tendering.award

    def staffing(city, rules, record):
        recount.after_tenders(city, rules)
        staff_contracts(city, rules, record)

    def awarding(city, slot, bids, best, terms, record):
        recount.prices.append(bids.price[best] / terms.ceiling)
        return award(city, slot, bids, best, terms, record)

    monkeypatch.setattr(workforce, "staff_contracts", staffing)
    monkeypatch.setattr(tendering, "award", awarding)
    years_seen = []
    while model.running:
        recount.year = defaultdict(float)
        model.step()
        recount.year_end()
        years_seen.append((model.records[-1], dict(recount.year)))
    return model, recount, years_seen


@pytest.mark.parametrize(
    ("scenario", "params"),
    [("baseline", {"contract_years": 1}), ("guangzhou_ifsc", {})],
    ids=["baseline-1-year", "guangzhou_ifsc"],
)
def test_counters_match_a_recount_of_the_market(
    monkeypatch: pytest.MonkeyPatch, scenario: str, params: dict
) -> None:
    model, recount, years = recounted_run(monkeypatch, scenario, 5, **params)
    for r, y in years:
        assert r.contract_money == pytest.approx(y["money"])
        for origin, field in ORIGIN_MONEY.items():
            assert getattr(r, field) == pytest.approx(y.get(origin, 0.0))
        assert r.hhi_cities == y.get("cities", 0)
        assert r.top_sum == pytest.approx(y.get("top", 0.0))
        assert r.gini_sum == pytest.approx(y.get("gini", 0.0))
        assert (r.districts_funded, r.gap_districts) == (y["districts"], y.get("gaps", 0))
        assert (r.churn_slots, r.churn_changed) == (y.get("continued", 0), y.get("changed", 0))
        # Every worker employed in the year either quit, was let go, or is still there.
        assert r.employed - r.quits - r.layoffs == y["workers_left"]
        assert r.never_contracted == y["never"]
    assert years[0][0].churn_slots == 0
    summary = model.summary()
    assert summary["winning_price_ratio"] == pytest.approx(np.mean(recount.prices))
    ngos = model.ngo_table()
    entrants = ngos[ngos["entry_year"] > 0]
    assert summary["entrant_survival"] == pytest.approx(entrants["active"].mean())
    assert sum(summary[f"money_share_{o}"] for o in ORIGINS) == pytest.approx(1.0)
    for name in NEW:
        value = summary[name]
        assert 0.0 <= value <= 1.0 + 1e-12, (name, value)
    total = summarise(model.records)
    assert total["staff_separation_rate"] >= total["staff_turnover"]
    assert sum(r.layoffs for r, _ in years) > 0


def test_direct_awards_are_at_the_ceiling() -> None:
    """A direct award carries no price competition: the winning price is the ceiling."""
    direct = (
        ContractingModel("baseline", rng=5, years=3, tendering="direct", mass_org_tendering="same")
        .run()
        .summary()
    )
    assert direct["winning_price_ratio"] == pytest.approx(1.0)
    open_ = ContractingModel("baseline", rng=5, years=3).run().summary()
    assert open_["winning_price_ratio"] < 1.0


def test_churn_per_slot_year_is_comparable_across_contract_lengths() -> None:
    """Under three-year contracts a slot is tendered once in three years: turnover per
    tender does not fall, but a provider changes in far fewer slot-years."""
    arms = {}
    for years in (1, 3):
        runs = [
            ContractingModel("baseline", rng=seed, years=6, contract_years=years).run().summary()
            for seed in range(6)
        ]
        arms[years] = pd.DataFrame(runs)
    churn = paired_difference(arms[3]["provider_churn"], arms[1]["provider_churn"])
    assert churn.low > 0, "a provider changes in more slot-years under one-year contracts"
    gap = paired_difference(
        arms[1]["provider_churn"] - arms[3]["provider_churn"],
        arms[1]["provider_turnover"] - arms[3]["provider_turnover"],
    )
    assert gap.high < 0, "turnover per tender moves far less than churn per slot-year"


# --------------------------------------------------------------------------- survival
def test_kaplan_meier_by_group_by_hand() -> None:
    lives = pd.DataFrame(
        {
            "g": ["a", "a", "a", "b", "b"],
            "lifetime": [1, 2, 3, 2, 4],
            "observed": [True, False, True, True, False],
        }
    )
    km = kaplan_meier_by(lives, ["g"])
    a = km[km["g"] == "a"]
    assert a["n"].tolist() == [3, 3]
    assert a["survival"].tolist() == pytest.approx([2 / 3, 0.0])
    b = km[km["g"] == "b"]
    assert b["time"].tolist() == [2] and b["survival"].tolist() == pytest.approx([0.5])


def test_survival_by_origin_and_cohort() -> None:
    base = Scenario({"years": 5, "initial_ngos": 25}, name="small")
    results = compare([base], replications=2, series=True, workers=1)
    ngos = results.ngos
    by_origin = survival_by(results, "origin")
    assert set(by_origin["origin"]) <= set(ORIGINS)
    sizes = by_origin.groupby("origin")["n"].first()
    counts = ngos.groupby("origin").size()
    assert (sizes == counts.loc[sizes.index]).all()
    for _, curve in by_origin.groupby("origin"):
        assert (np.diff(curve["survival"]) <= 0).all()
        assert ((curve["low"] <= curve["survival"]) & (curve["survival"] <= curve["high"])).all()
    cohorts = survival_by(results, "cohort")
    initial = ngos[ngos["entry_year"] == 0]
    first = cohorts[cohorts["cohort"] == 0]
    assert len(first), "some initial NGO exits in five years"
    # The initial NGOs are censored only at the run's end: their curve is the share
    # still active after each exit year.
    t = first["time"].iloc[-1]
    alive = (initial["exit_year"].isna() | (initial["exit_year"] > t)).mean()
    assert first["survival"].iloc[-1] == pytest.approx(alive)
    assert first["n"].iloc[0] == len(initial)
    with pytest.raises(ValueError, match="grouping"):
        survival_by(results, "sector")


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"initial_reserves": 1e10, "other_income": 1e9},  # no NGO exits
        {"initial_ngos": 0, "entry_rate": 0.0},  # no NGO at all
    ],
)
def test_the_ngo_and_contract_tables_keep_their_columns_and_types(params: dict) -> None:
    """Before, ``exit_year`` held ``None`` (an object column) when no NGO had exited, and
    a market without NGOs gave a table without columns."""
    from simcontract.model import CONTRACT_TYPES, NGO_COLUMNS

    model = ContractingModel("baseline", rng=1, years=2, **params).run()
    for table, types in (
        (model.ngo_table(), NGO_COLUMNS),
        (model.contract_table(), CONTRACT_TYPES),
    ):
        assert list(table.columns) == list(types)
        expected = pd.DataFrame({n: pd.Series([], dtype=t) for n, t in types.items()}).dtypes
        assert table.dtypes.equals(expected)
    ngos = model.ngo_table()
    assert ngos["exit_year"].isna().equals(ngos["active"])
