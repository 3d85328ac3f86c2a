"""Scenario discovery: conditions on outcomes, Latin hypercubes with choices, PRIM's
boxes on a planted case of the model, feature scores, figures, and the command."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from simcontract import LatinHypercube, plots, sweep
from simcontract.cli import main
from simcontract.experiment import designs, discovery
from simcontract.experiment.conditions import ConditionError, parse_condition
from simcontract.experiment.discovery import Discovery, DiscoveryError, discover


# --------------------------------------------------------------------------- conditions
def test_a_condition_reads_clauses_joined_by_and_before_or() -> None:
    condition = parse_condition("ngo_survival < 0.5 and staff_turnover >= 0.3 or hhi > 0.4")
    assert condition.outcomes == ["ngo_survival", "staff_turnover", "hhi"]
    runs = pd.DataFrame(
        {
            "ngo_survival": [0.4, 0.4, 0.9, 0.9, np.nan],
            "staff_turnover": [0.3, 0.2, 0.2, 0.2, 0.5],
            "hhi": [0.0, 0.0, 0.5, 0.1, 0.9],
        }
    )
    assert condition.holds(runs).tolist() == [True, False, True, False, False]
    assert condition.defined(runs).tolist() == [True, True, True, True, False]
    assert str(condition) == "ngo_survival < 0.5 and staff_turnover >= 0.3 or hhi > 0.4"


def test_a_condition_reads_in_words_for_a_chinese_reader() -> None:
    """English keeps the condition as --where takes it; Chinese names each outcome by
    its label (and the discovery's report gives the code beside it)."""
    condition = parse_condition("ngo_survival < 0.5 and staff_turnover >= 0.3 or hhi > 0.4")
    assert condition.in_words("en") == str(condition)
    assert condition.in_words("zh_CN") == (
        "社会组织存活率 < 0.5 且 社工流失率 >= 0.3 或 承接份额的赫芬达尔指数（HHI） > 0.4"
    )
    found = discovery.Discovery(*(pd.DataFrame() for _ in range(5)), settings={
        "where": "service_coverage < 0.8", "of_interest": 2, "runs": 32, "undefined": 0,
    })  # fmt: skip
    first = discovery.format_discovery(found, "zh_CN").splitlines()[0]
    assert first.startswith("满足服务覆盖率 < 0.8（`service_coverage < 0.8`）的运行"), first


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", r"the condition is empty"),
        ("service_coverage", r"cannot read 'service_coverage'"),
        ("service_coverage == 0.8", r"cannot read .* with one of <, <=, >, >="),
        ("coverage < 0.8", r"'coverage' is not an outcome; did you mean 'service_coverage'"),
        ("hhi < nan", r"'nan' is not a finite number"),
        ("hhi < 0.3 and", r"cannot read"),
    ],
)
def test_a_bad_condition_says_what_is_wrong(text: str, message: str) -> None:
    with pytest.raises(ConditionError, match=message):
        parse_condition(text)


# --------------------------------------------------------------------------- design
def test_a_latin_hypercube_takes_choices_in_equal_blocks() -> None:
    design = LatinHypercube(
        90, {"favouritism": (0.0, 1.0), "tendering": ["open", "selective", "direct"]}, seed=3
    )
    points = pd.DataFrame(design.points())
    assert design.parameters == ("favouritism", "tendering")
    assert points["tendering"].value_counts().to_dict() == {
        "open": 30,
        "selective": 30,
        "direct": 30,
    }
    strata = np.floor(points["favouritism"].to_numpy() * 90).astype(int)
    assert sorted(strata) == list(range(90))
    again = designs.from_description(json.loads(json.dumps(design.describe())))
    assert again == design and again.points() == design.points()


def test_choices_alone_and_every_choice_by_default() -> None:
    design = LatinHypercube(8, ["evaluation"], seed=1)
    assert set(p["evaluation"] for p in design.points()) == {"workload", "outcome", "mixed"}


def test_a_latin_hypercube_without_choices_samples_as_before() -> None:
    import inspect

    from scipy.stats import qmc

    design = LatinHypercube(16, {"favouritism": (0.0, 1.0), "rank_noise": (0.0, 0.5)}, seed=5)
    keyword = "rng" if "rng" in inspect.signature(qmc.LatinHypercube).parameters else "seed"
    engine = qmc.LatinHypercube(2, **{keyword: np.random.default_rng(5)})
    expected = qmc.scale(engine.random(16), [0.0, 0.0], [1.0, 0.5])
    np.testing.assert_array_equal(design.matrix(), expected)
    assert "choices" not in design.describe()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"tendering": ["open", "closed"]}, r"'closed' is not allowed"),
        ({"tendering": ["open", "open"]}, r"lists 'open' twice"),
        ({"tendering": []}, r"has no choices"),
    ],
)
def test_bad_choices_are_refused(params: dict, message: str) -> None:
    with pytest.raises(designs.DesignError, match=message):
        LatinHypercube(4, params)


# --------------------------------------------------------------------------- PRIM
def _synthetic(n: int = 600, seed: int = 0) -> pd.DataFrame:
    """Runs where the outcome is low exactly when favouritism > 0.6 and contract_years
    <= 2, whatever the noise inputs are."""
    rng = np.random.default_rng(seed)
    runs = pd.DataFrame(
        {
            "point": range(n),
            "replication": 0,
            "favouritism": rng.uniform(0, 1, n),
            "contract_years": rng.integers(1, 6, n),
            "rank_noise": rng.uniform(0, 0.5, n),
            "tendering": rng.choice(["open", "selective", "direct"], n),
        }
    )
    low = (runs["favouritism"] > 0.6) & (runs["contract_years"] <= 2)
    runs["ngo_survival"] = np.where(low, 0.2, 0.9) + rng.normal(0, 0.01, n)
    return runs


INPUTS = ["favouritism", "contract_years", "rank_noise", "tendering"]


def test_prim_finds_the_box_that_holds_the_cases() -> None:
    found = discover(_synthetic(), "ngo_survival < 0.5", INPUTS)
    box = found.box_limits(0).set_index("parameter")
    assert set(box.index) == {"favouritism", "contract_years"}
    assert 0.45 <= box.loc["favouritism", "low"] <= 0.7
    assert box.loc["contract_years", "high"] == 2
    stats = found.boxes.iloc[0]
    assert stats["density"] >= 0.8 and stats["coverage"] >= 0.9 and stats["meets"]
    assert found.scores["parameter"].iloc[:2].tolist() in (
        ["favouritism", "contract_years"],
        ["contract_years", "favouritism"],
    )
    assert any("at most 2" in rule for rule in found.rules(0, "en"))
    assert any("不高于 2" in rule for rule in found.rules(0, "zh_CN"))


def test_the_chosen_box_is_the_widest_that_reaches_the_density() -> None:
    trajectory = pd.DataFrame(
        {
            "coverage": [1.0, 0.9, 0.8, 0.8, 0.5],
            "density": [0.3, 0.6, 0.85, 0.9, 1.0],
            "res_dim": [0, 1, 2, 1, 3],
        }
    )
    assert discovery.choose_step(trajectory, 0.8) == 3
    assert discovery.choose_step(trajectory, 0.95) == 4
    assert discovery.choose_step(trajectory.iloc[:2], 0.8) == 1


def test_restrictions_that_are_not_significant_are_dropped() -> None:
    runs = _synthetic(200, seed=4)
    kept = discover(runs, "ngo_survival < 0.5", INPUTS, max_qp=1.0)
    pruned = discover(runs, "ngo_survival < 0.5", INPUTS)
    significant = pruned.box_limits(0)
    assert (significant.apply(discovery.restriction_qp, axis=1) <= 0.05).all()
    assert set(significant["parameter"]) <= set(kept.box_limits(0)["parameter"])


def _weak(n: int, seed: int) -> pd.DataFrame:
    """Runs that fail mostly with favouritism above 0.5, a little more often under
    direct tendering: a restriction that adds density few runs can show."""
    rng = np.random.default_rng(seed)
    runs = pd.DataFrame(
        {
            "point": range(n),
            "replication": 0,
            "favouritism": rng.uniform(0, 1, n),
            "rank_noise": rng.uniform(0, 0.5, n),
            "tendering": rng.choice(["open", "selective", "direct"], n),
        }
    )
    high = np.where(runs["tendering"] == "direct", 0.95, 0.7)
    fails = rng.uniform(size=n) < np.where(runs["favouritism"] > 0.5, high, 0.05)
    runs["ngo_survival"] = np.where(fails, 0.2, 0.9)
    return runs


def test_a_box_pruned_below_the_target_says_how_it_got_there() -> None:
    """The flag "below the density target" meant that no step reached it; pruning can
    also take a box that reached it below, and the report says which."""
    inputs = ["favouritism", "rank_noise", "tendering"]
    found = discover(_weak(60, 2), "ngo_survival < 0.5", inputs)
    box, t = found.boxes.iloc[0], found.trajectories
    peeled = t[t["phase"] == "peel"]
    assert not box["meets"] and peeled["density"].max() >= 0.8 > box["density"]
    said = {lang: discovery.format_discovery(found, lang).splitlines()[2] for lang in LANGS}
    assert "the box chosen had 88%" in said["en"] and "quasi-p value above 0.05" in said["en"]
    assert "所选盒子的密度为 88%" in said["zh_CN"]
    # Read against a target no step of the peeling reached (one step had 100%).
    beyond = dataclasses.replace(found, settings=found.settings | {"min_density": 1.01})
    line = discovery.format_discovery(beyond, "en").splitlines()[2]
    assert "(below the density target 1.01)" in line


LANGS = ("en", "zh_CN")


@pytest.mark.parametrize(
    ("where", "options", "message"),
    [
        ("ngo_survival < 0", {}, r"no run of 600 meets 'ngo_survival < 0'"),
        ("ngo_survival < 2", {}, r"every run of 600 meets"),
        ("ngo_survival < 0.5", {"parameters": ["hhi"]}, r"unknown parameter 'hhi'"),
        ("ngo_survival < 0.5", {"parameters": ["years"]}, r"no values of parameter 'years'"),
        ("ngo_survival < 0.5", {"min_density": 1.5}, r"min_density must be a number above 0"),
        ("ngo_survival < 0.5", {"max_boxes": 0}, r"max_boxes must be an integer >= 1"),
        ("hhi < 0.5", {}, r"these results hold no outcome 'hhi'"),
    ],
)
def test_discovery_refuses_what_it_cannot_do(where: str, options: dict, message: str) -> None:
    runs = _synthetic()
    parameters = options.pop("parameters", INPUTS)
    with pytest.raises(DiscoveryError, match=message):
        discover(runs, where, parameters, **options)


def test_an_input_that_never_varies_is_refused() -> None:
    runs = _synthetic().assign(rank_noise=0.1)
    with pytest.raises(DiscoveryError, match=r"'rank_noise' takes one value in every run"):
        discover(runs, "ngo_survival < 0.5", INPUTS)


def test_a_discovery_saves_and_loads(tmp_path: Path) -> None:
    found = discover(_synthetic(), "ngo_survival < 0.5", INPUTS)
    found.save(tmp_path)
    again = Discovery.load(tmp_path)
    pd.testing.assert_frame_equal(again.limits, found.limits, check_dtype=False)
    pd.testing.assert_frame_equal(again.boxes, found.boxes, check_dtype=False)
    assert again.rules(0) == found.rules(0)
    assert discovery.format_discovery(again) == discovery.format_discovery(found)
    with pytest.raises(DiscoveryError, match="holds no discovery"):
        Discovery.load(tmp_path / "none")


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_the_figures_draw_in_both_languages(lang: str) -> None:
    found = discover(_synthetic(), "ngo_survival < 0.5", INPUTS)
    for figure in (
        plots.discovery_tradeoff(found, lang=lang),
        plots.discovery_box(found, lang=lang),
        plots.discovery_scores(found, lang=lang),
    ):
        assert figure.axes and figure.axes[0].get_title()
    box_labels = [t.get_text() for t in plots.discovery_box(found, lang=lang).axes[0].texts]
    assert any(("at least" if lang == "en" else "不低于") in t for t in box_labels)
    with pytest.raises(KeyError, match="no box 5"):
        plots.discovery_box(found, 5)


# ------------------------------------------------------------------ planted case (model)
PLANTED = {
    "match_funding": (0.0, 0.8),
    "other_income": (0.0, 800_000.0),
    "favouritism": (0.0, 1.0),
    "contract_years": (1, 5),
    "tendering": ["open", "selective", "direct"],
}
"""Service gaps open where NGOs must bring a large match but have little money of their
own: they cannot bid, tenders fail (003: half the amount in matched funding "created an
obstacle for smaller social organizations unlikely to be able to mobilize sufficient
internal resources"). Favouritism, contract length and tendering are decoys here."""


@pytest.fixture(scope="module")
def planted():
    design = discovery.discovery_design(PLANTED, points=200, seed=0)
    return sweep("baseline", design, replications=1, seed=0, workers=2)


def test_discovery_recovers_the_planted_failure_of_the_market(planted) -> None:
    found = discover(planted, "service_coverage < 0.5")
    box = found.box_limits(0).set_index("parameter")
    assert set(box.index) == {"match_funding", "other_income"}
    assert 0.4 <= box.loc["match_funding", "low"] <= 0.7
    assert box.loc["match_funding", "high"] >= 0.75  # open to the top of the range
    assert 150_000 <= box.loc["other_income", "high"] <= 500_000
    assert box.loc["other_income", "low"] <= 10_000  # open to the bottom
    assert found.boxes.iloc[0]["coverage"] >= 0.8
    top_two = set(found.scores["parameter"].iloc[:2])
    assert top_two == {"match_funding", "other_income"}


def test_a_condition_on_a_comparable_form_reads_each_runs_form(planted) -> None:
    """A form (per purchaser and year) is made from each run's own outcome and market,
    so the cases are those of the equivalent condition on the outcome itself."""
    runs = planted.runs
    per = runs["years"] * runs["n_cities"] * (runs["n_bureaux"] + runs["n_mass_orgs"])
    cut = float((runs["public_spend"] / per).median())
    found = discover(planted, f"public_spend_per_purchaser_year < {cut!r}")
    same = discover(planted, f"public_spend < {cut * float(per.iloc[0])!r}")
    assert per.nunique() == 1  # one market: the two conditions pick the same runs
    assert found.cases["of_interest"].tolist() == same.cases["of_interest"].tolist()
    assert found.settings["where"].startswith("public_spend_per_purchaser_year < ")


def test_without_match_funding_the_box_is_gone(planted) -> None:
    """Ablation: with no match to bring, no run of the same design opens the gap."""
    design = discovery.discovery_design(
        {k: v for k, v in PLANTED.items() if k != "match_funding"}, points=40, seed=0
    )
    runs = sweep("baseline", design, replications=1, seed=0, workers=2).runs
    assert (runs["service_coverage"] >= 0.5).all()
    with pytest.raises(DiscoveryError, match="no run of 40 meets"):
        discover(runs, "service_coverage < 0.5", list(design.parameters))


# --------------------------------------------------------------------------- command
def test_the_command_samples_streams_resumes_and_rereads(tmp_path: Path, capsys) -> None:
    out = tmp_path / "found"
    argv = [
        "discover",
        "baseline",
        "--where",
        "service_coverage < 0.6",
        "--param",
        "match_funding=0:0.8",
        "--param",
        "other_income=0:400000",
        "--param",
        "tendering=open,selective",
        "--points",
        "40",
        "--replications",
        "1",
        "--workers",
        "1",
        "--format",
        "png",
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    said = capsys.readouterr().out
    assert "**Box 1**" in said and "Match funding at least" in said
    for name in ("boxes.csv", "limits.csv", "discovery.md", "tradeoff.png", "box.png"):
        assert (out / name).is_file(), name
    assert (out / "runs" / "manifest.json").is_file()
    first = (out / "boxes.csv").read_text()

    assert main(argv) == 2  # the folder is not empty
    assert "add --resume" in capsys.readouterr().err
    assert main([*argv, "--resume"]) == 0
    assert (out / "boxes.csv").read_text() == first
    # A resume keeps the analysis it finishes: another condition or setting is refused.
    other = argv.copy()
    other[other.index("service_coverage < 0.6")] = "service_coverage < 0.5"
    assert main([*other, "--resume"]) == 2
    err = capsys.readouterr().err
    assert "holds the discovery of --where 'service_coverage < 0.6'" in err, err
    assert f"discover --from {out / 'runs'} --where ... --out NEW" in err
    assert main([*argv, "--max-boxes", "1", "--resume"]) == 2
    assert "--max-boxes 3, not 1" in capsys.readouterr().err
    assert (out / "boxes.csv").read_text() == first

    again = tmp_path / "again"
    reread = ["discover", "--from", str(out), "--where", "service_coverage < 0.6"]
    assert main([*reread, "--out", str(again), "--format", "png"]) == 0
    assert (again / "boxes.csv").read_text() == first
    assert main(["discover", "--from", str(out / "runs"), "--where", "hhi > 2"]) == 2
    err = capsys.readouterr().err
    assert "no run of 40 meets 'hhi > 2'" in err and "try another --where" in err


def test_a_missing_workbench_is_one_line_before_any_run(tmp_path: Path, monkeypatch, capsys):
    def missing() -> None:
        raise DiscoveryError(discovery.EMA_MISSING)

    monkeypatch.setattr(discovery, "_prim_module", missing)
    argv = ["discover", "baseline", "--where", "hhi > 0.2", "--out", str(tmp_path / "out")]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"simcontract: error: {discovery.EMA_MISSING}"
    assert not (tmp_path / "out").exists()


def test_a_rule_reads_integer_bounds_as_integers() -> None:
    row = {
        "parameter": "contract_years",
        "kind": "numeric",
        "low": 2.0,
        "high": 5.0,
        "sampled_low": 1.0,
        "sampled_high": 5.0,
        "choices": "",
    }
    assert discovery.rule_text(row, "en").endswith("at least 2")
    assert math.isnan(discovery.restriction_qp({"qp_low": math.nan, "qp_high": math.nan}))


def test_a_killed_discovery_resumes_to_the_uninterrupted_result(tmp_path: Path, capsys) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    from simcontract import load_results
    from simcontract.experiment import storage

    argv = ["discover", "baseline", "--where", "service_coverage < 0.6", "--points", "60"]
    argv += ["--param", "match_funding=0:0.8", "--param", "other_income=0:400000"]
    argv += ["--replications", "2", "--workers", "1", "--format", "png", "--seed", "3"]
    argv += ["--set", "years=8"]  # a shorter horizon: the same discovery, runs 2.5 times faster
    killed = tmp_path / "killed"
    env = {**os.environ, "CI": "1", "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "simcontract.cli", *argv, "--out", str(killed)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        deadline = time.monotonic() + 120
        while not storage.parts(killed / "runs" / "runs"):
            assert proc.poll() is None, "the discovery ended before writing any part"
            assert time.monotonic() < deadline, "no part written in time"
            time.sleep(0.005)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert 0 < len(storage.done_runs(killed / "runs")) < 120
    assert not (killed / "boxes.csv").exists()

    assert main([*argv, "--out", str(killed), "--resume"]) == 0
    reference = tmp_path / "reference"
    assert main([*argv, "--out", str(reference)]) == 0
    capsys.readouterr()
    resumed, whole = load_results(killed / "runs"), load_results(reference / "runs")
    assert len(resumed.runs) == 120
    pd.testing.assert_frame_equal(resumed.runs, whole.runs)
    for name in ("boxes.csv", "limits.csv", "scores.csv"):
        assert (killed / name).read_text() == (reference / name).read_text(), name


def test_discover_offers_no_option_it_would_ignore(capsys: pytest.CaptureFixture[str]) -> None:
    """Its sweep keeps no yearly series and draws no batch figures (``--format`` draws
    the discovery's own), so ``--series`` and ``--figures`` are not offered."""
    with pytest.raises(SystemExit):
        main(["discover", "--help"])
    shown = capsys.readouterr().out
    assert "--format" in shown and "--resume" in shown
    assert "--series" not in shown and "--figures" not in shown
    for option in ("--series", "--figures=png"):
        argv = ["discover", "baseline", "--where", "service_coverage < 0.8", option]
        assert main(argv) == 2
        assert f"unrecognized arguments: {option}" in capsys.readouterr().err
