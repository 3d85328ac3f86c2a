"""Experiments: designs, the batch runner, stored results, statistics, validation.

Modules:

* :mod:`~simcontract.experiment.designs`: which parameter values a sweep runs.
* :mod:`~simcontract.experiment.runner`: the one runner of every batch (serial, local
  processes or any executor) and the seed rule.
* :mod:`~simcontract.experiment.batches`: :func:`compare` and :func:`sweep`.
* :mod:`~simcontract.experiment.plan`: what a batch runs and its manifest.
* :mod:`~simcontract.experiment.results`: :class:`Results` and summary tables.
* :mod:`~simcontract.experiment.comparison`: levels, and contrasts against a reference
  with paired CIs.
* :mod:`~simcontract.experiment.codebook`: what every outcome means, comparable forms.
* :mod:`~simcontract.experiment.report`: the comparison as printed and as ``table.md``.
* :mod:`~simcontract.experiment.exports`: CSV, Stata and codebook files of a folder.
* :mod:`~simcontract.experiment.storage`: the on-disk layout of a results directory.
* :mod:`~simcontract.experiment.integrity`: a results directory checked part by part.
* :mod:`~simcontract.experiment.lock`: one batch at a time writes a results directory.
* :mod:`~simcontract.experiment.atomic`: every file written whole or not at all.
* :mod:`~simcontract.experiment.limits`: a batch's size checked before it starts.
* :mod:`~simcontract.experiment.stats`: means, t intervals, paired differences.
* :mod:`~simcontract.experiment.survival`: NGO survival curves by origin or entry cohort.
* :mod:`~simcontract.experiment.validation`: the stylised facts and the calibration.
* :mod:`~simcontract.experiment.robustness`: the stylised facts over the assumptions'
  plausible region, and what they rest on (:mod:`~simcontract.experiment.robustness_indices`).
* :mod:`~simcontract.experiment.bayes`: Bayesian calibration by ABC-SMC (needs pyabc).
* :mod:`~simcontract.experiment.decomposition`: the gap between two scenarios split
  among the rules that differ (Shapley values).
* :mod:`~simcontract.experiment.discovery`: scenario discovery, the boxes of rules
  where runs meet a condition (PRIM, needs the EMA workbench), with
  :mod:`~simcontract.experiment.conditions` (conditions on outcomes).
* :mod:`~simcontract.experiment.split`: one run of a many-city market over processes.

Names load on first use, so importing the package costs little.
"""

from __future__ import annotations

import importlib
from typing import Any

_HOMES = {
    "batches": ("compare", "run_tasks", "sweep"),
    "bayes": ("Posterior", "calibrate_abc", "predictive_check"),
    "comparison": ("contrasts", "levels", "reference_point", "scenario_facts"),
    "decomposition": ("decompose", "format_decomposition"),
    "discovery": ("Discovery", "discover", "discovery_design", "format_discovery"),
    "designs": (
        "Design",
        "DesignError",
        "DesignWarning",
        "Grid",
        "LatinHypercube",
        "Morris",
        "Sobol",
    ),
    "results": ("KEY_OUTCOMES", "Results", "load_results", "markdown_table"),
    "runner": (
        "SEED_RULE",
        "ClusterLost",
        "ExperimentError",
        "ForeignCode",
        "Interrupted",
        "Progress",
        "WorkerLost",
        "run_seed",
        "run_units",
        "show_progress",
        "tick",
    ),
    "split": ("SplitRun", "run_split"),
    "stats": ("Interval", "kaplan_meier", "mean_ci", "paired_difference"),
    "survival": ("kaplan_meier_by", "survival_by"),
    "validation": ("calibrate", "validate"),
}
_MODULE_OF = {name: module for module, names in _HOMES.items() for name in names}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
