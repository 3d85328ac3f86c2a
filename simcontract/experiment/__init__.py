"""Experiments: designs, the batch runner, stored results, statistics, validation."""

from simcontract.experiment.runner import (
    KEY_OUTCOMES,
    ExperimentError,
    Results,
    _release,
    _show_progress,
    compare,
    load_results,
    markdown_table,
    run_seed,
    run_tasks,
    sweep,
)

__all__ = [
    "KEY_OUTCOMES",
    "ExperimentError",
    "Results",
    "_release",
    "_show_progress",
    "compare",
    "load_results",
    "markdown_table",
    "run_seed",
    "run_tasks",
    "sweep",
]
