"""What the patterns rest on: each pattern's sensitivity to the assumptions, as a heatmap."""

from __future__ import annotations

import math

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from simcontract.experiment.robustness import RobustnessResult
from simcontract.plots.style import SEQUENTIAL_CMAP, figure, figure_text, pretty, styled


def columns(result: RobustnessResult, k: int = 20) -> list[str]:
    """The ``k`` assumptions with the largest index over all patterns, largest first."""
    table = _main_index(result)
    largest = table.groupby("parameter", sort=False)["value"].max().dropna()
    return largest.sort_values(ascending=False, kind="stable").head(k).index.tolist()


def _main_index(result: RobustnessResult) -> pd.DataFrame:
    table = result.sensitivity
    return table[table["index"] == result.index]


@styled
def robustness_heatmap(result: RobustnessResult, *, k: int = 20) -> Figure:
    """Patterns (rows) by assumptions (columns), coloured by the sensitivity index.

    Rows are the patterns in the analysis' order, each labelled with the share of
    points of the plausible region where it holds; columns are the ``k`` assumptions
    with the largest index over all patterns (:func:`columns`). The colour is the
    method's main index: RBD-FAST or Sobol indices on a fixed 0-1 scale (estimates
    below 0 shown as 0, above 1 as 1), Morris ``mu_star`` relative to the row's largest
    (its unit is the pattern's outcome's). A dot marks an index whose CI lies above 0;
    grey cells are assumptions both arms of the pattern hold fixed.

    Args:
        result: What :func:`~simcontract.experiment.robustness.robustness` returned.
        k: Most assumptions shown.

    Returns:
        The figure.
    """
    # With no estimate at all (too few points), the first k assumptions show, grey.
    names = columns(result, k) or list(dict.fromkeys(result.sensitivity["parameter"]))[:k]
    shares = result.shares.set_index("pattern")
    rows = list(shares.index)
    table = _main_index(result)
    values = table.pivot(index="pattern", columns="parameter", values="value")
    values = values.reindex(index=rows, columns=names)
    lows = table.assign(low=table["value"] - table["conf"]).pivot(
        index="pattern", columns="parameter", values="low"
    )
    lows = lows.reindex(index=rows, columns=names).to_numpy(dtype=float)
    grid = values.to_numpy(dtype=float)
    if result.method == "morris":
        with np.errstate(all="ignore"):
            grid = grid / np.nanmax(np.where(np.isfinite(grid), grid, np.nan), axis=1)[:, None]
    grid = np.clip(grid, 0.0, 1.0)

    labels = [pretty(n) for n in names]
    # Room below the cells for the upright assumption names (CJK characters are wide).
    longest = max((sum(1 + (ord(c) > 0x2E80) for c in t) for t in labels), default=0)
    fig = figure(2.6 + 0.3 * max(len(names), 4), 1.6 + 0.3 * max(len(rows), 3) + 0.05 * longest)
    ax = fig.add_subplot()
    cmap = mpl.colormaps[SEQUENTIAL_CMAP].with_extremes(bad="#dddddd")
    image = ax.imshow(
        np.ma.masked_invalid(grid),
        aspect="auto",
        cmap=cmap,
        vmin=0.0,
        vmax=1.0,
        interpolation="none",
    )
    for (row, col), low in np.ndenumerate(lows):
        if np.isfinite(low) and low > 0:
            dark = np.isfinite(grid[row, col]) and grid[row, col] < 0.5
            ax.text(col, row, "•", ha="center", va="center", color="white" if dark else "black")
    # Upright, each name under its own column: slanted, long names crossed their neighbours.
    ax.set_xticks(range(len(names)), labels, rotation=90, ha="center")
    ax.set_yticks(range(len(rows)), [_row_label(p, shares.loc[p]) for p in rows])
    ax.grid(False)
    ax.set_xlabel(figure_text("robustness_x", k=len(names)))
    fig.colorbar(image, ax=ax, shrink=0.8).set_label(
        figure_text(f"robustness_index_{result.index}")
    )
    settings = result.settings
    replications = settings.get("replications", "?")
    said = figure_text(
        "replications_one" if replications == 1 else "replications_many", n=replications
    )
    fig.suptitle(
        figure_text("robustness_title", points=settings.get("points", "?"), replications=said)
    )
    fig.supxlabel(figure_text("robustness_note"), fontsize=7, color="0.2")
    return fig


def _row_label(pattern: str, row: pd.Series) -> str:
    share = float(row["share"])
    said = "–" if math.isnan(share) else f"{share:.0%}"
    return figure_text("robustness_row", id=pattern, outcome=pretty(row["outcome"]), share=said)
