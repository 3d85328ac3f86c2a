"""Scenario decomposition: rules, coalitions, Shapley values and their properties."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from simcontract import Scenario
from simcontract.cli import main
from simcontract.experiment import ExperimentError
from simcontract.experiment.decomposition import (
    DEFAULT_RULES,
    decompose,
    exact_shapley,
    format_decomposition,
    rule_map,
)
from simcontract.experiment.decomposition_rules import (
    coalition_scenario,
    differing_rules,
    schedules,
)
from simcontract.model import ContractingModel
from simcontract.params import PARAMETERS

TINY = {"years": 4, "initial_ngos": 15, "n_bureaux": 4, "n_mass_orgs": 1}
OUTCOME = "tied_award_share"


@pytest.fixture(scope="module")
def pair() -> tuple[Scenario, Scenario]:
    """a and b differ in favouritism, contract length (b's from a dated change) and the
    hub's pool size, which open tendering never reads."""
    a = Scenario(TINY, name="tiny")
    b = Scenario(
        {**TINY, "favouritism": 0.7, "hub_pool_size": 4},
        name="tiny_b",
        changes=[{"year": 2, "contract_years": 1}],
    )
    return a, b


@pytest.fixture(scope="module")
def exact(pair):
    return decompose(*pair, OUTCOME, replications=3, seed=5, workers=1)


def test_every_parameter_belongs_to_one_rule() -> None:
    mapped = [p for params in rule_map().values() for p in params]
    assert sorted(mapped) == sorted(PARAMETERS)
    own = rule_map({"ties": ["favouritism", "tie_density"], "caution": ["blame_avoidance"]})
    assert own["ties"] == ("favouritism", "tie_density")
    assert "favouritism" not in own["favouritism"]
    # Redefining a default rule leaves its other parameters to the group's rule.
    assert own["caution"] == ("blame_avoidance",)
    assert set(DEFAULT_RULES["caution"]) - {"blame_avoidance"} <= set(own["other_tendering"]) | set(
        own["other_cadres"]
    )
    with pytest.raises(ExperimentError, match="favouritism"):
        rule_map({"x": ["favouritism"], "y": ["favouritism"]})
    with pytest.raises(ExperimentError, match="unknown parameter"):
        rule_map({"x": ["no_such_parameter"]})


def test_rules_hold_the_differing_schedules(pair) -> None:
    a, b = pair
    rules = differing_rules(*pair)
    assert list(rules) == ["tendering_mode", "favouritism", "contract_length"]
    length = rules["contract_length"]
    assert length.parameters == ("contract_years",)
    assert str(length.a["contract_years"]) == "3"
    assert str(length.b["contract_years"]) == "3; 1 from year 2"
    # The empty and the full coalition are a and b, dated changes included.
    ordered = list(rules.values())
    assert coalition_scenario(a, b, ordered, 0) == a
    assert coalition_scenario(a, b, ordered, 0b111) == b
    mixed = coalition_scenario(a, b, ordered, 0b100)
    assert mixed.at_year(2)["contract_years"] == 1 and mixed["favouritism"] == a["favouritism"]
    assert schedules(mixed)["contract_years"] == length.b["contract_years"]


def test_invalid_coalition_is_reported_before_any_run() -> None:
    a = Scenario({**TINY, "share_community": 0.6, "share_grassroots": 0.0}, name="a")
    b = Scenario({**TINY, "share_community": 0.0, "share_grassroots": 0.6}, name="b")
    split = {"community": ["share_community"], "grassroots": ["share_grassroots"]}
    with pytest.raises(ExperimentError, match=r"not a valid scenario.*one rule"):
        decompose(a, b, OUTCOME, rules=split, replications=2, workers=1)


def test_shapley_values_sum_to_the_gap_in_every_replication(exact, pair) -> None:
    assert exact.method == "exact" and exact.n_coalitions == 8
    per = exact.per_replication
    rules = list(exact.rules)
    np.testing.assert_allclose(per[rules].sum(axis=1), per["total"], rtol=0, atol=1e-12)
    assert math.isclose(exact.shapley["value"].sum(), exact.total.mean, abs_tol=1e-12)
    # The gap is that of a and b run alone on the same seeds.
    a, b = pair
    from simcontract.experiment.runner import run_seed

    for r in range(3):
        seed = run_seed(5, r)
        gap = ContractingModel(b, rng=seed).run().summary()[OUTCOME]
        gap -= ContractingModel(a, rng=seed).run().summary()[OUTCOME]
        assert per["total"][r] == pytest.approx(gap, abs=1e-12)


def test_the_gap_is_over_the_replications_where_every_value_is_defined(pair) -> None:
    """Before, the gap was the mean over every replication where a and b had a value,
    the values over fewer: the shares of the gap added up to 66%, not 100%."""
    from simcontract.experiment import decomposition

    rules = list(differing_rules(*pair).values())
    k, replications = len(rules), 4
    draws = np.random.default_rng(0)
    values = {mask: draws.random(replications) for mask in range(1 << k)}
    values[0b001][2] = np.nan  # the outcome undefined in one coalition of replication 2
    masks = list(range(1 << k))
    d = decomposition._result(*pair, OUTCOME, rules, values, masks, None, replications, 5)
    assert d.total.n == 3 and (d.shapley["n"] == 3).all()
    assert math.isclose(d.shapley["value"].sum(), d.total.mean, abs_tol=1e-12)
    assert math.isclose(d.shapley["share"].sum(), 1.0, abs_tol=1e-12)
    gap = values[(1 << k) - 1] - values[0]
    assert d.total.mean == pytest.approx(np.delete(gap, 2).mean())
    said = " ".join(format_decomposition(d).split())
    assert "undefined in some coalition in 1 of the 4 replications: the gap and the" in said


def test_a_rule_the_runs_do_not_read_gets_exactly_zero(exact) -> None:
    row = exact.shapley.set_index("rule").loc["tendering_mode"]
    assert row["value"] == row["low"] == row["high"] == 0.0
    assert (exact.per_replication["tendering_mode"] == 0.0).all()
    alone = exact.one_at_a_time.set_index("rule").loc["tendering_mode"]
    assert alone["at_a"] == alone["at_b"] == 0.0
    # The rules that matter do change the runs.
    assert (exact.per_replication["favouritism"] != 0).any()


def test_exact_shapley_of_a_known_game() -> None:
    """v(S) = sum of weights + an interaction of players 0 and 1 split evenly; player 2
    is a copy of player 3 (symmetry)."""
    weights = [1.0, 2.0, 5.0, 5.0]

    def v(mask: int) -> np.ndarray:
        value = sum(w for i, w in enumerate(weights) if mask >> i & 1)
        return np.array([value + (3.0 if mask & 0b11 == 0b11 else 0.0)])

    phi = exact_shapley({m: v(m) for m in range(16)}, 4)[:, 0]
    np.testing.assert_allclose(phi, [2.5, 3.5, 5.0, 5.0])


def test_sampled_mode_is_seeded_and_efficient(pair) -> None:
    options = {"replications": 2, "workers": 1, "exact_limit": 2, "permutations": 4}
    first = decompose(*pair, OUTCOME, seed=3, **options)
    again = decompose(*pair, OUTCOME, seed=3, **options)
    assert first.method == "sampled" and first.permutations == 4
    assert first.shapley.equals(again.shapley)
    assert first.coalitions["mask"].tolist() == again.coalitions["mask"].tolist()
    per = first.per_replication
    np.testing.assert_allclose(per[list(first.rules)].sum(axis=1), per["total"], atol=1e-12)
    assert (per["tendering_mode"] == 0.0).all()
    with pytest.raises(ExperimentError, match="even"):
        decompose(*pair, OUTCOME, **{**options, "permutations": 3})


def test_report_lists_every_rule_and_parameter(exact) -> None:
    text = format_decomposition(exact)
    for label in ("Tendering mode", "Favouritism and ties", "Contract length"):
        assert text.count(f"| {label} |") == 2  # once among the values, once the parameters
    assert "3; 1 from year 2" in text and "hub_pool_size" in text
    assert "exact" in text and "8 coalitions" in text
    zh = format_decomposition(exact, "zh_CN")
    assert "合同期限" in zh and "自第 2 年起" in zh


def test_figure_draws_a_bar_per_rule_and_the_gap(exact) -> None:
    from simcontract.plots.decomposition import decomposition_chart

    fig = decomposition_chart(exact, lang="zh_CN")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(labels) == len(exact.rules) + 1
    assert "差距 b − a" in labels and "合同期限" in labels


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["baseline", "shanghai_hub"], "--outcome"),
        (["baseline", "shanghai_hub", "--outcome", "no_such"], "unknown outcome"),
        (["baseline", "no_such_city", "--outcome", OUTCOME], "unknown scenario"),
        (["baseline", "baseline", "--outcome", OUTCOME], "no gap"),
        (["baseline", "shanghai_hub", "--outcome", OUTCOME, "--rule", "x"], "NAME=PARAM1"),
        (["baseline", "shanghai_hub", "--outcome", OUTCOME, "--rule", "x=nope"], "nope"),
        (["baseline", "shanghai_hub", "--outcome", OUTCOME, "--permutations", "3"], "even"),
        (["baseline", "shanghai_hub", "--outcome", OUTCOME, "--resume"], "--resume needs"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(argv, said, capsys) -> None:
    assert main(["decompose", *argv]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and said in captured.err


def test_cli_writes_tables_and_figure(tmp_path, capsys) -> None:
    a, b = tmp_path / "a.toml", tmp_path / "b.toml"
    a.write_text(Scenario(TINY, name="a").to_toml(), encoding="utf-8")
    b.write_text(Scenario({**TINY, "favouritism": 0.7}, name="b").to_toml(), encoding="utf-8")
    out = tmp_path / "out"
    argv = ["decompose", str(a), str(b), "--outcome", OUTCOME, "--replications", "2"]
    assert main([*argv, "--workers", "1", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "| Favouritism and ties |" in printed
    names = {p.name for p in out.iterdir()}
    assert {"shapley.csv", "decomposition.md", "decomposition.png", "batch"} <= names
    # A second run into the same folder is refused; resuming finds every run stored.
    assert main([*argv, "--workers", "1", "--out", str(out)]) == 2
    assert "not empty" in capsys.readouterr().err
    assert main([*argv, "--workers", "1", "--out", str(out), "--resume"]) == 0


@pytest.mark.parametrize("out", [True, False])
def test_an_interrupted_decomposition_says_how_to_finish_it(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    out: bool,
) -> None:
    """Ctrl-C during ``decompose --out DIR``: one line with the command that finishes
    it, exit status 130; without ``--out`` there is nothing to finish."""
    from simcontract import cli
    from simcontract.experiment import decomposition as module

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(module, "decompose", interrupted)
    argv = ["decompose", "baseline", "guangzhou_ifsc", "--outcome", "ngo_survival"]
    if out:
        argv += ["--out", str(tmp_path / "dec")]
    assert cli.main(argv) == 130
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    if out:
        finish = "simcontract " + " ".join(argv) + " --resume"
        assert err.rstrip().endswith(f"interrupted by SIGINT; finish with: {finish}"), err
    else:
        assert err.rstrip() == "simcontract: interrupted by SIGINT", err


def test_a_comparable_form_is_decomposed_from_each_runs_own_form() -> None:
    """Markets of different sizes: the gap in public spend per purchaser and year is
    that of a and b run alone on the same seeds, each divided by its own purchasers and
    years (the form ``compare`` and the tables give)."""
    from simcontract.experiment.runner import run_seed

    a = Scenario(TINY, name="tiny")
    b = Scenario({**TINY, "n_bureaux": 8, "years": 3}, name="bigger")
    form = "public_spend_per_purchaser_year"
    found = decompose(a, b, form, replications=2, seed=3, workers=1)
    for r in range(2):
        seed = run_seed(3, r)
        spent = {
            s.name: ContractingModel(s, rng=seed).run().summary()["public_spend"]
            / (s["years"] * s["n_cities"] * (s["n_bureaux"] + s["n_mass_orgs"]))
            for s in (a, b)
        }
        gap = spent["bigger"] - spent["tiny"]
        assert found.per_replication["total"][r] == pytest.approx(gap, rel=1e-12)
    assert "Public spend per purchaser per year (CNY)" in format_decomposition(found)
    with pytest.raises(ExperimentError, match=r"did you mean 'public_spend_per_purchaser_year'"):
        decompose(a, b, "public_spend_per_purchaser_yr", replications=2, workers=1)
