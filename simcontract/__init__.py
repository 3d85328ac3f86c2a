"""simcontract: agent-based simulation of government contracting of social services.

Quick use::

    from simcontract import ContractingModel, compare, load_scenario
    model = ContractingModel("baseline", rng=1).run()
    model.summary()["ngo_survival"]      # the run's value of one outcome
    base = load_scenario("baseline")
    results = compare([base, base.replace(contract_years=1, name="one_year")])
    results.table(["staff_turnover"])    # mean and 95% CI per scenario
    results.contrasts(outcomes=["staff_turnover"])  # paired differences with CIs

The public names (:data:`__all__`; the API reference documents each):

* :class:`ContractingModel`: one run of a market (a Mesa ``Model``).
* :class:`Scenario`, :func:`load_scenario`, :class:`ScenarioError`: parameter values
  with dated rule changes, built in or from a TOML file.
* :data:`PARAMETERS`, :data:`OUTCOMES`: every parameter (unit, range, source) and every
  outcome (definition, unit).
* :func:`compare`, :func:`sweep`, :class:`Results`, :func:`load_results`,
  :class:`ExperimentError`: batches of replicated runs on common seeds, and their
  results in memory or on disk.
* :class:`Grid`, :class:`LatinHypercube`, :class:`Sobol`, :class:`Morris`,
  :class:`DesignError`: the designs of a sweep.
* ``__version__``: the installed version, to cite with a result.

:mod:`simcontract.experiment` holds the rest of the analysis (``contrasts``, ``levels``,
the codebook, statistics); :mod:`simcontract.plots` the figures.

Every name loads on first use: ``import simcontract`` alone loads neither the model nor
the batch runner's dependencies (pyarrow, SALib, scipy, Dask).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from simcontract.experiment.batches import compare, sweep
    from simcontract.experiment.designs import DesignError, Grid, LatinHypercube, Morris, Sobol
    from simcontract.experiment.results import Results, load_results
    from simcontract.experiment.runner import ExperimentError
    from simcontract.model import ContractingModel
    from simcontract.outcomes import OUTCOMES
    from simcontract.params import PARAMETERS
    from simcontract.scenario import Scenario, ScenarioError, load_scenario

_HOMES = {
    "simcontract.experiment.batches": ("compare", "sweep"),
    "simcontract.experiment.designs": ("DesignError", "Grid", "LatinHypercube", "Morris", "Sobol"),
    "simcontract.experiment.results": ("Results", "load_results"),
    "simcontract.experiment.runner": ("ExperimentError",),
    "simcontract.model": ("ContractingModel",),
    "simcontract.outcomes": ("OUTCOMES",),
    "simcontract.params": ("PARAMETERS",),
    "simcontract.scenario": ("Scenario", "ScenarioError", "load_scenario"),
}
_MODULE_OF = {name: module for module, names in _HOMES.items() for name in names}

__all__ = [
    "OUTCOMES",
    "PARAMETERS",
    "ContractingModel",
    "DesignError",
    "ExperimentError",
    "Grid",
    "LatinHypercube",
    "Morris",
    "Results",
    "Scenario",
    "ScenarioError",
    "Sobol",
    "__version__",
    "compare",
    "load_results",
    "load_scenario",
    "sweep",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        value: Any = _version()
    elif name in _MODULE_OF:
        value = getattr(importlib.import_module(_MODULE_OF[name]), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


def _version() -> str:
    """The version of the installed package: ``[project] version`` of pyproject.toml.

    From a source tree that was never installed, the same value is read from the tree's
    pyproject.toml ("0.0.0" if there is none).
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("simcontract")
    except PackageNotFoundError:  # running from a source tree without installing
        import tomllib
        from pathlib import Path

        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        try:
            return str(tomllib.loads(pyproject.read_text("utf-8"))["project"]["version"])
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            return "0.0.0"
