"""Year records: adding them up, and the outcomes computed from their sums."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simcontract.outcomes import YearRecord, combine, yearly


def test_combine_adds_every_counter() -> None:
    a = YearRecord(year=3, tenders=4, gov_payments=1.5, scored=2, hhi_sum=0.3, hhi_cities=1)
    b = YearRecord(year=3, tenders=6, gov_payments=2.0, scored=5, dependence_ngos=2)
    total = combine([a, b])
    assert (total.year, total.tenders, total.gov_payments) == (3, 10, 3.5)
    assert (total.scored, total.hhi_sum, total.hhi_cities, total.dependence_ngos) == (7, 0.3, 1, 2)
    assert (a.tenders, a.scored) == (4, 2)  # the parts are left as they were
    assert combine([a, b], year=9).year == 9 and combine([]).year == 0


def test_combine_adds_left_to_right_on_every_python() -> None:
    # Python 3.12's sum() compensates float rounding and would give 1.0 here; adding
    # left to right, as before, keeps a seed's digits the same on every Python.
    parts = [YearRecord(year=1, gov_payments=x) for x in (1e16, 1.0, -1e16)]
    assert combine(parts).gov_payments == ((1e16 + 1.0) - 1e16) == 0.0


unit = st.floats(0.0, 1.0, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(unit, unit), min_size=0, max_size=40), st.integers(1, 3))
def test_means_and_correlation_from_sums_match_the_values(
    pairs: list[tuple[float, float]], parts: int
) -> None:
    """Scores and qualities added in several parts give the mean quality and the Pearson
    correlation of all the values (NaN for fewer than 3 or a constant variable)."""
    scores = np.array([s for s, _ in pairs])
    qualities = np.array([q for _, q in pairs])
    records = []
    for chunk in np.array_split(np.arange(len(pairs)), parts):
        r = YearRecord(year=1)
        r.add_scores(scores[chunk], qualities[chunk])
        records.append(r)
    out = yearly(combine(records))
    if not pairs:
        assert math.isnan(out["service_quality"])
    else:
        assert out["service_quality"] == pytest.approx(qualities.mean(), abs=1e-12)
    spread = min(scores.std(), qualities.std()) if pairs else 0.0
    if len(pairs) < 3 or spread == 0.0:
        assert math.isnan(out["score_quality_corr"])
    elif spread > 1e-4:
        expected = np.corrcoef(scores, qualities)[0, 1]
        assert out["score_quality_corr"] == pytest.approx(expected, abs=1e-6)


def test_outcomes_are_undefined_only_where_their_declaration_says() -> None:
    """A ratio is NaN exactly when its denominator is 0, and only outcomes that declare
    when they are undefined can be NaN."""
    from simcontract import ContractingModel
    from simcontract.outcomes import OUTCOMES, Ratio
    from simcontract.scenario import builtin_names

    empty = {"initial_ngos": 0, "entry_rate": 0.0}
    runs = [ContractingModel(name, rng=3, years=4).run() for name in builtin_names()]
    runs.append(ContractingModel("baseline", rng=3, years=3, **empty).run())
    seen_nan = set()
    for model in runs:
        values = [*(yearly(r) for r in model.records), model.summary()]
        for row in values:
            for name, value in row.items():
                if math.isnan(value):
                    seen_nan.add(name)
                    assert OUTCOMES[name].undefined, f"{name} is NaN but never undefined"
        for r in model.records:
            for name, outcome in OUTCOMES.items():
                if isinstance(outcome.measure, Ratio):
                    den = getattr(r, outcome.measure.denominator)
                    assert math.isnan(outcome.measure(r)) == (den == 0), name
    assert {"provider_turnover", "hhi", "service_quality"} <= seen_nan


def test_every_consumer_takes_undefined_outcomes(tmp_path) -> None:
    """A market without NGOs leaves most outcomes undefined; tables, intervals and
    figures report them as such instead of failing."""
    from simcontract import Scenario, compare, plots
    from simcontract.experiment import markdown_table

    nobody = Scenario({"years": 3, "initial_ngos": 0, "entry_rate": 0.0}, name="nobody")
    results = compare([nobody, "baseline"], replications=2, series=True, workers=1)
    table = results.table()
    hhi = table[(table["outcome"] == "hhi") & (table["scenario"] == "nobody")].iloc[0]
    assert hhi["n"] == 0 and math.isnan(hhi["mean"])
    assert "nan" in markdown_table(results)
    assert plots.draw_all(results, tmp_path, formats=("png",), dpi=50)
