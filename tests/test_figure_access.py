"""Figures a journal's figure editor accepts: groups told apart without colour (a bar's
pattern, a point's marker, a band's dashed edges, as a line's dashes), taken from the
group's place in the batch; and a comparison of six outcomes at a column's width that
fits a page.

Drawn from a tiny real comparison (two scenarios, two replications, three years) and
from made-up results of up to eight scenarios (no model runs), read through the
matplotlib objects the figures build.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import LineCollection
from matplotlib.colors import to_hex
from matplotlib.container import BarContainer, ErrorbarContainer
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text
from test_figure_colours import made_up

from simcontract import Results, Scenario, compare, plots
from simcontract.plots import style
from simcontract.plots.data import groups, key_outcomes
from simcontract.scenario import builtin_names

LANGUAGES = ["en", "zh_CN"]

TINY = {"years": 3, "initial_ngos": 15, "n_bureaux": 4, "n_mass_orgs": 1}
"""The market of this module's comparison."""

FOUR = ["baseline", "guangzhou_ifsc", "mine", "shanghai_hub"]
"""Two built-ins, a scenario of one's own, a built-in: groups of fixed and free colours."""


@pytest.fixture(scope="module")
def tiny() -> Results:
    """Open tendering against direct award in a tiny market, two replications each,
    with series and NGO tables."""
    scenarios = [
        Scenario(TINY, name="open"),
        Scenario({**TINY, "tendering": "direct", "contract_years": 3}, name="direct"),
    ]
    return compare(scenarios, replications=2, workers=1, series=True)


def _laid_out(fig: Figure) -> Figure:
    fig.draw_without_rendering()
    return fig


def _group_bars(fig: Figure) -> list[BarContainer]:
    return [c for c in fig.axes[0].containers if isinstance(c, BarContainer)]


# ------------------------------------------------------------------ bars
@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_groups_bars_carry_their_own_pattern(lang: str) -> None:
    """Four scenarios' histogram bars differed only in colour: in greyscale, or to a
    colour-blind reader, the groups could not be told apart."""
    results = made_up(FOUR)
    fig = plots.dependence_distribution(results, lang=lang)
    containers = _group_bars(fig)
    assert len(containers) == len(FOUR)
    hatches = []
    for container in containers:
        drawn = {str(bar.get_hatch() or "") for bar in container.patches}
        assert len(drawn) == 1, container.get_label()  # one pattern a group
        hatches.append(drawn.pop())
        # A white pattern shows on every group colour, black included.
        assert {to_hex(bar.get_hatchcolor()) for bar in container.patches} == {"#ffffff"}
    assert len(set(hatches)) == len(FOUR)
    assert hatches == [g.hatch for g in groups(results)] == list(style.HATCHES[:4])
    # The key shows each group's pattern beside its line.
    legend = fig.legends[0] if fig.legends else fig.axes[1].get_legend()
    keyed = [str(h.get_hatch() or "") for h in legend.legend_handles[: len(FOUR)]]
    assert keyed == hatches


def test_a_groups_look_comes_from_its_place_in_the_batch_not_in_the_figure() -> None:
    """A figure that leaves a group out (no series of it) draws the others as every
    other figure of the batch does."""
    results = made_up(FOUR)
    results.series = results.series[results.series["point"] != 1]
    fan = plots.fan_chart(results, "provider_turnover", layout="overlay")
    styles = {g.label: g for g in groups(results)}
    for line in fan.axes[0].get_lines():
        if line.get_label() in styles:
            g = styles[line.get_label()]
            assert line._unscaled_dash_pattern == _dashes(g.linestyle)
    assert "guangzhou_ifsc" not in {line.get_label() for line in fan.axes[0].get_lines()}
    dependence = plots.dependence_distribution(results)
    assert [str(c.patches[0].get_hatch() or "") for c in _group_bars(dependence)] == [
        g.hatch for g in groups(results)
    ]


def _dashes(linestyle: Any) -> tuple:
    """The dash pattern (offset, dashes) a line of width 1 takes for ``linestyle``."""
    return Line2D([], [], linestyle=linestyle)._unscaled_dash_pattern


def test_the_sobol_figure_tells_first_from_total_order_without_colour() -> None:
    """S1 and ST bars differed only in colour (blue and vermillion look alike in grey):
    S1 bars are filled, ST bars outlined; a pattern still marks only a flagged bar."""
    rows = [
        {"outcome": "staff_turnover", "index": i, "parameter": p, "value": v, "conf": 0.05}
        for p in ("favouritism", "reshuffle")
        for i, v in (("S1", 0.3), ("ST", 0.5))
    ]
    table = pd.DataFrame(rows).assign(low=lambda t: t.value - 0.05, high=lambda t: t.value + 0.05)
    fig = plots.sensitivity(table, "staff_turnover")
    first, total = _group_bars(fig)
    faces = [{to_hex(b.get_facecolor()) for b in c.patches} for c in (first, total)]
    assert faces == [{to_hex(style.OKABE_ITO[0])}, {"#ffffff"}]
    assert {to_hex(b.get_edgecolor()) for b in total.patches} == {to_hex(style.OKABE_ITO[1])}
    assert not [b for b in fig.axes[0].patches if b.get_hatch()]
    keys = fig.axes[0].get_legend().legend_handles
    assert [to_hex(k.get_facecolor()) for k in keys] == [to_hex(style.OKABE_ITO[0]), "#ffffff"]


# ------------------------------------------------------------------ markers
def _markers(fig: Figure, ax_index: int = 0) -> dict[str, str]:
    """The marker of each labelled error bar of an axes, by label."""
    return {
        c.get_label(): c.lines[0].get_marker()
        for c in fig.axes[ax_index].containers
        if isinstance(c, ErrorbarContainer)
    }


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_group_has_its_own_marker_in_every_figure(lang: str) -> None:
    """The contract-length figure's points differed only in colour."""
    results = made_up(FOUR)
    turnover = _markers(plots.turnover_vs_contract_length(results, "scenario", lang=lang))
    outcomes = plots.compare_outcomes(results, ["provider_turnover", "staff_turnover"], lang=lang)
    assert len(set(turnover.values())) == len(FOUR)
    for panel in (0, 1):  # the same marker in every panel and in both figures
        assert list(_markers(outcomes, panel).values()) == list(turnover.values())
    assert list(turnover.values()) == [g.marker for g in groups(results)]
    assert list(turnover.values()) == list(style.MARKERS[:4])


def test_groups_by_a_parameters_value_have_their_own_markers() -> None:
    settings = [{"favouritism": v} for v in (0.1, 0.4, 0.7)]
    results = made_up(["tiny"] * 3, settings)
    fig = plots.turnover_vs_contract_length(results, "favouritism")
    assert list(_markers(fig).values()) == list(style.MARKERS[:3])


def test_morris_parameters_have_their_own_markers_beyond_the_palette() -> None:
    """Nine parameters: the ninth repeats the first colour but not its marker."""
    names = [f"p{i}" for i in range(9)]
    rows = [
        {"outcome": "staff_turnover", "index": i, "parameter": p, "value": v, "conf": 0.01}
        for k, p in enumerate(names)
        for i, v in (("mu_star", 0.05 * (k + 1)), ("sigma", 0.02 * (k + 1)))
    ]
    fig = plots.sensitivity(pd.DataFrame(rows), "staff_turnover")
    looks = [
        (to_hex(c.lines[0].get_color()), c.lines[0].get_marker()) for c in fig.axes[0].containers
    ]
    assert len(set(looks)) == len(names)
    assert looks[8][0] == looks[0][0] and looks[8][1] != looks[0][1]


def test_a_ninth_group_repeats_the_first_colour_but_not_its_dashes_or_pattern() -> None:
    """A grid of nine points in the survival figure: the palette's eight colours cycle,
    and the ninth line would have been the first's twin (both solid blue)."""
    results = made_up(["tiny"] * 9, [{"favouritism": 0.1 * k} for k in range(9)])
    found = groups(results)
    looks = [(g.colour, str(g.linestyle)) for g in found]
    assert found[8].colour == found[0].colour and len(set(looks)) == 9, looks
    assert len({(g.colour, g.hatch) for g in found}) == 9


# ------------------------------------------------------------------ bands
@pytest.mark.parametrize("kind", ["fan", "survival"])
def test_bands_are_edged_in_their_groups_dashes(kind: str) -> None:
    """Overlapping bands in the palette's colours look alike in grey: each band's edges
    are drawn in its group's dash pattern."""
    results = made_up(FOUR)
    if kind == "fan":
        fig = plots.fan_chart(results, "provider_turnover", layout="overlay")
    else:
        fig = plots.survival_curves(results)
    ax = fig.axes[0]
    edges = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(edges) == len(FOUR)
    colours = {to_hex(g.colour): g for g in groups(results)}
    for edge in edges:
        g = colours[to_hex(edge.get_edgecolor()[0])]
        _, pattern = edge.get_dashes()[0]
        expected = _dashes(g.linestyle)[1]
        scale = style.BAND_EDGE_WIDTH
        assert (pattern is None) == (expected is None), g.label
        if pattern is not None:
            assert np.allclose(pattern, np.asarray(expected) * scale), g.label
    assert len({str(e.get_dashes()) for e in edges}) == len(FOUR)
    assert len(ax.get_lines()) == len(FOUR)  # the edges are not among the group lines


# ------------------------------------------------------------------ a column's width
def _panels(fig: Figure) -> list:
    return [ax for ax in fig.axes if ax.get_visible()]


def _overlapping(texts: list[Text]) -> list[tuple[str, str]]:
    boxes = [(t.get_text(), t.get_window_extent()) for t in texts if t.get_text().strip()]
    return [
        (a, b)
        for i, (a, box) in enumerate(boxes)
        for b, other in boxes[i + 1 :]
        if box.overlaps(other)
    ]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_six_outcomes_in_a_column_fit_a_page(tiny: Results, lang: str) -> None:
    """At 85 mm the six key outcomes stood in one column of panels, 280 to 320 mm
    tall: now two columns, at most a page's height, every text legible and no label
    running into another."""
    outcomes = list(key_outcomes())
    assert len(outcomes) == 6
    fig = _laid_out(plots.compare_outcomes(tiny, outcomes, width_mm=85, lang=lang))
    assert fig.get_figwidth() * style.MM_PER_INCH == pytest.approx(85)
    assert fig.get_figheight() <= style.PAGE_HEIGHT
    assert style.PAGE_HEIGHT * style.MM_PER_INCH < 230  # a page's text, with a caption
    panels = _panels(fig)
    assert len(panels) == 6
    columns = {round(ax.get_position().x0, 3) for ax in panels}
    rows = {round(ax.get_position().y0, 3) for ax in panels}
    assert (len(columns), len(rows)) == (2, 3)
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    assert min(t.get_fontsize() for t in texts) >= style.MIN_TEXT_SIZE
    assert not _overlapping([ax.xaxis.label for ax in panels])
    for ax in panels:  # each outcome's label within its panel's column
        label = ax.xaxis.label.get_window_extent()
        assert label.width <= ax.get_window_extent().width + 1, ax.get_xlabel()
    assert fig._suptitle.get_window_extent().width <= fig.bbox.width
    # Each scenario named once a row, beside the left panel.
    names = [t.get_text() for t in panels[0].get_yticklabels()]
    assert sorted(names) == sorted(g.label for g in groups(tiny))


def test_a_page_wide_comparison_keeps_its_layout(tiny: Results) -> None:
    """Six outcomes at a page's width: three panels a row, as before."""
    fig = plots.compare_outcomes(tiny, list(key_outcomes()))
    panels = _panels(fig)
    assert len({round(ax.get_position().x0, 3) for ax in panels}) == 3
    assert fig.get_figheight() == pytest.approx(2 * (0.9 + 0.28 * 2) + 0.5)


def test_many_scenarios_in_a_column_still_fit_a_page() -> None:
    """Eight scenarios, six outcomes, one column: the points draw closer, the names
    keep their room."""
    fig = _laid_out(plots.compare_outcomes(made_up(builtin_names()), width_mm=85))
    assert fig.get_figheight() <= style.PAGE_HEIGHT
    assert not _overlapping(list(_panels(fig)[0].get_yticklabels()))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_column_wide_fan_panels_fit_a_page_with_their_titles(lang: str) -> None:
    """A fan chart of eight scenarios in panels stood them one above the other at
    85 mm, 440 mm tall; Chinese titles ran into the next panel."""
    fig = plots.fan_chart(made_up(builtin_names()), "provider_turnover", width_mm=85, lang=lang)
    fig = _laid_out(fig)
    assert fig.get_figheight() <= style.PAGE_HEIGHT
    panels = _panels(fig)
    assert len({round(ax.get_position().x0, 3) for ax in panels}) == 2
    for ax in panels:
        assert ax.title.get_window_extent().width <= ax.get_window_extent().width + 1, lang
    assert not _overlapping([ax.title for ax in panels])


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_column_wide_dependence_figure_stacks_its_panels(tiny: Results, lang: str) -> None:
    """Side by side in 85 mm, the two panels' labels ran into each other."""
    fig = _laid_out(plots.dependence_distribution(tiny, width_mm=85, lang=lang))
    hist, ecdf = fig.axes[:2]
    assert hist.get_position().y0 > ecdf.get_position().y1
    assert fig.get_figheight() <= style.PAGE_HEIGHT
    labels = [hist.xaxis.label, ecdf.xaxis.label, hist.yaxis.label, ecdf.yaxis.label]
    assert not _overlapping([*labels, hist.title, ecdf.title])


def _sobol_indices(parameters: list[str]) -> pd.DataFrame:
    """A made-up table of Sobol indices, S1 and ST of each parameter."""
    rng = np.random.default_rng(5)
    rows = [
        {
            "outcome": "ngo_survival",
            "index": index,
            "parameter": p,
            "value": v,
            "conf": 0.05,
            "low": v - 0.05,
            "high": v + 0.05,
        }
        for p in parameters
        for index, v in (("S1", rng.uniform(0, 0.3)), ("ST", rng.uniform(0.3, 0.6)))
    ]
    return pd.DataFrame(rows)


def test_rows_draw_closer_to_keep_a_page() -> None:
    assert style.rows_height(1.3, 2, 0.45) == pytest.approx(1.3 + 2 * 0.45)  # as before
    assert style.rows_height(1.3, 30, 0.45) == pytest.approx(style.PAGE_HEIGHT)
    assert style.rows_height(1.3, 60, 0.45) == pytest.approx(1.3 + 60 * style.ROW_LEAST)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_sobol_chart_of_many_parameters_fits_a_page(lang: str) -> None:
    """Thirty parameters drew a Sobol chart 14.8 inches tall: now a page's height, each
    parameter's name clear of the next."""
    from simcontract.params import PARAMETERS

    names = [n for n, p in PARAMETERS.items() if p.kind in ("float", "int")][:30]
    fig = _laid_out(plots.sensitivity(_sobol_indices(names), "ngo_survival", lang=lang))
    assert fig.get_figheight() <= style.PAGE_HEIGHT
    ticks = fig.axes[0].get_yticklabels()
    assert len(ticks) == 30
    assert not _overlapping(list(ticks))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_counts_over_points_at_a_panels_edges_stay_in_the_panel(lang: str) -> None:
    """A point whose outcome is undefined in some runs says how many it has ("n = 2"):
    centred over a point at a panel's side, the label ran past the panel's edge."""
    results = made_up(builtin_names()[:4])
    runs = results.runs
    # The lowest point near 0 and the highest near 1, where their intervals are cut.
    for point, values in ((0, [np.nan, 0.0, 0.004]), (3, [np.nan, 0.996, 1.0])):
        runs.loc[runs["point"] == point, "provider_turnover"] = values
    fig = plots.compare_outcomes(results, ["provider_turnover"], width_mm=85, lang=lang)
    fig = _laid_out(fig)
    ax = fig.axes[0]
    counts = [t for t in ax.texts if t.get_text().startswith("n =")]
    assert len(counts) == 2
    panel = ax.get_window_extent()
    for text in counts:
        box = text.get_window_extent()
        assert panel.x0 - 1 <= box.x0 and box.x1 <= panel.x1 + 1, text.get_text()
