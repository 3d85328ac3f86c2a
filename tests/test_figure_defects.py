"""Figures a scholar can publish: one test per defect, each through the matplotlib
objects a figure builds (legends clear of the data, tick labels on every column, no line
between scenarios, calendar or model years, contrast on white, units, the network's line
width, the README's alt text) and the progress line of ``simcontract plot``."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.container import ErrorbarContainer
from matplotlib.figure import Figure

from simcontract import Scenario, compare, i18n, load_scenario, plots, sweep
from simcontract.cli import main
from simcontract.outcomes import OUTCOMES
from simcontract.plots import style
from simcontract.plots.network import line_width
from simcontract.scenario import ScenarioError, builtin_names

ROOT = Path(__file__).resolve().parent.parent
SMALL: dict[str, Any] = {"years": 3, "initial_ngos": 12, "n_bureaux": 6}


def _dated() -> Any:
    """Guangzhou (model year 1 is 2010), small and short."""
    return load_scenario("guangzhou_ifsc").replace(years=3, initial_ngos=8, n_bureaux=6)


@pytest.fixture(scope="module")
def four(tmp_path_factory: pytest.TempPathFactory):
    """A stored comparison of four small scenarios (one dated), two replications."""
    base = load_scenario("baseline").replace(**SMALL)
    scenarios = [
        _dated(),
        base,
        base.replace(tendering="direct", name="direct"),
        base.replace(contract_years=1, name="one_year"),
    ]
    out = tmp_path_factory.mktemp("four") / "cmp"
    return compare(scenarios, replications=2, workers=1, series=True, out=out)


@pytest.fixture(scope="module")
def dated():
    """A comparison of the dated scenario alone."""
    return compare([_dated()], replications=1, workers=1, series=True)


def _drawn(fig: Figure) -> Figure:
    fig.draw_without_rendering()
    return fig


def _legends(fig: Figure) -> list:
    return [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None] + fig.legends


# --------------------------------------------------------------------------- legends
def test_legends_never_cover_the_data(four) -> None:
    figures = {
        "survival": plots.survival_curves(four),
        "dependence": plots.dependence_distribution(four),
        "fan (overlay)": plots.fan_chart(four, "provider_turnover", layout="overlay"),
        "turnover": plots.turnover_vs_contract_length(four),
    }
    for name, fig in figures.items():
        _drawn(fig)
        legends = _legends(fig)
        assert legends, f"{name}: no legend"
        plotting = [ax for ax in fig.axes if ax.get_visible() and ax.has_data()]
        for legend in legends:
            box = legend.get_window_extent()
            for ax in plotting:
                area = ax.get_window_extent()
                assert box.x0 >= area.x1 or box.x1 <= area.x0 or box.y1 <= area.y0, (
                    f"{name}: the legend lies over the axes {ax.get_title()!r}"
                )


# --------------------------------------------------------------------------- fan chart ticks
def test_every_bottom_fan_panel_keeps_its_year_labels(four) -> None:
    fig = _drawn(plots.fan_chart(four, "ngo_survival", layout="panels"))
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert len(shown) == 4  # three columns: the last row holds one panel
    columns: dict[int, list] = {}
    for ax in shown:
        spec = ax.get_subplotspec()
        columns.setdefault(spec.colspan.start, []).append(ax)
    assert sorted(columns) == [0, 1, 2]
    for col, axes in columns.items():
        lowest = max(axes, key=lambda a: a.get_subplotspec().rowspan.start)
        labels = [t.label1 for t in lowest.xaxis.get_major_ticks()]
        visible = [t.get_text() for t in labels if t.get_visible() and t.get_text()]
        assert visible, f"column {col}: its lowest panel shows no year"


# --------------------------------------------------------------------------- turnover
def test_turnover_title_says_how_many_runs_a_point_rests_on(four) -> None:
    fig = plots.turnover_vs_contract_length(four, outcome="staff_turnover")
    assert "(2 runs a point)" in fig._suptitle.get_text()
    # Pooled, a point holds the runs of every scenario with that length, in which the
    # outcome has a value.
    pooled = plots.turnover_vs_contract_length(four, by="all")
    counts = four.runs.groupby("contract_years")["provider_turnover"].count()
    assert counts.min() != counts.max()
    assert f"({counts.min()}–{counts.max()} runs a point)" in pooled._suptitle.get_text()
    with i18n.use_language("zh_CN"):
        zh = plots.turnover_vs_contract_length(four, outcome="staff_turnover")
    assert "（每点 2 次运行）" in zh._suptitle.get_text()


def test_turnover_joins_no_points_of_different_scenarios(four) -> None:
    for by in (None, "tendering"):
        fig = plots.turnover_vs_contract_length(four, by=by)
        bars = [c for c in fig.axes[0].containers if isinstance(c, ErrorbarContainer)]
        assert bars
        for bar in bars:
            line = bar.lines[0]
            assert line.get_linestyle() == "None", f"by={by}: a line joins scenarios"
    # Scenarios that differ only in contract length trace a dose-response: joined.
    lengths = SimpleNamespace(runs=four.runs[four.runs["point"].isin([1, 3])], design=None)
    fig = plots.turnover_vs_contract_length(lengths, by="all")
    (bar,) = [c for c in fig.axes[0].containers if isinstance(c, ErrorbarContainer)]
    assert bar.lines[0].get_linestyle() == "-"
    # So does a sweep over contract_years within one scenario.
    base = load_scenario("baseline").replace(**SMALL)
    swept = sweep(base, {"contract_years": [1, 3]}, replications=1, workers=1)
    fig = plots.turnover_vs_contract_length(swept)
    (bar,) = [c for c in fig.axes[0].containers if isinstance(c, ErrorbarContainer)]
    assert bar.lines[0].get_linestyle() == "-"
    assert len(bar.lines[0].get_xdata()) == 2


# --------------------------------------------------------------------------- years
def test_time_axes_say_model_year_or_show_calendar_years(four, dated) -> None:
    assert load_scenario("guangzhou_ifsc").start_year == 2010
    assert load_scenario("baseline").start_year is None
    mixed = plots.fan_chart(four, "active_ngos", layout="overlay")
    assert mixed.axes[0].get_xlabel() == "Model year"  # start years differ
    assert list(mixed.axes[0].lines[0].get_xdata()) == [1, 2, 3]
    calendar = plots.fan_chart(dated, "active_ngos")
    assert calendar.axes[0].get_xlabel() == "Year"
    assert list(calendar.axes[0].lines[0].get_xdata()) == [2010, 2011, 2012]
    panels = plots.fan_chart(four, "active_ngos", layout="panels")
    assert panels.get_supxlabel() == "Model year"
    network = plots.contract_network(dated)
    assert network.get_suptitle().endswith("end of 2012")  # one city: not named


# --------------------------------------------------------------------------- palette
def _luminance(colour: str) -> float:
    c = np.array(to_rgb(colour))
    linear = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(linear @ [0.2126, 0.7152, 0.0722])


def test_every_group_colour_stands_out_on_white(four) -> None:
    for colour in plots.OKABE_ITO:
        ratio = 1.05 / (_luminance(colour) + 0.05)
        assert ratio >= style.MIN_CONTRAST >= 3.0, f"{colour}: contrast {ratio:.2f}:1"
    fig = plots.fan_chart(four, "ngo_survival", layout="overlay")
    drawn = {line.get_color() for line in fig.axes[0].lines}
    assert drawn <= set(plots.OKABE_ITO)


# --------------------------------------------------------------------------- units
@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_outcome_panels_name_their_units(four, lang: str) -> None:
    names = ["tied_award_share", "documentation_share", "score_quality_corr", "hhi"]
    fig = plots.compare_outcomes(four, names, lang=lang)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    with i18n.use_language(lang):
        for ax, name in zip(axes, names, strict=True):
            label = ax.get_xlabel()
            key = f"figures.outcome_units.{name}"
            specific = i18n.text(key, lang)
            unit = specific if specific != key else i18n.unit(OUTCOMES[name].unit, lang)
            assert label != i18n.outcome_label(name, lang)
            assert label.endswith(("(" + unit + ")", "（" + unit + "）")), label
    # Every outcome of a unit without a count noun in its name says its unit.
    for name, outcome in OUTCOMES.items():
        if outcome.unit in ("share", "index", "ratio", "correlation", "CNY"):
            assert plots.outcome_label(name).endswith(")"), name


# --------------------------------------------------------------------------- network
def test_network_says_what_line_width_means(four) -> None:
    fig = plots.contract_network(four)
    legend = fig.axes[0].get_legend()
    entries = dict(
        zip([t.get_text() for t in legend.get_texts()], legend.legend_handles, strict=True)
    )
    one = i18n.text("figures.width_one", "en")
    assert one in entries
    assert entries[one].get_linewidth() == pytest.approx(float(line_width(1)))
    many = [t for t in entries if t.startswith("line: ") and t != one]
    lines = next(c for c in fig.axes[0].collections if hasattr(c, "get_segments"))
    widest = float(max(lines.get_linewidths()))
    if widest > float(line_width(1)):
        (text,) = many
        assert entries[text].get_linewidth() == pytest.approx(widest)


# --------------------------------------------------------------------------- README
NUMBERS = {"six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}


@pytest.mark.parametrize(("page", "path"), [("README.md", "docs/"), ("docs/index.md", "")])
def test_readme_alt_text_counts_the_systems_in_the_figure(page: str, path: str) -> None:
    text = (ROOT / page).read_text(encoding="utf-8")
    (alt,) = re.findall(rf"!\[([^\]]*)\]\({path}figures/outcomes\.png\)", text)
    said = [NUMBERS[w.lower()] for w in re.findall(r"[A-Za-z]+", alt) if w.lower() in NUMBERS]
    said += [int(n) for n in re.findall(r"\d+", alt) if not n.startswith("95")]
    # The figure is `simcontract compare`'s: every built-in scenario.
    assert said == [len(builtin_names())], alt


# --------------------------------------------------------------------------- intervals
def _bar_ends(fig: Figure, axis: int) -> list[float]:
    """Where the error bars of ``fig`` end along ``axis`` (0: x, 1: y)."""
    ends = []
    for ax in fig.axes:
        for bar in (c for c in ax.containers if isinstance(c, ErrorbarContainer)):
            for lines in bar.lines[2]:
                ends += [float(end[axis]) for segment in lines.get_segments() for end in segment]
    return ends


def test_intervals_stay_within_what_an_outcome_can_take(four) -> None:
    """A t interval over two runs of a share reached from about -1.4 to 2.3."""
    runs = four.runs.copy()
    runs["ngo_survival"] = np.where(runs["replication"] == 0, 0.05, 1.0)
    extreme = SimpleNamespace(runs=runs, design=None)
    cut = "; intervals cut at the ends of the outcome's range"
    fig = _drawn(plots.compare_outcomes(extreme, ["ngo_survival"]))
    xs = _bar_ends(fig, 0)
    assert xs and min(xs) == 0.0 and max(xs) == 1.0, xs
    assert fig._suptitle.get_text().endswith(cut)
    fig = _drawn(plots.turnover_vs_contract_length(extreme, by="all"))
    ys = _bar_ends(fig, 1)
    assert ys and min(ys) == 0.0 and max(ys) <= 1.0, ys
    assert fig._suptitle.get_text().endswith(cut)
    runs["ngo_survival"] = np.where(runs["replication"] == 0, 0.5, 0.52)
    fig = plots.compare_outcomes(SimpleNamespace(runs=runs, design=None), ["ngo_survival"])
    assert not fig._suptitle.get_text().endswith(cut)


def test_a_mean_over_fewer_runs_than_the_title_says_gives_its_n(four) -> None:
    """The title says "over 2 replications"; a point whose outcome is undefined in one of
    its runs shows its mean over the other, and says so."""
    runs = four.runs.copy()
    runs.loc[(runs["point"] == 1) & (runs["replication"] == 0), "ngo_survival"] = np.nan
    fig = plots.compare_outcomes(SimpleNamespace(runs=runs, design=None), ["ngo_survival"])
    said = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert said == ["n = 1"]
    fig = plots.compare_outcomes(four, ["ngo_survival"])
    assert not [t for ax in fig.axes for t in ax.texts]


def test_chinese_figures_name_built_in_scenarios_by_their_titles(four) -> None:
    fig = plots.compare_outcomes(four, ["ngo_survival"], lang="zh_CN")
    ticks = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]
    assert i18n.scenario_title("guangzhou_ifsc", "zh_CN") in ticks
    assert "guangzhou_ifsc" not in ticks and "direct" in ticks  # a scenario of one's own
    english = plots.compare_outcomes(four, ["ngo_survival"], lang="en")
    assert "guangzhou_ifsc" in [t.get_text() for t in english.axes[0].get_yticklabels()]


# --------------------------------------------------------------------------- progress
def test_plot_shows_a_progress_line_while_drawing(
    four, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    full = plots.draw_all  # the CLI's figures at a low resolution, to keep the test fast
    monkeypatch.setattr(plots, "draw_all", lambda *args, **kw: full(*args, **kw, dpi=40))
    out = tmp_path / "figs"
    assert main(["plot", str(four.directory), "--out", str(out), "--format", "png"]) == 0
    captured = capsys.readouterr()
    drawn = len(list(out.glob("*.png")))
    assert drawn >= 5
    assert "drawing figures" in captured.err
    assert f"{drawn}/{drawn}" in captured.err
    assert "network" in captured.err
    assert "drawing figures" not in captured.out
    full(four, tmp_path / "quiet", ("png",), outcomes=["hhi"], dpi=40)  # the API: quiet
    assert "drawing figures" not in capsys.readouterr().err


@pytest.mark.parametrize("bad", [1800, 2010.5, "2010", True])
def test_a_bad_start_year_names_what_is_allowed(bad: Any) -> None:
    with pytest.raises(ScenarioError, match=r"'start_year' = .* expected the calendar year"):
        Scenario(start_year=bad)
    dated = Scenario(start_year=2010)
    assert Scenario.from_dict(dated.to_dict()).start_year == 2010
    assert dated == Scenario()  # the start year changes no result


def test_draw_all_takes_one_outcome_by_name(four, tmp_path: Path) -> None:
    """A name alone is one outcome (it was split into letters: "unknown outcome 'h'")."""
    written = plots.draw_all(four, tmp_path, ("png",), outcomes="hhi", progress=False)
    assert any(p.name == "outcomes.png" for p in written)
