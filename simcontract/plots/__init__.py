"""Standard figures of batch results, ready for publication.

Every figure function takes a results object (see :class:`simcontract.Results`) and
returns a :class:`matplotlib.figure.Figure`; nothing is shown and no global state
changes: the house style :data:`STYLE` applies only while a figure is drawn or saved,
and figures are made without pyplot, so any backend (or none) works. Every figure
function also takes ``lang=``: ``"en"`` (the default) or ``"zh_CN"`` for Simplified
Chinese titles, labels and names (from the catalogue of :mod:`simcontract.i18n`; the
Chinese font installs with the package), ``width_mm=`` (the width in millimetres, e.g. 85
for a journal's column; :func:`save` keeps it exactly) and ``title=False`` (no title
drawn; ``fig.get_suptitle()`` still gives its text, for the caption).

Quick use::

    from simcontract import compare, plots
    res = compare(["baseline", "beijing_piecemeal"], replications=30, series=True)
    fig = plots.compare_outcomes(res)
    plots.save(fig, "figures/outcomes")            # figures/outcomes.png and .pdf
    plots.draw_all(res, "figures")                 # every figure the results support
    plots.fan_chart(res, "staff_turnover", lang="zh_CN")  # in Chinese
    plots.fan_chart(res, "staff_turnover", width_mm=85, title=False)  # one column

What each figure reads from the results object (duck typing):

* ``runs``: one row per run with ``scenario``, ``point``, ``replication``, every
  parameter and every outcome (all figures but the network).
* ``series``: one row per run and year (:func:`fan_chart`).
* ``ngos``: rows of ``ContractingModel.ngo_table()`` with the run keys ``scenario``,
  ``point``, ``replication``, ``seed`` (:func:`survival_curves`,
  :func:`dependence_distribution`, :func:`contract_network`).
* ``contracts``: rows of ``ContractingModel.contract_table()`` with the same keys
  (:func:`contract_network`).
* ``design``: the sweep's design, if any (labels, :func:`heatmap` defaults);
  ``analyze()``: sensitivity indices (:func:`sensitivity`).

Design points are told apart by scenario name; when names repeat, by the parameters
that differ between points (for a sweep, the design's parameters). Each point keeps
the same colour in every figure of a batch, and each built-in scenario has one colour
in every figure of every batch (:data:`SCENARIO_COLOURS`); other scenarios and a
sweep's points take the colours the built-ins shown leave free, in order
(:func:`~simcontract.plots.style.group_colours`). Each point is also told apart without
colour, from its place in the batch: its lines by their dashes, its bands by dashed
edges, its bars by a pattern and its points by a marker
(:func:`~simcontract.plots.style.group_line_style`,
:func:`~simcontract.plots.style.group_hatch`, :func:`~simcontract.plots.style.group_marker`),
so figures read in greyscale.

Modules: :mod:`~simcontract.plots.style` (palette, matplotlib settings, labels),
:mod:`~simcontract.plots.data` (data shaping), one module per figure family
(``outcomes``, ``survival``, ``dependence``, ``turnover``, ``heatmaps``, ``response``,
``sensitivity_indices``, ``network``, ``robustness``, ``decomposition``,
``discovery``) and
:mod:`~simcontract.plots.export` (saving).
"""

from simcontract.experiment.stats import kaplan_meier
from simcontract.plots.data import ngo_lifetimes
from simcontract.plots.decomposition import decomposition_chart
from simcontract.plots.dependence import dependence_distribution
from simcontract.plots.discovery import discovery_box, discovery_scores, discovery_tradeoff
from simcontract.plots.export import MAX_LABELLED_POINTS, draw_all, save
from simcontract.plots.heatmaps import heatmap
from simcontract.plots.network import contract_network
from simcontract.plots.outcomes import compare_outcomes, fan_chart
from simcontract.plots.response import response
from simcontract.plots.robustness import robustness_heatmap
from simcontract.plots.sensitivity_indices import sensitivity
from simcontract.plots.style import (
    DPI,
    EXITED_COLOUR,
    OKABE_ITO,
    ORIGIN_COLOURS,
    ORIGIN_NAMES,
    PURCHASER_COLOURS,
    PURCHASER_MARKERS,
    PURCHASER_NAMES,
    SCENARIO_COLOURS,
    SEQUENTIAL_CMAP,
    STYLE,
    TIE_CMAP,
    axis_label,
    outcome_label,
    parameter_label,
)
from simcontract.plots.survival import survival_curves
from simcontract.plots.turnover import turnover_vs_contract_length

__all__ = [
    "DPI",
    "EXITED_COLOUR",
    "MAX_LABELLED_POINTS",
    "OKABE_ITO",
    "ORIGIN_COLOURS",
    "ORIGIN_NAMES",
    "PURCHASER_COLOURS",
    "PURCHASER_MARKERS",
    "PURCHASER_NAMES",
    "SCENARIO_COLOURS",
    "SEQUENTIAL_CMAP",
    "STYLE",
    "TIE_CMAP",
    "axis_label",
    "compare_outcomes",
    "contract_network",
    "decomposition_chart",
    "dependence_distribution",
    "discovery_box",
    "discovery_scores",
    "discovery_tradeoff",
    "draw_all",
    "fan_chart",
    "heatmap",
    "kaplan_meier",
    "ngo_lifetimes",
    "outcome_label",
    "parameter_label",
    "response",
    "robustness_heatmap",
    "save",
    "sensitivity",
    "survival_curves",
    "turnover_vs_contract_length",
]
