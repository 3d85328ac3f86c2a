"""An outcome against the one parameter a sweep varies: every run, and each design
point's mean with its interval."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from simcontract import i18n
from simcontract.experiment.stats import check_level, mean_ci, within_range
from simcontract.params import PARAMETERS
from simcontract.plots.data import (
    check_outcome,
    choice_order,
    error_lengths,
    replications_text,
    runs_with,
)
from simcontract.plots.style import (
    MIN_TEXT_SIZE,
    OKABE_ITO,
    axis_label,
    figure,
    figure_text,
    in_text,
    pretty,
    styled,
    value_label,
)


def _parameter_of(results: Any, runs: pd.DataFrame, parameter: str | None) -> str:
    """``parameter``, by default the one parameter the results' design varies."""
    if parameter is None:
        design = getattr(results, "design", None)
        params = list(design.parameters) if design is not None else []
        if len(params) != 1:
            raise ValueError(i18n.text("errors.plots.response_parameter"))
        parameter = params[0]
    if parameter not in runs:
        raise ValueError(i18n.text("errors.plots.no_column", name=repr(parameter)))
    return parameter


def _positions(values: pd.Series, name: str) -> tuple[pd.Series, list[Any] | None]:
    """Where each run sits on the horizontal axis: its value when a number, else the
    rank of its value (a choice, in the registry's order; a term whose 0 stands for
    "never" among its values, 0 last), with those values."""
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    param = PARAMETERS.get(name)
    never = numeric and param is not None and param.never_at_zero and bool((values == 0).any())
    if numeric and not never:
        return values.astype(float), None
    order = choice_order(name, list(pd.unique(values.dropna())))
    return values.map({v: i for i, v in enumerate(order)}).astype(float), order


@styled
def response(
    results: Any, outcome: str, parameter: str | None = None, *, level: float = 0.95
) -> Figure:
    """An outcome against one parameter of a sweep: every run as a dot, and each design
    point's mean with Student's t interval over its replications, joined in the
    parameter's order (intervals cut at the ends of the outcome's range).

    The figure of a sweep that varies one parameter over more points than a comparison
    names (a Latin hypercube, a long grid).

    Args:
        results: Results with ``runs`` (and ``design`` for the default parameter).
        outcome: Outcome on the vertical axis.
        parameter: Parameter on the horizontal axis (default: the one the design
            varies).
        level: Confidence level.

    Returns:
        The figure.
    """
    runs = runs_with(results, outcome)
    check_outcome(outcome, runs)
    level = check_level(level)
    parameter = _parameter_of(results, runs, parameter)
    x, order = _positions(runs[parameter], parameter)
    fig = figure(5.2, 3.4)
    ax = fig.add_subplot()
    ax.scatter(
        x,
        runs[outcome].astype(float),
        s=10,
        color="0.55",
        alpha=0.6,
        linewidths=0,
        zorder=3,  # above the means' line, which would hide runs near it
        label=figure_text("response_runs"),
    )
    points = pd.DataFrame({"x": x, "point": runs["point"]}).groupby("point")["x"].first()
    points = points.sort_values(kind="stable")
    cut = [
        within_range(mean_ci(runs.loc[runs["point"] == p, outcome], level), outcome)
        for p in points.index
    ]
    err = np.array([error_lengths(ci) for ci, _ in cut]).reshape(len(cut), 2).T
    ax.errorbar(
        points.to_numpy(),
        [ci.mean for ci, _ in cut],
        yerr=err,
        fmt="-o",
        markersize=4,
        capsize=2,
        color=OKABE_ITO[0],
        label=figure_text("response_means"),
    )
    if order is not None:
        ax.set_xticks(range(len(order)), [value_label(parameter, v) for v in order])
    ax.set_xlabel(axis_label(parameter, *([ax.xaxis] if order is None else [])))
    ax.set_ylabel(axis_label(outcome, ax.yaxis))
    ax.legend(loc="best", fontsize=MIN_TEXT_SIZE)
    title = figure_text(
        "response_title",
        outcome=pretty(outcome),
        parameter=in_text(parameter),
        level=f"{level:.0%}",
        replications=replications_text(runs),
    )
    fig.suptitle(title + (figure_text("intervals_cut") if any(was for _, was in cut) else ""))
    return fig
