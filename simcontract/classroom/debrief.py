"""The debrief: the students' NGOs against the simulated ones, in a table and charts.

The comparison takes the NGOs present in the session's first year, so students' NGOs
(drawn from them) meet simulated NGOs that started alike; NGOs that entered later are
left out. An NGO-year counts for the students when a student headed the NGO that year
(an NGO a student took over in year 2 was simulated in year 1). Survival follows NGOs
over the years, so it compares the NGOs students headed from year 1 with the NGOs no
student ever headed: an NGO taken over later was chosen because it was still active.
Each measure is defined in :data:`MEASURES`.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from simcontract import i18n
from simcontract.classroom.logbook import _columns
from simcontract.plots import style

if TYPE_CHECKING:
    from simcontract.classroom.logbook import Logbook

FIGURES = ("survival", "reserves", "turnover")
"""The debrief's charts, each a share or mean per year for both groups."""

MEASURES = (
    "ngos",
    "survival",
    "reserves",
    "won",
    "bids",
    "price",
    "promise",
    "turnover",
    "dependence",
    "advocacy",
    "cultivation",
    "documentation",
    "extra",
)
"""The debrief table's rows: NGOs compared (with at least one year in the group);
share still active at the end (of the NGOs headed from year 1, or never headed); mean
reserves at the end (10,000 CNY, active NGOs); contracts won per NGO-year; bids per
NGO-year; mean bid price (share of the ceiling) and promised hours (share of the
required hours) over all bids; staff turnover (workers who quit over workers employed,
pooled); mean government share of revenue; mean share of own hours given to advocacy;
mean hours courting officials, hours of documentation and hours of extra duties per
NGO-year."""


def ngo_years(book: Logbook) -> pd.DataFrame:
    """The logged NGO-years of the NGOs present in the first year.

    Returns:
        The rows of ``ngos.parquet`` with ``group`` (``students`` when a student headed
        the NGO that year, else ``simulated``) and ``cohort``, the NGO's group for
        survival (``students``: headed from the first year; ``simulated``: never
        headed; empty: taken over later).
    """
    frame = pd.DataFrame(book.ngos, columns=_columns("ngos"))
    if frame.empty:
        return frame.assign(group=pd.Series(dtype=str), cohort=pd.Series(dtype=str))
    first = frame[frame["year"] == frame["year"].min()]
    frame = frame[frame["ngo"].isin(first["ngo"])].copy()
    frame["group"] = np.where(frame["seat"] > 0, "students", "simulated")
    from_start = frame["ngo"].isin(first.loc[first["seat"] > 0, "ngo"])
    ever = frame["ngo"].isin(frame.loc[frame["seat"] > 0, "ngo"])
    frame["cohort"] = np.select([from_start, ~ever], ["students", "simulated"], "")
    return frame


def survival(ngos: pd.DataFrame, cohort: str) -> pd.Series:
    """Per year of the session, the share of the ``cohort``'s NGOs never closed up to
    that year (NaN for an empty cohort)."""
    years = sorted(ngos["year"].unique())
    rows = ngos[ngos["cohort"] == cohort]
    count = rows["ngo"].nunique()
    closed = rows[~rows["alive"].astype(bool)].groupby("ngo")["year"].min()
    shares = [1.0 - (closed <= year).sum() / count if count else np.nan for year in years]
    return pd.Series(shares, index=pd.Index(years, name="year"), dtype=float)


def _measure(rows: pd.DataFrame, name: str, end: int) -> float:
    if rows.empty:
        return float("nan")
    last = rows[rows["year"] == end]
    alive = rows[rows["alive"]]
    if name == "ngos":
        return float(rows["ngo"].nunique())
    if name == "reserves":
        return float(last.loc[last["alive"], "reserves"].mean() / 1e4)
    if name in ("price", "promise"):
        made = alive[alive["bids"] > 0]
        weights = made["bids"].sum()
        return float((made[name] * made["bids"]).sum() / weights) if weights else float("nan")
    if name == "turnover":
        employed = alive["staff"].sum() + alive["quits"].sum()
        return float(alive["quits"].sum() / employed) if employed else float("nan")
    return float(alive[name].mean())


def comparison(ngos: pd.DataFrame) -> pd.DataFrame:
    """One row per measure (:data:`MEASURES`), columns ``students`` and ``simulated``."""
    end = int(ngos["year"].max()) if len(ngos) else 0
    out = {
        group: [
            float(survival(ngos, group).iloc[-1])
            if m == "survival" and len(ngos)
            else _measure(ngos[ngos["group"] == group], m, end)
            for m in MEASURES
        ]
        for group in ("students", "simulated")
    }
    return pd.DataFrame(out, index=list(MEASURES))


def comparison_rows(ngos: pd.DataFrame, lang: str) -> list[dict[str, Any]]:
    """The comparison for the dashboard: label and both values, formatted."""
    table = comparison(ngos) if len(ngos) else pd.DataFrame()
    rows = []
    for m in MEASURES:
        values = table.loc[m] if m in table.index else {"students": None, "simulated": None}
        rows.append(
            {
                "measure": m,
                "label": i18n.text(f"classroom.debrief.{m}", lang),
                "students": _fmt(m, values["students"]),
                "simulated": _fmt(m, values["simulated"]),
            }
        )
    return rows


def _fmt(measure: str, value: float | None) -> str:
    if value is None or value != value:
        return "—"
    if measure in ("survival", "turnover", "dependence", "advocacy", "price", "promise"):
        return f"{100 * value:.0f}%"
    if measure == "ngos":
        return f"{value:.0f}"
    return f"{value:,.1f}" if measure in ("reserves", "won", "bids") else f"{value:,.0f}"


def yearly(ngos: pd.DataFrame, name: str) -> pd.DataFrame:
    """Per year and group: share still active (``survival``, see :func:`survival`),
    mean reserves of the active (``reserves``, 10,000 CNY) or staff turnover
    (``turnover``)."""
    if name == "survival":
        shares = {g: survival(ngos, g) for g in ("students", "simulated")}
        return pd.DataFrame({g: s for g, s in shares.items() if s.notna().any()})
    out = {}
    for group, rows in ngos.groupby("group"):
        if name == "reserves":
            out[group] = rows[rows["alive"]].groupby("year")["reserves"].mean() / 1e4
        else:
            alive = rows[rows["alive"]].groupby("year")
            quits = alive["quits"].sum()
            out[group] = quits / (alive["staff"].sum() + quits)
    return pd.DataFrame(out)


@style.styled
def figure(name: str, ngos: pd.DataFrame):
    """One debrief chart (:data:`FIGURES`) in the language in use."""
    lang = i18n.current()
    fig = style.figure(5.0, 3.0)
    ax = fig.add_subplot()
    table = yearly(ngos, name) if len(ngos) else pd.DataFrame()
    colours = {"students": "#d95f02", "simulated": "#7570b3"}
    for group in ("students", "simulated"):
        if group in table:
            label = i18n.text(f"classroom.debrief.{group}", lang)
            ax.plot(table.index, table[group], marker="o", color=colours[group], label=label)
    ax.set_title(i18n.text(f"classroom.debrief.chart_{name}", lang))
    ax.set_xlabel(i18n.text("classroom.year_axis", lang))
    if len(table):
        ax.set_xticks([int(year) for year in table.index])
    if name in ("survival", "turnover"):
        ax.set_ylim(0, 1.05)
    if len(table):
        ax.legend()
    return fig


def figure_png(name: str, ngos: pd.DataFrame, lang: str) -> bytes:
    """One debrief chart as PNG bytes."""
    fig = figure(name, ngos, lang=lang)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=110)
    return out.getvalue()
