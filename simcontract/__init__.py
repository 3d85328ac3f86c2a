"""simcontract: agent-based simulation of government contracting of social services.

Quick use::

    from simcontract import ContractingModel
    model = ContractingModel("baseline", rng=1).run()
    model.summary()["ngo_survival"]
"""

from importlib.metadata import PackageNotFoundError, version

from simcontract.experiment import ExperimentError, Results, compare, load_results, sweep
from simcontract.experiment.designs import DesignError, Grid, LatinHypercube, Morris, Sobol
from simcontract.model import ContractingModel
from simcontract.outcomes import OUTCOMES
from simcontract.params import PARAMETERS
from simcontract.scenario import Scenario, ScenarioError, load_scenario

try:
    __version__ = version("simcontract")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0"

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
