"""What a batch runs, and its record in a results directory.

A plan is one scenario per design point, each replicated. Its manifest
(``DIR/manifest.json``) records what was run, with which versions, and how each session
of the batch ended; its *identity* is what a resumed batch must share with the stored
one.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from simcontract.experiment import storage
from simcontract.experiment.designs import Design
from simcontract.experiment.runner import SEED_RULE, ExperimentError, check_int, run_seed
from simcontract.outcomes import OUTCOMES
from simcontract.scenario import Scenario

Task = tuple[int, int, int, Scenario]
"""One run: design point, replication, run seed, scenario."""


@dataclass
class Plan:
    """What a batch runs: one scenario per design point, each replicated.

    Attributes:
        kind: ``"compare"`` or ``"sweep"``.
        scenarios: The scenarios compared, or the base scenario of a sweep.
        design: The sweep's design (``None`` for a comparison).
        points: The parameter values of each design point (empty for a comparison).
        replications: Runs per design point.
        seed: Base seed of the run seeds (:func:`~simcontract.experiment.runner.run_seed`).
        series: Whether runs keep their yearly series and final tables.
        done: ``(point, replication)`` of runs already stored (a resumed batch).
    """

    kind: str
    scenarios: list[Scenario]
    design: Design | None
    points: list[dict[str, Any]]
    replications: int
    seed: int
    series: bool
    done: set[tuple[int, int]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.replications = check_int(self.replications, "replications", 1)
        self.seed = check_int(self.seed, "seed", 0)
        self.series = bool(self.series)

    @property
    def n_points(self) -> int:
        """Design points."""
        return len(self.points) if self.design is not None else len(self.scenarios)

    @property
    def n_runs(self) -> int:
        """Runs in all."""
        return self.n_points * self.replications

    def scenario(self, point: int) -> Scenario:
        """The scenario of design point ``point``."""
        if self.design is None:
            return self.scenarios[point]
        return self.scenarios[0].replace(**self.points[point])

    def tasks(self) -> Iterator[Task]:
        """Runs not yet done, in point-then-replication order."""
        seeds = [run_seed(self.seed, r) for r in range(self.replications)]
        for point in range(self.n_points):
            reps = [r for r in range(self.replications) if (point, r) not in self.done]
            if reps:
                scenario = self.scenario(point)
                yield from ((point, r, seeds[r], scenario) for r in reps)

    def identity(self) -> dict[str, Any]:
        """What a resumed batch must share with the stored one."""
        return _plain(
            {
                "kind": self.kind,
                "scenarios": [s.to_dict() for s in self.scenarios],
                "design": self.design.describe() if self.design else None,
                "seed": self.seed,
                "run_seeds": SEED_RULE,
                "replications": self.replications,
                "series": self.series,
                "simcontract_version": _version("simcontract"),
            }
        )

    def manifest(self, started: str) -> dict[str, Any]:
        """A new manifest of the plan, with no session yet."""
        return {
            "format": "simcontract-results/1",
            "kind": self.kind,
            "status": "running",
            "simcontract_version": _version("simcontract"),
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "versions": {p: _version(p) for p in ("mesa", "numpy", "pandas", "pyarrow", "SALib")},
            "scenarios": [s.to_dict() for s in self.scenarios],
            "design": self.design.describe() if self.design else None,
            "n_points": self.n_points,
            "replications": self.replications,
            "n_runs": self.n_runs,
            "seed": self.seed,
            "run_seeds": SEED_RULE,
            "series": self.series,
            "outcomes": list(OUTCOMES),
            "identity": self.identity(),
            "started": started,
            "finished": None,
            "sessions": [],
        }


_IDENTITY_WORDS = {
    "kind": "kind of batch (compare or sweep)",
    "scenarios": "scenario",
    "design": "design",
    "seed": "base seed",
    "replications": "number of replications",
    "series": "series option",
    "simcontract_version": "simcontract version",
}


def now() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def open_directory(
    directory: Path, plan: Plan, resume: bool, command: Sequence[str] | None
) -> dict[str, Any]:
    """Make ``directory`` ready for ``plan`` and record a new session in its manifest.

    When resuming, leftovers of the interrupted session are removed and ``plan.done``
    gets the runs already stored.

    Returns:
        The manifest as written.

    Raises:
        ExperimentError: ``directory`` is unusable, or holds another batch.
    """
    started = now()
    manifest = _stored_manifest(directory, plan, resume)
    if manifest is not None:
        storage.clean(directory)
        plan.done = storage.done_runs(directory)
    else:
        manifest = plan.manifest(started)
    if command is not None:
        manifest["command"] = list(command)
    manifest["sessions"].append({"started": started, "finished": None, "status": "running"})
    manifest["status"] = "running"
    directory.mkdir(parents=True, exist_ok=True)
    storage.write_manifest(directory, manifest)
    return manifest


def close_session(directory: Path, manifest: dict[str, Any], status: str) -> None:
    """Record how the current session of the batch ended (``complete``, ``failed``...)."""
    finished = now()
    manifest["sessions"][-1].update(finished=finished, status=status)
    manifest["status"] = status
    if status == "complete":
        manifest["finished"] = finished
    storage.write_manifest(directory, manifest)


def _stored_manifest(directory: Path, plan: Plan, resume: bool) -> dict[str, Any] | None:
    """Check the output directory; return its manifest when resuming into it."""
    where = str(directory)
    if directory.exists() and not directory.is_dir():
        raise ExperimentError(f"output {where!r} exists and is not a directory")
    manifest = storage.read_manifest(directory) if directory.is_dir() else None
    if not resume:
        if not storage.is_empty(directory):
            raise ExperimentError(
                f"output directory {where!r} is not empty; use resume to finish an "
                "interrupted batch there, or choose another directory"
            )
        return None
    if manifest is None:
        if storage.is_empty(directory):
            return None
        raise ExperimentError(
            f"cannot resume in {where!r}: it holds no manifest.json, so it is not a "
            "results directory"
        )
    stored = manifest.get("identity", {})
    ours = plan.identity()
    if stored.get("run_seeds") != ours["run_seeds"]:
        raise ExperimentError(
            f"cannot resume in {where!r}: its runs were seeded by an earlier rule (now "
            "replication r has the same seed at every design point); run the batch "
            "again in another directory"
        )
    differ = [_IDENTITY_WORDS[k] for k in _IDENTITY_WORDS if stored.get(k) != ours[k]]
    if differ:
        raise ExperimentError(
            f"cannot resume in {where!r}: its manifest.json records a different "
            f"{' and '.join(differ)}; rerun with the same settings or choose another "
            "directory"
        )
    return manifest


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value))


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"
