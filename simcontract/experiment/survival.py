"""NGO survival by group: Kaplan-Meier curves by origin or by entry cohort.

A run's ``ngo_survival`` covers the NGOs present at the start only. The NGO table of
results (:attr:`~simcontract.experiment.results.Results.ngos`) holds every NGO's origin
and life history, so survival curves of any group of NGOs follow from it: lifetimes end
at exit, and those still active are censored at the end of their run.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from simcontract.experiment import messages
from simcontract.experiment.stats import kaplan_meier

GROUPINGS = {"origin": "origin", "cohort": "entry_year"}
"""What :func:`survival_by` groups by, and the column of the NGO table it reads: an
NGO's entry cohort is its ``entry_year`` (0 for the NGOs present at the start)."""

CURVE_COLUMNS = ("time", "at_risk", "events", "survival", "low", "high")
"""Columns of one Kaplan-Meier curve (see :func:`~simcontract.experiment.stats.kaplan_meier`)."""


def kaplan_meier_by(lives: pd.DataFrame, groups: list[str], level: float = 0.95) -> pd.DataFrame:
    """A Kaplan-Meier curve for each group of lifetimes.

    Args:
        lives: One row per subject with columns ``lifetime``, ``observed`` (whether the
            lifetime ended in the event) and the ``groups`` columns.
        groups: The columns whose values define a group.
        level: Confidence level of the pointwise intervals.

    Returns:
        The ``groups`` columns, ``n`` (subjects in the group) and the curve's columns
        (``time``, ``at_risk``, ``events``, ``survival``, ``low``, ``high``), one row
        per group and distinct event time; a group without an event has no row.
    """
    columns = [*groups, "n", *CURVE_COLUMNS]
    parts = []
    for key, rows in lives.groupby(groups, sort=True, dropna=False):
        curve = kaplan_meier(rows["lifetime"], rows["observed"].astype(bool), level)
        for column, value in zip(groups, key, strict=True):
            curve[column] = value
        curve["n"] = len(rows)
        parts.append(curve[columns])
    if not parts:
        return pd.DataFrame(columns=columns)
    return pd.concat(parts, ignore_index=True)[columns]


def survival_by(results: Any, by: str = "origin", level: float = 0.95) -> pd.DataFrame:
    """Kaplan-Meier survival of NGOs by origin or by entry cohort, for each design point.

    NGOs of all replications of a point are pooled; an NGO's lifetime runs from its
    entry year to its exit, and one still active at its run's end is censored there.

    Args:
        results: Results kept with series (they hold the NGO table, ``ngos``).
        by: ``"origin"`` or ``"cohort"`` (the entry year; 0 for the initial NGOs).
        level: Confidence level of the pointwise log-log intervals.

    Returns:
        Columns ``point``, ``origin`` or ``cohort``, ``n`` and the curve's columns, one
        row per group and distinct exit time (see :func:`kaplan_meier_by`).

    Raises:
        ValueError: ``by`` is not one of :data:`GROUPINGS`, or the results hold no NGO
            table.
    """
    if by not in GROUPINGS:
        said = {"given": repr(by), "groupings": sorted(GROUPINGS)}
        raise ValueError(messages.error("types", "grouping", **said))
    # The lifetimes are those the survival figure draws; its module loads matplotlib.
    from simcontract.plots.data import ngo_lifetimes

    lives = ngo_lifetimes(results)
    lives[by] = lives[GROUPINGS[by]]
    return kaplan_meier_by(lives, ["point", by], level)
