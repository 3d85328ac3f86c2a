"""Downloads of the seminar app: the runs' yearly series (CSV) and the charts (PNG).

The PNG is drawn with matplotlib in the house style of :mod:`simcontract.plots` (its
palette, names and language), so it can go into slides or a report as it is.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import matplotlib as mpl
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from simcontract import i18n
from simcontract.appcharts import DASHES, PANELS, across, change_marks, run_label
from simcontract.appcontrols import show_number
from simcontract.appreplicate import Replicates
from simcontract.appruns import Run
from simcontract.plots.style import (
    MARKERS,
    OKABE_ITO,
    STYLE,
    figure,
    figure_text,
    language_rc,
    styled,
)
from simcontract.scenario import load_scenario

PNG_DPI = 150
"""Resolution of the downloaded charts."""

UNIT_PAD = 16
"""Points between a chart and its title when a unit reads across between them."""


def _said(values: dict[str, Any]) -> str:
    return " ".join(f"{name}={value}" for name, value in values.items())


def changed_rules(run: Run) -> str:
    """The rules a run started with that differ from its preset's, as ``name=value``
    (what ``simcontract run <preset> --set name=value`` takes)."""
    preset = load_scenario(run.preset).at_year(1)
    return _said({k: v for k, v in run.start.items() if preset.get(k) != v})


def shocks_text(run: Run) -> str:
    """A run's policy shocks, as ``year: name=value``, separated by ``;``."""
    return "; ".join(
        f"{shock.year}: " + _said({k: new for k, (_old, new) in shock.changes.items()})
        for shock in run.shocks
    )


def series_table(run: Run, kept: Sequence[Run] = (), lang: str = "en") -> pd.DataFrame:
    """The yearly series of the live run, then of the kept runs: one row per run and
    year, with the run's label, scenario, seed, changed rules and policy shocks before
    the outcomes."""
    frames = []
    for shown in (run, *kept):
        frame = shown.series().copy()
        frame.insert(0, "shocks", shocks_text(shown))
        frame.insert(0, "changed_rules", changed_rules(shown))
        frame.insert(0, "seed", shown.seed)
        frame.insert(0, "scenario", shown.preset)
        frame.insert(0, "run", shown.label or i18n.text("app.this_run_short", lang))
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def series_csv(run: Run, kept: Sequence[Run] = (), lang: str = "en") -> bytes:
    """:func:`series_table` as UTF-8 CSV (with a byte-order mark, so spreadsheet programs
    read Chinese scenario text correctly)."""
    return series_table(run, kept, lang).to_csv(index=False).encode("utf-8-sig")


def file_stem(run: Run) -> str:
    """Base name of downloaded files: ``simcontract-baseline-seed42-year7``."""
    return f"simcontract-{run.preset}-seed{run.seed}-year{run.year}"


@styled
def charts_figure(
    run: Run, kept: Sequence[Run] = (), replicates: Replicates | None = None
) -> Figure:
    """The app's yearly charts as one matplotlib figure (in the language given by
    ``lang=``): the live run solid, kept runs dashed, each outcome of a panel with its own
    colour and marker (filled on the live run, hollow on kept runs), the replications'
    bands, rule changes marked and flagged."""
    lang = i18n.current()
    fig = figure(11.0, 6.6, page=False)  # a slide, as the page shows it, not a print page
    axes = fig.subplots(2, 3, sharex=True)
    years = max([run.years, *(k.year for k in kept), 1])
    marks = change_marks(run, lang, kept)
    for ax, panel in zip(axes.flat, PANELS, strict=True):
        for k, shown in enumerate((run, *kept)):
            series = shown.series()
            dash = DASHES[k % len(DASHES)]
            for j, name in enumerate(panel.outcomes):
                if series.empty or name not in series:
                    continue
                label = i18n.outcome_label(name, lang)
                if k:  # a kept run's line: the outcome and the run's name in brackets
                    title = i18n.scenario_title(shown.preset, lang)
                    note = i18n.text("app.kept_run_note", lang, label=shown.label, scenario=title)
                    label = i18n.text("punctuation.paren", lang, text=label, note=note)
                # Printed in grey, a panel's outcomes differ by marker, its runs by
                # dash and by filled (the live run) or hollow markers.
                ax.plot(
                    series["year"],
                    series[name],
                    color=OKABE_ITO[j % len(OKABE_ITO)],
                    dashes=dash if k else (None, None),
                    marker=MARKERS[j % len(MARKERS)],
                    markerfacecolor="white" if k else None,
                    markersize=3.5,
                    label=label,
                )
        if replicates is not None:
            for colour, name in zip(OKABE_ITO, panel.outcomes, strict=False):
                if name in replicates.series:
                    band = replicates.band(name)
                    ax.fill_between(
                        band["year"], band["low"], band["high"], color=colour, alpha=0.18, lw=0
                    )
        for mark in marks:
            ax.axvline(mark["at"], color="0.3", linestyle=":", linewidth=1.0)
            ax.text(
                mark["at"],
                1.0,
                " " + mark["flag"],
                transform=ax.get_xaxis_transform(),
                fontsize=7,
                color="0.3",
                va="top",
                ha="left",
            )
        unit = i18n.text(f"app.unit_{panel.unit}", lang)
        if across(unit):  # over the axis, reading across, under the title (as the page)
            ax.set_title(i18n.text(f"app.panel_{panel.key}", lang), loc="left", pad=UNIT_PAD)
            ax.set_ylabel(unit, rotation=0, ha="left", va="bottom")
            ax.yaxis.set_label_coords(0.0, 1.01)
        else:
            ax.set_title(i18n.text(f"app.panel_{panel.key}", lang), loc="left")
            ax.set_ylabel(unit)
        if panel.unit in ("share", "index"):
            ax.set_ylim(-0.02, 1.02)
        else:  # counts: "1,000" as on the page, not matplotlib's "1000"
            ax.yaxis.set_major_formatter(FuncFormatter(lambda value, _pos: show_number(value)))
        ax.set_xlim(0.5, years + 0.5)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="best", fontsize=7)
    for ax in axes[1]:
        ax.set_xlabel(figure_text("year"))
    fig.suptitle(run_label(run, lang) + " · " + i18n.text("app.year_n", lang, year=run.year))
    return fig


def charts_png(
    run: Run, kept: Sequence[Run] = (), lang: str = "en", replicates: Replicates | None = None
) -> bytes:
    """:func:`charts_figure` as PNG bytes."""
    fig = charts_figure(run, kept, replicates, lang=lang)
    out = io.BytesIO()
    with mpl.rc_context({**STYLE, **language_rc(lang)}):
        fig.savefig(out, format="png", dpi=PNG_DPI)
    return out.getvalue()
