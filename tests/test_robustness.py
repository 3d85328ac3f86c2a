"""Robustness of the patterns over the assumptions' plausible region (tiny runs)."""

from __future__ import annotations

import dataclasses
import itertools
import math

import numpy as np
import pandas as pd
import pytest

from simcontract.cli import main
from simcontract.experiment.designs import DesignError
from simcontract.experiment.results import load_results
from simcontract.experiment.robustness import (
    RobustnessResult,
    assumption_ranges,
    holds,
    robustness,
    wilson,
)
from simcontract.experiment.robustness_indices import first_order
from simcontract.experiment.runner import ExperimentError
from simcontract.experiment.validation import Pattern, load_patterns
from simcontract.params import PARAMETERS

YEARS = 3


def short(pattern: Pattern, years: int = YEARS) -> Pattern:
    """The pattern with both arms cut to ``years`` years."""
    arms = {
        side: dataclasses.replace(arm, scenario=arm.scenario.replace(years=years))
        for side, arm in (("a", pattern.a), ("b", pattern.b))
    }
    return dataclasses.replace(pattern, **arms)


@pytest.fixture(scope="module")
def patterns() -> dict[str, Pattern]:
    return {p.id: short(p) for p in load_patterns()}


@pytest.fixture(scope="module")
def three(patterns) -> list[Pattern]:
    return [patterns[i] for i in ("1", "2a", "11a")]


@pytest.fixture(scope="module")
def stored(three, tmp_path_factory) -> tuple[RobustnessResult, object]:
    folder = tmp_path_factory.mktemp("robust") / "analysis"
    return robustness(three, points=6, replications=2, seed=3, workers=1, out=folder), folder


def test_shares_are_proportions_with_their_interval(stored, three) -> None:
    result, _folder = stored
    shares = result.shares.set_index("pattern")
    assert list(shares.index) == [p.id for p in three]
    for pattern, row in shares.iterrows():
        assert 0 <= row["low"] <= row["share"] <= row["high"] <= 1
        lhs = result.effects[(result.effects["design"] == "lhs")]
        mine = lhs[lhs["pattern"] == pattern]
        assert row["points"] + row["invalid_points"] == 6
        assert row["held"] == mine["holds"].sum()
        assert row["nan_points"] == mine["effect"].isna().sum()


def test_the_arms_keep_their_levers_and_take_the_sample(stored) -> None:
    """The runs themselves: other_income stays at the arms' own values (pattern 11a's
    lever) while the other assumptions take each point's values in every arm."""
    result, folder = stored
    runs = load_results(folder / "runs" / "lhs").runs
    assert set(runs["years"]) == {YEARS}
    samples = result.samples[result.samples["design"] == "lhs"]
    lever = runs["other_income"].isin([400000.0, 50000.0])
    assert lever.sum() == 2 * 6 * 2  # 11a's two arms, 6 points, 2 replications
    assert set(runs.loc[~lever, "other_income"]) == set(samples["other_income"])
    for name in ("quit_rate", "bid_propensity", "shortlist_size"):
        low, high = PARAMETERS[name].plausible_range
        assert set(runs[name]) == set(samples[name])  # every point's value, nothing else
        assert samples[name].between(low, high).all()
    assert pd.api.types.is_integer_dtype(samples["shortlist_size"])
    assert (samples["initial_tie_low"] <= samples["initial_tie_high"]).all()
    # An arm that is the same scenario at a point runs once: baseline is arm a of 1 and
    # arm b of 2a, so 5 scenarios per point.
    assert runs["point"].nunique() == 6 * 5


def test_sensitivity_has_one_row_per_pattern_and_assumption(stored, three) -> None:
    result, _folder = stored
    table = result.sensitivity
    names = list(assumption_ranges())
    assert len(table) == len(three) * len(names)
    assert set(table["index"]) == {"S1"}
    fixed = table[(table["pattern"] == "11a") & (table["parameter"] == "other_income")]
    assert not fixed["varied"].item() and math.isnan(fixed["value"].item())
    assert table["varied"].sum() == len(table) - 1
    top = result.top("1", 4)
    assert len(top) == 4 and top["value"].is_monotonic_decreasing
    with pytest.raises(KeyError):
        result.top("nope")


def test_the_same_seed_gives_the_same_result(patterns) -> None:
    one = [patterns["1"]]
    first, again = (robustness(one, points=4, replications=1, seed=5, workers=1) for _ in "ab")
    for name in ("samples", "effects", "shares", "sensitivity"):
        pd.testing.assert_frame_equal(getattr(first, name), getattr(again, name))
    other = robustness(one, points=4, replications=1, seed=6, workers=1)
    assert not other.samples.equals(first.samples)
    assert not other.effects["effect"].equals(first.effects["effect"])


def test_an_interrupted_analysis_resumes_to_the_same_result(stored, three) -> None:
    result, folder = stored
    parts = sorted((folder / "runs" / "lhs" / "runs").glob("*.parquet"))
    assert len(parts) >= 2
    for part in parts[1::2]:  # as if interrupted: half the runs are not stored
        part.unlink()
    resumed = robustness(
        three, points=6, replications=2, seed=3, workers=1, out=folder, resume=True
    )
    for name in ("samples", "effects", "shares", "sensitivity"):
        pd.testing.assert_frame_equal(getattr(result, name), getattr(resumed, name))
    assert len(load_results(folder / "runs" / "lhs").runs) == 6 * 5 * 2
    loaded = RobustnessResult.load(folder)
    pd.testing.assert_frame_equal(result.shares, loaded.shares, check_dtype=False)
    pd.testing.assert_frame_equal(result.effects, loaded.effects, check_dtype=False)
    assert loaded.settings == result.settings


def test_a_mechanism_shows_among_the_top_assumptions(patterns) -> None:
    """Workload scoring inflates bids through the bonus a promised hour earns: the
    effect of pattern 8 depends on workload_incentive, not on unrelated assumptions."""
    result = robustness(
        [patterns["8"]],
        points=16,
        replications=2,
        seed=0,
        workers=1,
        parameters=["workload_incentive", "dare_a", "hub_noise"],
    )
    assert result.top("8", 1)["parameter"].item() == "workload_incentive"


def test_a_point_that_is_not_a_valid_scenario_is_reported(patterns) -> None:
    """Pattern 5's arms keep the market's community share (0.2) and arm b its specialist
    share (0.15); grassroots shares above 0.65 then sum above 1 in arm b."""
    result = robustness(
        [patterns["5"]],
        points=4,
        replications=1,
        workers=1,
        parameters={"share_grassroots": (0.0, 0.9)},
    )
    samples = result.samples.set_index("point")["share_grassroots"]
    bad = set(samples.index[samples > 0.65])
    assert bad and set(result.invalid["point"]) == bad
    assert set(result.invalid["arm"]) <= {"a", "b"}
    (row,) = result.shares.itertuples()
    assert row.invalid_points == len(bad) and row.points == 4 - len(bad)
    assert not result.effects.set_index("point").loc[sorted(bad), "holds"].any()


def test_morris_and_sobol(patterns) -> None:
    names = ["workload_incentive", "dare_a"]
    morris = robustness(
        [patterns["8"]], points=4, replications=1, workers=1, parameters=names,
        sensitivity="morris", trajectories=2,
    )  # fmt: skip
    assert set(morris.samples["design"]) == {"lhs", "morris"}
    assert (morris.samples["design"] == "morris").sum() == 2 * (len(names) + 1)
    assert set(morris.sensitivity["index"]) == {"mu_star", "mu", "sigma"}
    assert len(morris.top("8", 5)) == 2 and (morris.top("8")["value"] >= 0).all()
    sobol = robustness(
        [patterns["8"]], points=4, replications=1, workers=1, parameters=names,
        sensitivity="sobol",
    )  # fmt: skip
    assert (sobol.samples["design"] == "sobol").sum() == 4 * (len(names) + 2)
    assert set(sobol.sensitivity["index"]) == {"S1", "ST"}


def test_bad_requests_fail_before_running(patterns) -> None:
    one = [patterns["8"]]
    with pytest.raises(ExperimentError, match="rbd_fast, morris, sobol"):
        robustness(one, sensitivity="fast")
    with pytest.raises(DesignError, match="no plausible region"):
        robustness(one, parameters=["years"])
    with pytest.raises(ExperimentError, match="at most 16 parameters"):
        robustness(one, sensitivity="sobol")
    with pytest.raises(ExperimentError, match="points must be an integer >= 2"):
        robustness(one, points=1)


def test_holds_and_wilson() -> None:
    pattern = dataclasses.replace(load_patterns()[0], expect="lower", minimum_effect=0.0)
    assert holds(pattern, -0.1) and not holds(pattern, 0.0) and not holds(pattern, math.nan)
    wide = dataclasses.replace(pattern, minimum_effect=0.05)
    assert holds(wide, -0.05) and not holds(wide, -0.04)
    assert wilson(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    assert wilson(10, 10) == pytest.approx((0.7225, 1.0), abs=1e-4)
    assert all(math.isnan(x) for x in wilson(0, 0))


def test_rbd_fast_matches_salib() -> None:
    from SALib.analyze import rbd_fast

    rng = np.random.default_rng(1)
    x = rng.random((21, 3))
    y = x[:, 0] ** 2 + 0.3 * x[:, 1]
    permuted = [rbd_fast.permute_outputs(x[:, i], y) for i in range(3)]
    expected = [rbd_fast.unskew_S1(rbd_fast.compute_first_order(p, 2), 2, 21) for p in permuted]
    np.testing.assert_allclose(first_order(x, y, 2), expected)


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_the_figure_has_a_row_per_pattern(stored, three, lang) -> None:
    import matplotlib

    from simcontract.plots import robustness_heatmap

    matplotlib.use("Agg")
    result, _folder = stored
    fig = robustness_heatmap(result, k=5, lang=lang)
    (ax,) = [a for a in fig.axes if a.get_label() != "<colorbar>"]
    rows = [t.get_text() for t in ax.get_yticklabels()]
    assert len(rows) == len(three) and len(ax.get_xticklabels()) == 5
    share = result.shares.set_index("pattern").loc["1", "share"]
    assert f"{share:.0%}" in rows[0]
    fig.canvas.draw()


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_the_figure_leaves_room_for_long_assumption_names(patterns, lang, tmp_path) -> None:
    """One pattern and 20 assumptions, names up to 50 characters upright below the
    cells: the layout fits (matplotlib warns when the cells collapse to nothing), and no
    name crosses its neighbour's (slanted at 50 degrees, long ones did)."""
    import warnings

    import matplotlib

    from simcontract import plots
    from simcontract.plots import robustness_heatmap

    matplotlib.use("Agg")
    result = robustness([patterns["2a"]], points=2, replications=1, seed=3, workers=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = robustness_heatmap(result, lang=lang)
        fig.canvas.draw()
        (ax,) = [a for a in fig.axes if a.get_label() != "<colorbar>"]
        boxes = [t.get_window_extent() for t in ax.get_xticklabels()]
        plots.save(fig, tmp_path / "robustness", ("png",))
    assert all(a.x1 <= b.x0 for a, b in itertools.pairwise(boxes)), "names overlap"
    assert ax.get_window_extent().height > 0.2 * fig.bbox.height
    said = {"en": "(2 points × 1 replication)", "zh_CN": "（2 个点 × 1 次重复）"}[lang]
    assert fig.get_suptitle().endswith(said), fig.get_suptitle()


def test_cli(tmp_path, capsys) -> None:
    out = tmp_path / "r"
    args = ["robustness", "--pattern", "8", "--points", "4", "--replications", "1"]
    args += ["--param", "workload_incentive", "--workers", "1", "--out", str(out)]
    assert main(args) == 0
    printed = capsys.readouterr().out
    # At 4 points no index is clear of 0, so none is named as what the effect depends on.
    assert "| 8 | bid_inflation | higher |" in printed
    assert "8: none clear of 0 at this number of points" in printed
    for name in ("shares.csv", "sensitivity.csv", "shares.md", "robustness.png"):
        assert (out / name).is_file(), name
    assert main(args) == 2  # not empty
    assert "add --resume" in capsys.readouterr().err
    assert main(["robustness", "--resume"]) == 2
    assert main(["robustness", "--param", "years"]) == 2
    assert "no plausible region" in capsys.readouterr().err


def test_only_indices_clear_of_zero_are_named_as_what_an_effect_depends_on() -> None:
    """An index whose interval reaches 0, or that has none, is not named by the report."""
    import pandas as pd

    from simcontract.experiment.robustness import RobustnessResult, format_shares

    sensitivity = pd.DataFrame(
        {
            "pattern": "8",
            "parameter": ["favouritism", "reshuffle", "entry_rate", "cadre_transfer"],
            "index": "S1",
            "value": [0.9, 0.4, 0.3, 0.2],
            "conf": [1.2, 0.1, float("nan"), 0.05],
            "varied": True,
        }
    )
    shares = pd.DataFrame(
        [
            {
                "pattern": "8",
                "outcome": "bid_inflation",
                "expect": "higher",
                "minimum_effect": 0.01,
                "points": 8,
                "held": 6,
                "share": 0.75,
                "low": 0.4,
                "high": 0.93,
                "nan_points": 0,
                "invalid_points": 0,
                "median_effect": 0.02,
            }
        ]
    )
    empty = pd.DataFrame()
    result = RobustnessResult(empty, empty, shares, sensitivity, empty, {})
    everything = ["favouritism", "reshuffle", "entry_rate", "cadre_transfer"]
    assert list(result.top("8")["parameter"]) == everything
    assert list(result.top("8", clear=True)["parameter"]) == ["reshuffle", "cadre_transfer"]
    row = format_shares(result, k=3).splitlines()[-1]
    assert row.endswith("| reshuffle (0.4), cadre_transfer (0.2) |"), row


def test_the_mix_of_ngos_is_varied_but_not_the_markets_length_size_or_purchasers() -> None:
    """The origin shares are assumptions like any other (no source gives their values);
    the run's length and the market's size and purchasers define the market studied."""
    from simcontract.experiment.robustness import assumption_ranges
    from simcontract.params import NGO_MIX

    ranges = assumption_ranges()
    for name in NGO_MIX:
        assert ranges[name] == PARAMETERS[name].plausible_range
        assert ranges[name][0] < PARAMETERS[name].default < ranges[name][1]
    fixed = {p.name for p in PARAMETERS.values() if p.group == "run"} - set(NGO_MIX)
    assert {"years", "n_cities", "n_bureaux", "n_mass_orgs", "initial_ngos"} <= fixed
    assert not fixed & set(ranges)
    # At the top of their regions the three origin shares still leave general agencies.
    assert sum(ranges[n][1] for n in NGO_MIX if n.startswith("share_")) < 1
