"""Downloads of the seminar app: the runs' yearly series (CSV) and the charts (PNG).

The PNG is drawn with matplotlib in the house style of :mod:`simcontract.plots` (its
palette, names and language), so it can go into slides or a report as it is.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import matplotlib as mpl
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from simcontract import i18n
from simcontract.appcharts import DASHES, PANELS, change_marks, run_label
from simcontract.appruns import Run
from simcontract.plots.style import OKABE_ITO, STYLE, figure, figure_text, language_rc, styled

PNG_DPI = 150
"""Resolution of the downloaded charts."""


def series_table(run: Run, kept: Sequence[Run] = ()) -> pd.DataFrame:
    """The yearly series of the live run, then of the kept runs: one row per run and
    year, with the run's label, scenario and seed before the outcomes."""
    frames = []
    for shown in (run, *kept):
        frame = shown.series().copy()
        frame.insert(0, "seed", shown.seed)
        frame.insert(0, "scenario", shown.preset)
        frame.insert(0, "run", shown.label or "live")
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def series_csv(run: Run, kept: Sequence[Run] = ()) -> bytes:
    """:func:`series_table` as UTF-8 CSV (with a byte-order mark, so spreadsheet programs
    read Chinese scenario text correctly)."""
    return series_table(run, kept).to_csv(index=False).encode("utf-8-sig")


def file_stem(run: Run) -> str:
    """Base name of downloaded files: ``simcontract-baseline-seed42-year7``."""
    return f"simcontract-{run.preset}-seed{run.seed}-year{run.year}"


@styled
def charts_figure(run: Run, kept: Sequence[Run] = ()) -> Figure:
    """The app's yearly charts as one matplotlib figure (in the language given by
    ``lang=``): the live run solid, kept runs dashed, policy shocks marked."""
    lang = i18n.current()
    fig = figure(11.0, 6.6)
    axes = fig.subplots(2, 3, sharex=True)
    years = max([run.years, *(k.year for k in kept), 1])
    marks = change_marks(run, lang)
    for ax, panel in zip(axes.flat, PANELS, strict=True):
        for k, shown in enumerate((run, *kept)):
            series = shown.series()
            dash = DASHES[k % len(DASHES)]
            for colour, name in zip(OKABE_ITO, panel.outcomes, strict=False):
                if series.empty or name not in series:
                    continue
                label = i18n.outcome_label(name, lang)
                ax.plot(
                    series["year"],
                    series[name],
                    color=colour,
                    dashes=dash if k else (None, None),
                    marker="o" if not k else None,
                    markersize=3,
                    label=label if not k else f"{label} ({run_label(shown, lang)})",
                )
        for mark in marks:
            ax.axvline(mark["at"], color="0.3", linestyle=":", linewidth=1.0)
        ax.set_title(i18n.text(f"app.panel_{panel.key}", lang), loc="left")
        ax.set_ylabel(i18n.text(f"app.unit_{panel.unit}", lang))
        if panel.unit in ("share", "index"):
            ax.set_ylim(-0.02, 1.02)
        ax.set_xlim(0.5, years + 0.5)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(loc="best", fontsize=7)
    for ax in axes[1]:
        ax.set_xlabel(figure_text("year"))
    fig.suptitle(run_label(run, lang) + " · " + i18n.text("app.year_n", lang, year=run.year))
    return fig


def charts_png(run: Run, kept: Sequence[Run] = (), lang: str = "en") -> bytes:
    """:func:`charts_figure` as PNG bytes."""
    fig = charts_figure(run, kept, lang=lang)
    out = io.BytesIO()
    with mpl.rc_context({**STYLE, **language_rc(lang)}):
        fig.savefig(out, format="png", dpi=PNG_DPI)
    return out.getvalue()
