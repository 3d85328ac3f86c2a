"""Figures ready for a journal page, in English and Chinese: no figure wider than a
page, no two panels' titles or axis labels running into each other, fonts embedded in
PDFs as TrueType. Checked on made-up results (no model runs) whose design points carry
long labels, as a sweep's do, through the laid-out matplotlib artists."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text
from test_figure_colours import made_up

from simcontract import plots
from simcontract.plots import style

LANGUAGES = ["en", "zh_CN"]


def sweep_like() -> SimpleNamespace:
    """Six points of one scenario, told apart by two parameters (long labels)."""
    settings = [
        {"contract_years": years, "tendering": tendering}
        for years in (1, 3, 5)
        for tendering in ("open", "selective")
    ]
    return made_up(["baseline"] * len(settings), settings)


def three_cities() -> SimpleNamespace:
    return made_up(["baseline", "guangzhou_ifsc", "shanghai_hub"])


FIGURES: dict[str, Callable[..., Figure]] = {
    "outcomes": plots.compare_outcomes,
    "fan overlay": lambda r, **k: plots.fan_chart(r, "provider_turnover", layout="overlay", **k),
    "fan panels": lambda r, **k: plots.fan_chart(r, "provider_turnover", layout="panels", **k),
    "survival": plots.survival_curves,
    "dependence": plots.dependence_distribution,
    "turnover": lambda r, **k: plots.turnover_vs_contract_length(r, "scenario", **k),
}


def laid_out(fig: Figure) -> Figure:
    fig.draw_without_rendering()
    return fig


def overlapping(texts: list[Text]) -> list[tuple[str, str]]:
    """Pairs of non-empty texts whose boxes overlap."""
    boxes = [(t.get_text(), t.get_window_extent()) for t in texts if t.get_text()]
    return [
        (a, b)
        for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2)
        if box_a.overlaps(box_b)
    ]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", FIGURES)
@pytest.mark.parametrize("results", [three_cities, sweep_like])
def test_no_figure_is_wider_than_a_page(kind: str, lang: str, results: Callable) -> None:
    fig = laid_out(FIGURES[kind](results(), lang=lang))
    saved = fig.get_tightbbox().width  # what savefig(bbox="tight") keeps, in inches
    assert saved <= style.PAGE_WIDTH + 0.1, f"{kind}: {saved:.2f} in wide"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_panel_titles_never_run_into_each_other(lang: str) -> None:
    fig = laid_out(plots.fan_chart(sweep_like(), "provider_turnover", layout="panels", lang=lang))
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == 6
    assert not overlapping([ax.title for ax in panels])
    for ax in panels:
        assert ax.title.get_window_extent().width <= ax.get_window_extent().width
    assert style.i18n.text("punctuation.list", lang).rstrip() in panels[0].get_title()


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", ["outcomes", "dependence"])
def test_axis_labels_of_neighbouring_panels_never_overlap(kind: str, lang: str) -> None:
    for results in (three_cities(), sweep_like()):
        fig = laid_out(FIGURES[kind](results, lang=lang))
        labels = [ax.xaxis.label for ax in fig.axes if ax.get_visible()]
        assert len(labels) >= 2
        assert not overlapping(labels), kind


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_long_title_fits_the_figure(lang: str) -> None:
    """The comparison's title with the note on cut intervals was wider than a page."""
    results = three_cities()
    results.runs["ngo_survival"] = results.runs["replication"].map({0: 0.05, 1: 1.0, 2: 1.0})
    fig = laid_out(plots.compare_outcomes(results, lang=lang))
    title = fig._suptitle
    assert style.i18n.text("figures.intervals_cut", lang) in title.get_text().replace("\n", "")
    assert title.get_window_extent().width <= fig.bbox.width
    assert title.get_fontsize() >= style.MIN_TITLE_SIZE


@pytest.mark.parametrize("lang", LANGUAGES)
def test_pdf_fonts_are_embedded_truetype(lang: str, tmp_path: Path) -> None:
    (path,) = plots.save(
        plots.compare_outcomes(three_cities(), lang=lang), tmp_path / "outcomes", ["pdf"]
    )
    data = path.read_bytes()
    assert b"/Type3" not in data
    assert re.search(rb"/Subtype\s*/CIDFontType2", data)
    assert b"/FontFile2" in data
    if lang == "zh_CN":
        assert re.search(rb"/BaseFont\s*/[A-Z]{6}\+NotoSansCJK", data)


def test_a_long_chinese_title_with_latin_names_fits_the_page() -> None:
    """Lines of equal display columns differ in width when they mix Chinese and Latin
    letters: the title is wrapped narrower until every line fits."""
    text = (
        "在执行的合同（基准城市的参数扫描，设计点 1：contract_years=3、tendering=selective、"
        "favouritism=0.45、rotation_years=3、reshuffle=0.5、advocacy_inclination=0.25、"
        "blame_avoidance=0.75）：重复 0，第 6 年末，城市 0"
    )

    @style.styled
    def titled() -> Figure:
        fig = style.figure(style.PAGE_WIDTH, 3.0)
        fig.suptitle(text)
        return fig

    fig = laid_out(titled(lang="zh_CN"))
    assert fig._suptitle.get_text().count("\n") >= 1
    assert fig._suptitle.get_window_extent().width <= 0.98 * fig.bbox.width
