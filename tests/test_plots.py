"""Standard figures: each figure function on small real results, checked through the
matplotlib objects it builds (labels, series, groups), and the files draw_all writes."""

from __future__ import annotations

import warnings
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection, PathCollection, PolyCollection
from matplotlib.colors import to_hex
from matplotlib.container import BarContainer, ErrorbarContainer
from matplotlib.figure import Figure

from simcontract import (
    ContractingModel,
    DesignError,
    Morris,
    Scenario,
    Sobol,
    compare,
    i18n,
    load_scenario,
    plots,
    sweep,
)
from simcontract.experiment import run_seed
from simcontract.experiment.stats import kaplan_meier

SMALL: dict[str, Any] = {"years": 6, "initial_ngos": 20, "n_bureaux": 8}
LABELS = ["open", "direct", "open_1y"]


def _scenarios() -> list[Scenario]:
    base = load_scenario("baseline").replace(**SMALL)
    changes = [{}, {"tendering": "direct"}, {"contract_years": 1}]
    return [
        Scenario(dict(base.replace(**change)), name=name)
        for name, change in zip(LABELS, changes, strict=True)
    ]


def _with_keys(table: pd.DataFrame, ids: dict[str, Any]) -> pd.DataFrame:
    table = table.copy()
    for i, (key, value) in enumerate(ids.items()):
        table.insert(i, key, value)
    return table


@pytest.fixture(scope="module")
def results() -> SimpleNamespace:
    """Three small scenarios x three replications, with every table figures read."""
    runs, series, ngos, contracts = [], [], [], []
    for point, scenario in enumerate(_scenarios()):
        for rep in range(3):
            seed = run_seed(0, rep)
            model = ContractingModel(scenario, rng=seed).run()
            ids = {"scenario": scenario.name, "point": point, "replication": rep, "seed": seed}
            runs.append({**ids, **dict(scenario), **model.summary()})
            series.append(model.series().assign(**ids))
            ngos.append(_with_keys(model.ngo_table(), ids))
            contracts.append(_with_keys(model.contract_table(), ids))
    return SimpleNamespace(
        runs=pd.DataFrame(runs),
        series=pd.concat(series, ignore_index=True),
        ngos=pd.concat(ngos, ignore_index=True),
        contracts=pd.concat(contracts, ignore_index=True),
        design=None,
    )


@pytest.fixture(scope="module")
def base() -> Scenario:
    return load_scenario("baseline").replace(**SMALL)


@pytest.fixture(scope="module")
def real(base: Scenario):
    """A real comparison (both scenarios named 'baseline'), series kept."""
    return compare([base, base.replace(tendering="direct")], replications=3, workers=1, series=True)


@pytest.fixture(scope="module")
def grid(base: Scenario):
    return sweep(
        base, {"contract_years": [1, 3], "favouritism": [0.1, 0.9]}, replications=2, workers=1
    )


@pytest.fixture(scope="module")
def sobol(base: Scenario):
    design = Sobol(4, {"contract_years": (1, 4), "favouritism": (0.0, 1.0)}, second_order=False)
    return sweep(base.replace(years=4), design, replications=1, workers=1)


@pytest.fixture(scope="module")
def morris(base: Scenario):
    design = Morris(2, {"contract_years": (1, 4), "favouritism": (0.0, 1.0)})
    return sweep(base.replace(years=4), design, replications=1, workers=1)


def _visible(fig: Figure) -> list:
    return [ax for ax in fig.axes if ax.get_visible()]


def _legend(ax) -> list[str]:
    legend = ax.get_legend()
    return [t.get_text() for t in legend.get_texts()] if legend else []


# --------------------------------------------------------------------------- labels, style
def test_labels_carry_units() -> None:
    assert plots.outcome_label("provider_turnover") == "Provider turnover (share)"
    assert plots.outcome_label("public_spend") == "Public spend (CNY)"
    assert plots.outcome_label("active_ngos") == "Active NGOs"  # unit already in the name
    assert plots.parameter_label("contract_years") == "Contract length (years)"
    assert plots.parameter_label("favouritism") == "Favouritism"


def test_style_stays_local(results: SimpleNamespace) -> None:
    before = dict(mpl.rcParams)
    fig = plots.compare_outcomes(results, ["ngo_survival"])
    assert isinstance(fig, Figure)
    assert dict(mpl.rcParams) == before
    assert plots.STYLE["savefig.dpi"] == 300
    assert plots.OKABE_ITO[0] == "#0072B2"


# --------------------------------------------------------------------------- 1 outcomes
def test_compare_outcomes_one_panel_per_outcome(results: SimpleNamespace) -> None:
    outcomes = ["ngo_survival", "provider_turnover", "tied_award_share", "public_spend"]
    fig = plots.compare_outcomes(results, outcomes, ncols=2)
    axes = _visible(fig)
    assert len(axes) == 4
    runs = results.runs
    for ax, name in zip(axes, outcomes, strict=True):
        assert ax.get_xlabel() == plots.axis_label(name, ax.xaxis)
        bars = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
        assert len(bars) == 3
        means = [float(c.lines[0].get_xdata()[0]) for c in bars]
        expected = runs.groupby("point")[name].mean().to_list()
        assert means == pytest.approx(expected)
    assert [t.get_text() for t in axes[0].get_yticklabels()] == LABELS[::-1]
    assert "95% CI over 3 replications" in fig.get_suptitle()


def test_compare_outcomes_defaults_and_real_results(real) -> None:
    fig = plots.compare_outcomes(real)
    assert len(_visible(fig)) == 6  # the key outcomes
    ticks = [t.get_text() for t in _visible(fig)[0].get_yticklabels()]
    # Same scenario name twice: points are told apart by what differs.
    assert ticks == ["baseline (tendering=direct)", "baseline (tendering=open)"]
    with pytest.raises(ValueError, match="unknown outcome"):
        plots.compare_outcomes(real, ["nope"])


# --------------------------------------------------------------------------- 2 fan chart
def test_fan_chart_overlay(results: SimpleNamespace) -> None:
    fig = plots.fan_chart(results, "active_ngos")
    (ax,) = fig.axes
    assert ax.get_xlabel() == "Model year"  # the scenarios give no start year
    assert ax.get_ylabel() == "Active NGOs"
    assert len(ax.lines) == 3
    assert len([c for c in ax.collections if isinstance(c, PolyCollection)]) == 3
    assert _legend(ax) == LABELS
    median = results.series[results.series["point"] == 1].groupby("year")["active_ngos"].median()
    assert ax.lines[1].get_ydata() == pytest.approx(median.to_numpy())
    assert list(ax.lines[1].get_xdata()) == list(range(1, 7))
    assert "median and 90% band over 3 replications" in fig.get_suptitle()


def test_a_fan_chart_says_when_a_years_band_rests_on_fewer_runs(results: SimpleNamespace) -> None:
    """A band of a year where the outcome is undefined in some runs (no provider to
    turn over) rests on fewer runs than the batch has: the title says so."""
    assert "as few as" not in plots.fan_chart(results, "active_ngos").get_suptitle()
    series = results.series.copy()
    gaps = (series["replication"] == 0) | ((series["replication"] == 1) & (series["year"] == 4))
    series.loc[gaps & (series["year"] >= 3), "active_ngos"] = np.nan
    fig = plots.fan_chart(SimpleNamespace(runs=results.runs, series=series), "active_ngos")
    title = fig.get_suptitle().replace("\n", " ")
    assert "over 3 replications (as few as 1 in some years" in title, title
    # Each point against its own runs: one point of a partial batch has 2 runs, another
    # 3 but a year's value in only 2 of them.
    series = results.series.copy()
    series = series[~((series["point"] == 1) & (series["replication"] == 2))]
    gaps = (series["point"] == 0) & (series["replication"] == 0) & (series["year"] >= 3)
    series.loc[gaps, "active_ngos"] = np.nan
    fig = plots.fan_chart(SimpleNamespace(runs=results.runs, series=series), "active_ngos")
    assert "(as few as 2 in some years" in fig.get_suptitle().replace("\n", " ")


def test_fan_chart_panels_and_real(results: SimpleNamespace, real) -> None:
    fig = plots.fan_chart(results, "provider_turnover", layout="panels", band=0.5)
    axes = _visible(fig)
    assert [ax.get_title() for ax in axes] == LABELS
    assert all(len(ax.lines) == 1 for ax in axes)
    assert "50% band" in fig.get_suptitle()
    fig = plots.fan_chart(real, "ngo_survival")
    assert len(fig.axes[0].lines) == 2
    with pytest.raises(ValueError, match="no series"):
        plots.fan_chart(SimpleNamespace(runs=real.runs, series=None), "ngo_survival")


# --------------------------------------------------------------------------- 3 survival
def test_kaplan_meier_by_hand() -> None:
    assert plots.kaplan_meier is kaplan_meier
    km = plots.kaplan_meier([1, 2, 2, 3, 4], [True, True, False, True, False])
    assert list(km.columns) == ["time", "at_risk", "events", "survival", "low", "high"]
    assert km["time"].to_list() == [1, 2, 3]
    assert km["at_risk"].to_list() == [5, 4, 2]
    assert km["events"].to_list() == [1, 1, 1]
    survival = np.array([0.8, 0.6, 0.3])
    assert km["survival"].to_numpy() == pytest.approx(survival)
    # Exponential Greenwood: Greenwood's variance carried to the log(-log) scale.
    greenwood = np.cumsum([1 / (5 * 4), 1 / (4 * 3), 1 / (2 * 1)])
    z_se = 1.959963984540054 * np.sqrt(greenwood) / np.abs(np.log(survival))
    assert km["low"].to_numpy() == pytest.approx(survival ** np.exp(z_se))
    assert km["high"].to_numpy() == pytest.approx(survival ** np.exp(-z_se))
    narrow = plots.kaplan_meier([1, 2, 2, 3, 4], [True, True, False, True, False], level=0.5)
    assert (narrow["high"] - narrow["low"] < km["high"] - km["low"]).all()
    assert plots.kaplan_meier([1, 2], [False, False]).empty
    with pytest.raises(ValueError, match="same length"):
        plots.kaplan_meier([1, 2], [True])


def test_kaplan_meier_down_to_zero() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the undefined interval at zero is handled
        km = plots.kaplan_meier([1, 1, 2, 3], [True, True, True, False])
    assert km["survival"].to_numpy() == pytest.approx([0.5, 0.25])
    km = plots.kaplan_meier([1, 1, 2], [True, True, True])
    assert km["survival"].to_list() == pytest.approx([1 / 3, 0.0])
    assert km[["low", "high"]].iloc[-1].to_list() == [0.0, 0.0]


def test_lifetimes_censor_active_ngos(results: SimpleNamespace) -> None:
    lives = plots.ngo_lifetimes(results)
    lives["first"] = lives["entry_year"].clip(lower=1)  # the initial NGOs: from year 1
    active = lives[lives["active"]]
    assert not active["observed"].any()
    assert (active["lifetime"] == 6 - active["first"] + 1).all()
    gone = lives[~lives["active"]]
    assert (gone["lifetime"] == gone["exit_year"] - gone["first"] + 1).all()
    # An entrant is in the market in the year it registers: before, an entrant of the
    # last year counted 0 years and one exiting in its first year a lifetime of 0.
    assert (lives["lifetime"] >= 1).all()
    gone_initial = gone[gone["entry_year"] == 0]
    assert len(gone_initial) and (gone_initial["lifetime"] == gone_initial["exit_year"]).all()


def test_survival_curves(results: SimpleNamespace) -> None:
    fig = plots.survival_curves(results)
    (ax,) = fig.axes
    # Not "since registration": the NGOs present at the start count from year 1.
    assert ax.get_xlabel() == "Years in the market (NGOs present at the start: from year 1)"
    assert ax.get_ylabel() == "NGOs still active (share)"
    assert len(ax.lines) == 3
    assert all(line.get_drawstyle() == "steps-post" for line in ax.lines)
    assert all(line.get_ydata()[0] == 1.0 for line in ax.lines)
    assert [t.split(" (n = ")[0] for t in _legend(ax)] == LABELS
    lives = plots.ngo_lifetimes(results)
    km = plots.kaplan_meier(
        lives.loc[lives.point == 0, "lifetime"], lives.loc[lives.point == 0, "observed"]
    )
    assert ax.lines[0].get_ydata()[-1] == pytest.approx(km["survival"].iloc[-1])


# --------------------------------------------------------------------------- 4 dependence
def test_dependence_distribution(results: SimpleNamespace) -> None:
    fig = plots.dependence_distribution(results, bins=5)
    hist_ax, ecdf_ax = fig.axes
    bars = [c for c in hist_ax.containers if isinstance(c, BarContainer)]
    assert len(bars) == 3
    for c in bars:
        assert len(c.patches) == 5
        assert sum(p.get_height() for p in c.patches) == pytest.approx(1.0)
    assert len(ecdf_ax.lines) == 4  # three ECDFs and the threshold
    legend = _legend(ecdf_ax)
    assert [t.split(" (n = ")[0] for t in legend[:3]] == LABELS
    assert legend[3] == "dependence threshold (0.8)"
    n_active = int(results.ngos[results.ngos.point == 0]["active"].sum())
    assert legend[0] == f"open (n = {n_active})"
    assert hist_ax.get_xlabel() == ecdf_ax.get_xlabel()
    assert "share" in hist_ax.get_ylabel()


# --------------------------------------------------------------------------- 5 turnover
def test_turnover_vs_contract_length(results: SimpleNamespace) -> None:
    fig = plots.turnover_vs_contract_length(results, by="tendering")
    (ax,) = fig.axes
    assert ax.get_xlabel() == "Contract length (years)"
    assert ax.get_ylabel() == "Provider turnover (share)"
    bars = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    assert len(bars) == 2  # grouped by tendering mode: open, direct
    assert _legend(ax) == ["open", "direct"]
    assert ax.get_legend().get_title().get_text() == "Tendering"
    assert len(bars[0].lines[0].get_xdata()) == 2  # open at 1 and 3 years
    runs = results.runs
    open3 = runs[(runs.tendering == "open") & (runs.contract_years == 3)]["provider_turnover"]
    assert bars[0].lines[0].get_ydata()[1] == pytest.approx(open3.mean())
    fig = plots.turnover_vs_contract_length(results)  # a comparison: by scenario
    assert len(fig.axes[0].containers) == 3
    assert _legend(fig.axes[0]) == LABELS


# --------------------------------------------------------------------------- comparable forms
def test_figures_draw_comparable_forms(results: SimpleNamespace) -> None:
    """An outcome's form per purchaser and year, or its annual rate, draws as the
    outcome does, its values made from the runs' outcomes, years and purchasers."""
    forms = ["public_spend_per_purchaser_year", "ngo_survival_annual"]
    fig = plots.compare_outcomes(results, [*forms, "hhi"])
    axes = _visible(fig)
    assert [ax.get_xlabel().replace("\n", " ") for ax in axes] == [
        "Public spend per purchaser per year (million CNY)",
        "NGO survival, annual rate (share)",
        "HHI of provider shares (index, 0–1)",
    ]
    runs = results.runs
    purchasers = runs["n_cities"] * (runs["n_bureaux"] + runs["n_mass_orgs"])
    by_hand = {
        forms[0]: runs["public_spend"] / runs["years"] / purchasers,
        forms[1]: runs["ngo_survival"] ** (1 / runs["years"]),
    }
    for ax, name in zip(axes, forms, strict=False):
        bars = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
        means = [float(c.lines[0].get_xdata()[0]) for c in bars]
        expected = by_hand[name].groupby(runs["point"]).mean().to_list()
        assert means == pytest.approx(expected)
        assert min(means) > 0
    assert "public_spend_per_purchaser_year" not in results.runs  # the caller's table kept
    with i18n.use_language("zh_CN"):
        assert plots.outcome_label(forms[0]) == "财政支出（每个购买方每年）（元）"
        assert plots.outcome_label(forms[1]) == "社会组织存活率（年率）（比例）"


def test_a_comparable_form_has_no_yearly_series(results: SimpleNamespace, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="'ngo_survival_annual' is a comparable form, one value"):
        plots.fan_chart(results, "ngo_survival_annual")
    paths = plots.draw_all(
        results, tmp_path, ("png",), outcomes=["ngo_survival_annual", "hhi"], dpi=60
    )
    assert [p.stem for p in paths][:2] == ["outcomes", "fan_hhi"]
    assert not [p for p in paths if "annual" in p.stem]


def test_sweep_figures_of_a_comparable_form(grid, sobol) -> None:
    name = "ngo_entries_per_purchaser_year"
    fig = plots.heatmap(grid, name)
    # The colour bar's label, taller than the bar, in lines (fit_ylabels).
    said = fig.axes[1].get_ylabel()
    assert said.replace("\n", " ") == "NGO entries per purchaser per year (NGOs)"
    runs = grid.runs
    per = runs["ngo_entries"] / runs["years"] / (runs["n_bureaux"] + runs["n_mass_orgs"])
    expected = per.groupby([runs["favouritism"], runs["contract_years"]]).mean().unstack()
    assert np.asarray(fig.axes[0].images[0].get_array()) == pytest.approx(expected.to_numpy())
    fig = plots.sensitivity(sobol, name)
    assert "NGO entries per purchaser per year" in fig.get_suptitle().replace("\n", " ")


# --------------------------------------------------------------------------- 6 heatmap
def test_heatmap_of_grid(grid) -> None:
    fig = plots.heatmap(grid, "provider_turnover")
    ax, bar = fig.axes
    assert ax.get_xlabel() == "Contract length (years)"
    assert ax.get_ylabel() == "Favouritism"
    assert bar.get_ylabel() == "Provider turnover (share)"
    (image,) = ax.images
    expected = (
        grid.runs.groupby(["favouritism", "contract_years"])["provider_turnover"]
        .mean()
        .unstack()
        .to_numpy()
    )
    assert np.asarray(image.get_array()) == pytest.approx(expected)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["1", "3"]
    assert len(ax.texts) == 4  # annotated cells
    assert "(2 runs each)" in fig.get_suptitle()
    fig = plots.heatmap(grid, "tied_award_share", x="favouritism", y="contract_years")
    assert fig.axes[0].get_xlabel() == "Favouritism"


def test_heatmap_cells_write_large_means_whole(grid) -> None:
    from simcontract.plots.heatmaps import cell_text

    assert [cell_text(v) for v in (0.5, 12.34, 99.94)] == ["0.500", "12.3", "99.9"]
    assert [cell_text(v) for v in (123.4, 2720345.6, -15000.2)] == ["123", "2,720,346", "-15,000"]
    assert [cell_text(v, 1e6) for v in (147433469.0, 3.5e5, 2.5e9)] == ["147.4", "0.35", "2,500"]
    fig = plots.heatmap(grid, "public_spend")
    written = [t.get_text() for t in fig.axes[0].texts]
    means = grid.runs.groupby(["favouritism", "contract_years"])["public_spend"].mean()
    # Money is written in the colour bar's step: "Public spend (million CNY)".
    assert fig.axes[1].get_ylabel() == "Public spend (million CNY)"
    assert sorted(written) == sorted(f"{m / 1e6:.4g}" for m in means)
    assert not [t for t in written if "e+" in t]


def test_heatmap_bins_sampled_designs(sobol, results: SimpleNamespace) -> None:
    fig = plots.heatmap(sobol, "ngo_survival", bins=4, max_levels=4)
    ax = fig.axes[0]
    assert ax.get_ylabel() == "Favouritism (binned)"
    ylabels = [t.get_text() for t in ax.get_yticklabels()]
    assert ylabels[0].startswith("0–") and ylabels[-1].endswith("–1")
    assert ax.images[0].get_array().shape == (len(ylabels), 4)  # contract_years 1..4
    with pytest.raises(ValueError, match="give the parameters x and y"):
        plots.heatmap(results, "ngo_survival")


def test_a_small_sampled_design_is_binned_too(sobol) -> None:
    """Sobol's 4 base samples give favouritism 8 scattered values: fewer than
    ``max_levels``, but a row for each would space uneven values evenly and leave
    most cells empty. A grid of the same values keeps a row for each."""
    values = sobol.runs["favouritism"].nunique()
    assert 6 < values <= 12
    ylabels = [t.get_text() for t in plots.heatmap(sobol, "ngo_survival").axes[0].get_yticklabels()]
    assert len(ylabels) < values and all("–" in label for label in ylabels)
    as_grid = SimpleNamespace(
        runs=sobol.runs, design=SimpleNamespace(kind="grid", parameters=sobol.design.parameters)
    )
    ax = plots.heatmap(as_grid, "ngo_survival").axes[0]
    assert len(ax.get_yticklabels()) == values and "binned" not in ax.get_ylabel()


# --------------------------------------------------------------------------- 7 sensitivity
def test_sensitivity_sobol(sobol) -> None:
    fig = plots.sensitivity(sobol, "ngo_survival")
    (ax,) = fig.axes
    bars = [c for c in ax.containers if isinstance(c, BarContainer)]
    assert len(bars) == 2 and all(len(b.patches) == 2 for b in bars)
    assert _legend(ax) == ["first order (S1)", "total (ST)"]
    assert {t.get_text() for t in ax.get_yticklabels()} == {"Contract length", "Favouritism"}
    assert ax.get_xlabel().startswith("Sobol index")
    indices = sobol.analyze(["ngo_survival"])
    st = indices[indices["index"] == "ST"].set_index("parameter")["value"]
    widths = sorted(p.get_width() for p in bars[1].patches)
    assert widths == pytest.approx(sorted(np.nan_to_num(st.to_numpy())))
    fig = plots.sensitivity(indices, "ngo_survival")  # the index table works too
    assert len(fig.axes[0].containers) >= 2


def test_sensitivity_morris_and_errors(morris, grid) -> None:
    fig = plots.sensitivity(morris, "provider_turnover")
    (ax,) = fig.axes
    points = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    assert len(points) == 2
    assert ax.get_xlabel().startswith("μ*") and ax.get_ylabel().startswith("σ")
    assert _legend(ax) == ["Contract length", "Favouritism", "σ = μ*"]
    # The unit once under the axes: in each label it made the y label taller than them.
    assert fig.get_supxlabel() == "Both in share, for a move across the parameter's range"
    for lang in ("en", "zh_CN"):
        with i18n.use_language(lang):
            drawn = plots.sensitivity(morris, "provider_turnover", width_mm=85)
        drawn.canvas.draw()
        (ax,) = drawn.axes
        assert ax.yaxis.label.get_window_extent().height <= ax.get_window_extent().height
    with pytest.raises(DesignError):
        plots.sensitivity(grid, "provider_turnover")
    table = morris.analyze(["provider_turnover"])
    with pytest.raises(ValueError, match="no Sobol"):
        plots.sensitivity(table, "ngo_survival")


# --------------------------------------------------------------------------- 8 network
def _network_parts(fig: Figure) -> tuple[LineCollection, int]:
    ax = fig.axes[0]
    (lines,) = [c for c in ax.collections if isinstance(c, LineCollection)]
    nodes = sum(len(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection))
    return lines, nodes


def test_contract_network_from_model() -> None:
    model = ContractingModel(_scenarios()[0], rng=3).run()
    fig = plots.contract_network(model)
    lines, nodes = _network_parts(fig)
    assert lines.get_cmap().name == f"{plots.TIE_CMAP}_cut"
    markers = [c for c in fig.axes[0].collections if isinstance(c, PathCollection)]
    drawn = {to_hex(colour) for c in markers for colour in c.get_edgecolors()}
    palette = {*plots.ORIGIN_COLOURS.values(), *plots.PURCHASER_COLOURS.values()}
    assert drawn <= {to_hex(c) for c in palette}
    contracts = model.contract_table()
    pairs = contracts.drop_duplicates(["purchaser", "ngo"])
    assert len(lines.get_segments()) == len(pairs)
    assert sorted(lines.get_array()) == pytest.approx(
        sorted(contracts.groupby(["purchaser", "ngo"])["tie"].max())
    )
    active = int(model.ngo_table()["active"].sum())
    assert nodes == pairs["purchaser"].nunique() + active
    assert fig.axes[1].get_ylabel().startswith("Tie strength")
    legend = _legend(fig.axes[0])
    assert "Bureaux" in legend and "no contract" in legend
    assert plots.ORIGIN_NAMES["general"] in legend
    assert "end of year 6" in fig.get_suptitle()


def test_contract_network_from_results(results: SimpleNamespace) -> None:
    fig = plots.contract_network(results, run=(1, 2))
    assert fig.get_suptitle().startswith("Contracts in force: direct, replication 2")
    lines, _ = _network_parts(fig)
    rows = results.contracts[(results.contracts.point == 1) & (results.contracts.replication == 2)]
    assert len(lines.get_segments()) == len(rows.drop_duplicates(["purchaser", "ngo"]))
    first = plots.contract_network(results, run=0).get_suptitle()
    assert first.startswith("Contracts in force: open, replication 0")
    with pytest.raises(ValueError, match="no run"):
        plots.contract_network(results, run=(9, 0))
    with pytest.raises(ValueError, match="no contracts"):
        plots.contract_network(SimpleNamespace(runs=results.runs, contracts=None, ngos=None))


# --------------------------------------------------------------------------- saving
def test_save_writes_each_format(results: SimpleNamespace, tmp_path: Path) -> None:
    from PIL import Image

    fig = plots.turnover_vs_contract_length(results)
    paths = plots.save(fig, tmp_path / "sub" / "turnover.png", formats=("png", "pdf"))
    assert [p.name for p in paths] == ["turnover.png", "turnover.pdf"]
    assert all(p.stat().st_size > 0 for p in paths)
    assert paths[1].read_bytes().startswith(b"%PDF")
    with Image.open(paths[0]) as image:
        assert image.info["dpi"] == pytest.approx((300, 300), abs=0.1)


def test_draw_all_comparison(results: SimpleNamespace, tmp_path: Path) -> None:
    paths = plots.draw_all(
        results, tmp_path / "figs", ("png",), outcomes=["provider_turnover", "hhi"], dpi=100
    )
    stems = [
        "outcomes",
        "fan_provider_turnover",
        "fan_hhi",
        "survival",
        "dependence",
        "turnover_vs_contract_length",
        "network",
    ]
    expected = [tmp_path / "figs" / f"{s}.png" for s in stems]
    assert paths == expected
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths)


def test_draw_all_real_comparison(real, tmp_path: Path) -> None:
    paths = plots.draw_all(real, tmp_path, formats=("png",), outcomes=["ngo_survival"], dpi=100)
    # One contract length: no turnover-versus-length figure.
    assert [p.name for p in paths] == [
        "outcomes.png",
        "fan_ngo_survival.png",
        "survival.png",
        "dependence.png",
        "network.png",
    ]


def test_draw_all_sweeps(grid, sobol, tmp_path: Path) -> None:
    paths = plots.draw_all(grid, tmp_path / "grid", formats=("png",), outcomes=["hhi"], dpi=100)
    assert [p.name for p in paths] == [
        "outcomes.png",
        "turnover_vs_contract_length.png",
        "heatmap_hhi.png",
    ]
    paths = plots.draw_all(sobol, tmp_path / "sobol", formats=("png",), outcomes=["hhi"], dpi=100)
    assert [p.name for p in paths] == [
        "turnover_vs_contract_length.png",
        "heatmap_hhi.png",
        "sensitivity_hhi.png",
    ]


def test_large_values_read_whole_with_separators_and_points_as_typed(base: Scenario) -> None:
    from simcontract.plots.style import fmt, typed

    given = (3, 3000.0, 21268.8, 333000.0, 2e6, 9999.6, 50000, 0.25, 12.345, 1.5e-5, True)
    assert [fmt(v) for v in given] == [
        "3", "3000", "21,269", "333,000", "2,000,000", "10,000", "50,000", "0.25", "12.3",
        "1.5e-05", "True",
    ]  # fmt: skip
    # A design point's English name is what one types in --grid: no separators.
    assert [typed(v) for v in (2e6, 333000.0, 50000, 0.25, "open")] == [
        "2000000", "333000", "50000", "0.25", "open",
    ]  # fmt: skip
    values = {"contract_value": [333000.0, 2e6]}
    shown = sweep(base.replace(years=2), values, replications=1, workers=1)
    fig = plots.compare_outcomes(shown, ["hhi"])
    ticks = [t.get_text() for t in _visible(fig)[0].get_yticklabels()]
    assert ticks == ["contract_value=2000000", "contract_value=333000"]
    with i18n.use_language("zh_CN"):
        fig = plots.compare_outcomes(shown, ["hhi"])
    ticks = [t.get_text() for t in _visible(fig)[0].get_yticklabels()]
    assert ticks[0].endswith("=2,000,000"), ticks


def _axis_label_reads(axis, size: float) -> None:
    """The axis's tick labels are its values in steps of ``size``, with no exponent, each
    with as many decimals as the others."""
    axis.figure.canvas.draw()
    assert axis.get_offset_text().get_text() == ""
    labels = [t.get_text() for t in axis.get_ticklabels()]
    for value, label in zip(axis.get_ticklocs(), labels, strict=True):
        assert float(label.replace(",", "").replace("−", "-")) == pytest.approx(value / size)
    assert len({len(t.partition(".")[2]) for t in labels}) == 1, labels


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_money_axes_read_in_the_steps_of_the_language(results, grid, lang: str) -> None:
    from simcontract.plots.style import MONEY_STEPS

    steps = MONEY_STEPS[lang]
    with i18n.use_language(lang):
        words = {w: i18n.text(f"figures.money_units.{w}", lang, unit=i18n.unit("CNY", lang))
                 for w, _ in steps}  # fmt: skip
        drawn = {
            "compare": plots.compare_outcomes(results, ["public_spend"]),
            "fan": plots.fan_chart(results, "public_spend"),
            "heatmap": plots.heatmap(grid, "public_spend", "contract_years", "favouritism"),
            "response": plots.response(grid, "public_spend", "favouritism"),
        }
    for kind, fig in drawn.items():
        ax = _visible(fig)[-1] if kind == "heatmap" else _visible(fig)[0]
        axis = ax.xaxis if kind == "compare" else ax.yaxis
        label = axis.get_label().get_text() or fig.get_supylabel()
        top = max(abs(v) for v in axis.get_view_interval())
        word, size = next((w, s) for w, s in steps if top >= s)
        # The largest step the values reach: a public spend of millions of yuan.
        assert words[word] in label, (kind, label)
        assert not any(words[w] in label for w in words if w != word), (kind, label)
        _axis_label_reads(axis, size)


def test_an_axis_below_the_smallest_step_or_not_money_keeps_its_label() -> None:
    from simcontract.plots.style import axis_label, outcome_label, parameter_label

    fig = Figure()
    ax = fig.add_subplot()
    ax.set_xlim(0, 500)
    assert axis_label("public_spend", ax.xaxis) == outcome_label("public_spend")
    ax.set_xlim(0, 5e5)
    assert axis_label("provider_turnover", ax.xaxis) == outcome_label("provider_turnover")
    assert axis_label("public_spend") == outcome_label("public_spend")
    assert axis_label("other_income", ax.xaxis) == "Other income (thousand CNY/year)"
    with i18n.use_language("zh_CN"):
        assert parameter_label("other_income").endswith("（元/年）")
        assert axis_label("other_income", ax.xaxis).endswith("（万元/年）")
    _axis_label_reads(ax.xaxis, 1e4)


def test_money_ticks_share_their_decimals_and_separate_thousands() -> None:
    from simcontract.plots.style import InSteps

    assert InSteps(1e6).format_ticks([0.0, 1.5e6, 3e6, 4.5e6]) == ["0.0", "1.5", "3.0", "4.5"]
    assert InSteps(1e4).format_ticks([0.0, 5e6, 1.5e7]) == ["0", "500", "1,500"]
    with mpl.rc_context({"axes.unicode_minus": True}):
        assert InSteps(1e6).format_ticks([-2.5e5, 0.0, 2.5e5]) == ["\u22120.25", "0.00", "0.25"]
    assert InSteps(1e8)(3.3e8) == "3.3"


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_a_y_label_taller_than_its_panel_takes_two_lines(results, lang: str) -> None:
    """At a column's width the fan chart of service hours had a y label taller than its
    panel, which ran into the title; so did a heatmap's colour bar label."""
    name = "service_hours_per_1000"
    with i18n.use_language(lang):
        fig = plots.fan_chart(results, name, width_mm=85)
        expected = plots.outcome_label(name)
    fig.canvas.draw()
    ax = _visible(fig)[0]
    label = ax.yaxis.label
    assert label.get_window_extent().height <= ax.get_window_extent().height
    assert "\n" in label.get_text() or lang != "en"  # Chinese is short enough for one line
    assert label.get_text().replace("\n", " " if lang == "en" else "") == expected
    short = plots.fan_chart(results, "hhi")  # a label that fits keeps one line
    assert "\n" not in _visible(short)[0].get_ylabel()


def test_a_fan_chart_of_a_total_counts_per_year(results) -> None:
    """A run's public spend and entries are totals over its years; their fan charts draw
    the yearly values, so the unit is per year."""
    assert plots.fan_chart(results, "ngo_entries").axes[0].get_ylabel() == (
        "NGO entries (NGOs per year)"
    )
    assert plots.fan_chart(results, "public_spend").axes[0].get_ylabel().endswith(" per year)")
    assert plots.fan_chart(results, "hhi").axes[0].get_ylabel() == plots.outcome_label("hhi")
    with i18n.use_language("zh_CN"):
        said = plots.fan_chart(results, "ngo_entries").axes[0].get_ylabel()
    assert said == "新登记的社会组织（家/年）"


def test_a_term_that_never_ends_comes_last_and_says_so() -> None:
    """Officials who never rotate (``rotation_years = 0``) sorted as the shortest term,
    left of two-year terms, so colours and lines read as if 0 were shorter than 2."""
    rows = [
        (p, r, f, t)
        for p, (f, t) in enumerate([(f, t) for f in (0.1, 0.9) for t in (0.0, 2.0, 5.0)])
        for r in range(2)
    ]
    runs = pd.DataFrame(rows, columns=["point", "replication", "favouritism", "rotation_years"])
    runs["tied_award_share"] = np.where(
        runs["rotation_years"] == 0, 0.6, runs["rotation_years"] / 10
    )
    sweep = SimpleNamespace(runs=runs, design=None)
    fig = plots.heatmap(sweep, "tied_award_share", x="rotation_years", y="favouritism")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2", "5", "never (0)"]
    assert np.asarray(ax.images[0].get_array())[0].tolist() == pytest.approx([0.2, 0.5, 0.6])
    with i18n.use_language("zh_CN"):
        fig = plots.heatmap(sweep, "tied_award_share", x="rotation_years", y="favouritism")
    assert fig.axes[0].get_xticklabels()[-1].get_text() == "从不（0）"
    one = SimpleNamespace(runs=runs[runs["favouritism"] == 0.1], design=None)
    ax = plots.response(one, "tied_award_share", "rotation_years").axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2", "5", "never (0)"]
    # A parameter whose 0 switches a mechanism off keeps 0 first, as a number.
    from simcontract.plots.data import choice_order

    assert choice_order("snatching", [0.5, 0.0, 1.0]) == [0.0, 0.5, 1.0]
    assert choice_order("evaluator_tenure", [2.0, 0.0, 1.0]) == [1.0, 2.0, 0.0]
