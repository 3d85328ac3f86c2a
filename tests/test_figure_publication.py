"""Figures as a journal takes them: a title that fits its figure as saved, figures of a
width asked for (a column, a page) saved at exactly that width, figures without a
title for a caption, no text too small to print, and groups told apart in greyscale.
Checked on a tiny real sweep (3 years, 15 NGOs) over two parameters, with series."""

from __future__ import annotations

import warnings
from pathlib import Path

import matplotlib as mpl
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.legend import Legend
from matplotlib.text import Text
from PIL import Image

from simcontract import Results, Scenario, i18n, load_results, plots, sweep
from simcontract.plots import network, style
from simcontract.plots.data import key_outcomes
from simcontract.plots.export import _figures

TINY = {"years": 3, "initial_ngos": 15, "n_bureaux": 4, "n_mass_orgs": 1}
"""The market of this module's batch."""

LANGUAGES = ["en", "zh_CN"]

LONG_CHINESE_TITLE = (
    "不同合同期限下的承接机构更替率：均值与 95% 置信区间（每点 2 次运行）；"
    "区间在指标取值范围的端点处截断"
)
"""The title of a Chinese turnover figure whose intervals are cut: at the size first
chosen to fit a page-wide figure, it came out wider than the figure."""


@pytest.fixture(scope="module")
def grid(tmp_path_factory: pytest.TempPathFactory) -> Results:
    """A finished 2 x 2 grid sweep of two replications, with series, NGOs, contracts."""
    out = tmp_path_factory.mktemp("grid") / "res"
    sweep(
        Scenario(TINY, name="tiny"),
        {"favouritism": [0.1, 0.6], "contract_years": [1, 3]},
        replications=2,
        series=True,
        workers=1,
        out=out,
    )
    return load_results(out)


def _width_saved(fig: Figure, dpi: int = style.DPI) -> float:
    """Width of the figure's title as saved at ``dpi``, in inches."""
    fig.set_dpi(dpi)
    renderer = FigureCanvasAgg(fig).get_renderer()
    return fig._suptitle.get_window_extent(renderer).width / dpi


def _texts(fig: Figure) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


# ------------------------------------------------------------------ titles that fit as saved
def test_a_shrunk_title_fits_the_figure_as_saved() -> None:
    """Glyph widths come in whole pixels, so a title set smaller in proportion to its
    excess can still be too wide: it was, by a few hundredths of an inch, and saving
    widened the figure beyond the page."""
    with mpl.rc_context({**style.STYLE, **style.language_rc("zh_CN")}):
        fig = style.figure(style.PAGE_WIDTH, 3.0)
        fig.suptitle(LONG_CHINESE_TITLE)
        style.fit_suptitle(fig)
        assert _width_saved(fig) <= 0.99 * style.PAGE_WIDTH


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_figure_of_a_sweep_is_saved_wider_than_a_page(
    grid: Results, lang: str, tmp_path: Path
) -> None:
    paths = plots.draw_all(grid, tmp_path, formats=("png",), lang=lang)
    assert paths
    for path in paths:
        with Image.open(path) as image:
            inches = image.size[0] / image.info["dpi"][0]
        assert inches <= style.PAGE_WIDTH + 0.02, f"{path.name}: {inches:.3f} in wide"


# ------------------------------------------------------------------ a width asked for
# A column in English and a page in Chinese: each language and each width once.
@pytest.mark.parametrize(("width_mm", "lang"), [(85, "en"), (178, "zh_CN")])
def test_figures_asked_for_a_width_are_saved_at_exactly_that_width(
    grid: Results, lang: str, width_mm: float, tmp_path: Path
) -> None:
    """A journal column (85 mm) or page (178 mm): every figure of the sweep, laid out
    without collapsing, saved at the width asked for (the network, a page figure, at
    least its own narrowest)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*constrained_layout not applied.*")
        paths = plots.draw_all(grid, tmp_path, formats=("png",), lang=lang, width_mm=width_mm)
    for path in paths:
        least = network.LEAST_WIDTH * style.MM_PER_INCH if path.stem == "network" else 0
        with Image.open(path) as image:
            assert image.info["dpi"][0] == pytest.approx(style.DPI, abs=0.01)
            saved = image.size[0] / image.info["dpi"][0] * style.MM_PER_INCH
        assert saved == pytest.approx(max(width_mm, least), abs=0.2), path.name


def test_a_narrow_figure_puts_its_legend_below_the_data(grid: Results) -> None:
    """Beside the data, the four points' names would leave a column-wide fan chart a
    sliver of a plot."""
    fig = plots.fan_chart(grid, "staff_turnover", width_mm=85)
    fig.draw_without_rendering()
    (ax,) = fig.axes
    legends = fig.findobj(Legend)
    assert len(legends) == 1
    assert legends[0].get_window_extent().y1 < ax.get_window_extent().y0
    assert ax.get_window_extent().width > 0.6 * fig.bbox.width


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("bad", [10, 1000, "85", True, float("nan")])
def test_a_bad_width_names_what_is_allowed_and_draws_nothing(
    grid: Results, lang: str, bad: object, tmp_path: Path
) -> None:
    with pytest.raises(ValueError) as caught:
        plots.draw_all(grid, tmp_path / "figs", formats=("png",), lang=lang, width_mm=bad)
    said = str(caught.value)
    assert "\n" not in said and repr(bad) in said and "60" in said and "300" in said
    assert said == i18n.text("errors.plots.width", lang, width=repr(bad), low="60", high="300")
    assert not list(tmp_path.rglob("*.png"))
    with pytest.raises(ValueError):
        plots.heatmap(grid, "staff_turnover", width_mm=bad, lang=lang)


# ------------------------------------------------------------------ no title
@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_figure_without_a_title_keeps_its_text_for_the_caption(
    grid: Results, lang: str, tmp_path: Path
) -> None:
    titled = plots.turnover_vs_contract_length(grid, lang=lang)
    bare = plots.turnover_vs_contract_length(grid, lang=lang, title=False)
    assert bare.get_suptitle() == titled.get_suptitle().replace("\n", "") != ""
    (svg,) = plots.save(bare, tmp_path / "bare", ("svg",))
    (shown,) = plots.save(titled, tmp_path / "titled", ("svg",))
    start = titled.get_suptitle().split("：")[0].split(":")[0]
    assert start in shown.read_text(encoding="utf-8")
    assert start not in svg.read_text(encoding="utf-8")


def test_draw_all_without_titles_draws_none(grid: Results, tmp_path: Path) -> None:
    plots.draw_all(grid, tmp_path, formats=("svg",), title=False, outcomes=["staff_turnover"])
    for path in tmp_path.glob("*.svg"):
        assert "over 2 replications" not in path.read_text(encoding="utf-8"), path.name
        assert "runs each" not in path.read_text(encoding="utf-8"), path.name


# ------------------------------------------------------------------ legible text, greyscale
@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_text_is_smaller_than_seven_points(grid: Results, lang: str) -> None:
    """A page-wide figure prints at 80% of its size or more: text of 7 points prints at
    5.6 or more; 6.25 points (matplotlib's x-small) printed at 5."""
    drawings = _figures(grid, list(key_outcomes())[:2])
    response = plots.response
    drawings.append(("response", lambda **k: response(grid, "staff_turnover", "favouritism", **k)))
    for name, draw in drawings:
        fig = draw(lang=lang)
        fig.draw_without_rendering()
        small = [(t.get_text(), t.get_fontsize()) for t in _texts(fig) if t.get_fontsize() < 7]
        assert not small, f"{name}: {small}"


def test_group_lines_differ_in_dashes_not_only_in_colour(grid: Results) -> None:
    """The palette's colours but black lie between 43 and 61 in lightness (CIELAB L*):
    printed in grey, four design points' lines looked alike."""
    fan = plots.fan_chart(grid, "staff_turnover", layout="overlay")
    survival = plots.survival_curves(grid)
    dependence = plots.dependence_distribution(grid)
    for fig, ax in (
        (fan, fan.axes[0]),
        (survival, survival.axes[0]),
        (dependence, dependence.axes[1]),
    ):
        lines = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
        grouped = [line for line in lines if line.get_color() in style.OKABE_ITO]
        dashes = {str(line.get_linestyle()) + str(line._unscaled_dash_pattern) for line in grouped}
        assert len(grouped) == 4 and len(dashes) == 4, fig.get_suptitle()


def test_plot_draws_column_wide_figures_without_titles(tmp_path: Path, capsys) -> None:
    """``plot --width 85 --no-title``: every figure as wide as a journal column (the
    network at its least width) with no title; a width outside the range is one line,
    exit status 2, nothing written."""
    from simcontract.cli import main

    out = tmp_path / "res"
    tiny = Scenario({"years": 3, "initial_ngos": 15, "n_bureaux": 4, "n_mass_orgs": 1}, name="tiny")
    grid = {"favouritism": [0.1, 0.6], "contract_years": [1, 3]}
    sweep(tiny, grid, replications=2, workers=1, out=out)
    assert main(["plot", str(out), "--format", "png,svg", "--width", "85", "--no-title"]) == 0
    for png in (out / "figures").glob("*.png"):
        with Image.open(png) as im:
            expected = network.LEAST_WIDTH * 25.4 if png.stem == "network" else 85
            assert im.size[0] / im.info["dpi"][0] * 25.4 == pytest.approx(expected, abs=0.2)
    assert all("over 2 replications" not in p.read_text() for p in (out / "figures").glob("*.svg"))
    capsys.readouterr()
    assert main(["plot", str(out), "--width", "20", "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "60" in err and "300" in err
    assert not (tmp_path / "x").exists()
