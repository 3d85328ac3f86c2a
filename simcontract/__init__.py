"""simcontract: agent-based simulation of government contracting of social services.

Quick use::

    from simcontract import ContractingModel
    model = ContractingModel("baseline", rng=1).run()
    model.summary()["ngo_survival"]
"""

from importlib.metadata import PackageNotFoundError, version

from simcontract.metrics import OUTCOMES
from simcontract.model import ContractingModel
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
    "Scenario",
    "ScenarioError",
    "__version__",
    "load_scenario",
]
