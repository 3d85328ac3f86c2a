"""What a batch runs, and its record in a results directory.

A plan is one scenario per design point, each replicated. Its manifest
(``DIR/manifest.json``) records what was run, with which versions, and how each session
of the batch ended; its *identity* is what a resumed batch must share with the stored
one.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import sys
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from simcontract.codeversion import code_record
from simcontract.codeversion import model_code as model_code  # what batches fingerprint
from simcontract.codeversion import package_version as _version
from simcontract.experiment import integrity, lock, messages, storage
from simcontract.experiment.designs import Design
from simcontract.experiment.runner import (
    SEED_RULE,
    ExperimentError,
    check_flag,
    check_int,
    run_seed,
)
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
        self.series = check_flag(self.series, "series")

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
                "points": points_digest(self.points) if self.design else None,
                "seed": self.seed,
                "run_seeds": SEED_RULE,
                "replications": self.replications,
                "series": self.series,
                **code_record(),
            }
        )

    def manifest(self, started: str) -> dict[str, Any]:
        """A new manifest of the plan, with no session yet."""
        return {
            "format": storage.FORMAT,
            "kind": self.kind,
            "status": "running",
            "simcontract_version": _version("simcontract"),
            "python": sys.version.split()[0],
            "platform": platform.platform(),
            "versions": _versions(),
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


_IDENTITY = (
    "kind",
    "scenarios",
    "design",
    "points",
    "seed",
    "replications",
    "series",
    "simcontract_version",
    "model_code",
)
"""What a batch is, in the order a refusal to resume names them (``identity_<key>``
in the catalogue says each in words)."""

_RECORDED_LATER = ("model_code", "points")
"""Parts of the identity that batches stored by earlier versions lack: such a batch is
not told apart by them."""

_SAMPLERS = ("scipy", "SALib")
"""The libraries that draw a sampled design's points (LHS: SciPy; Sobol, Morris: SALib)."""

_said = partial(messages.error, "plan")


def points_digest(points: Sequence[dict[str, Any]]) -> str:
    """A fingerprint of a design's points (``sha256:`` and 16 hex digits): a sampled
    design's points come from its seed through SciPy or SALib, which may draw other
    points from the same seed in another version."""
    text = json.dumps(list(points), sort_keys=True, separators=(",", ":"), default=str)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()[:16]


def now() -> str:
    """The current UTC time, ISO 8601 to the second."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class DamageWarning(UserWarning):
    """A resumed batch found a damaged part; it set the part aside and runs its runs again."""


def check_directory(directory: Path, resume: bool) -> None:
    """Check the output directory (before its lock is taken, and again after).

    Raises:
        ExperimentError: ``directory`` is a file or cannot be created, lies in another batch's
            results folder, is in use by another batch
            (:class:`~simcontract.experiment.lock.FolderInUse`), holds something but a
            batch to resume, or holds one in a folder that cannot be written.
    """
    where = str(directory)
    if directory.exists() and not directory.is_dir():
        raise ExperimentError(_said("not_directory", where=repr(where)))
    if not directory.exists():
        _check_creatable(directory)
    for parent in directory.resolve().parents:
        if _holds_batch(parent):
            # Its outputs and its check would count this batch's files as its own.
            said = {"where": repr(where), "other": repr(str(parent))}
            raise ExperimentError(_said("in_another_batch", **said))
    lock.check_free(directory)
    if storage.is_empty(directory):
        return
    if not resume:
        raise ExperimentError(_said("not_empty", where=repr(where)))
    if not (directory / storage.MANIFEST).exists():
        raise ExperimentError(_said("no_manifest", where=repr(where)))
    _check_writable(directory)


def _holds_batch(folder: Path) -> bool:
    """Whether ``folder`` holds the results of a batch: a ``manifest.json`` of
    simcontract's (another program's file of that name does not count)."""
    try:
        manifest = json.loads((folder / storage.MANIFEST).read_bytes())
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and isinstance(manifest.get("identity"), dict)


def _check_creatable(directory: Path) -> None:
    """Check that the output directory can be made: its nearest existing ancestor is a
    directory this process can write in.

    Raises:
        ExperimentError: That ancestor is a file or cannot be written.
    """
    parent = directory.absolute().parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        said = {"where": repr(str(directory)), "parent": repr(str(parent))}
        raise ExperimentError(_said("cannot_create", **said))


def _check_writable(directory: Path) -> None:
    """Check that a batch to resume can write the folders it writes in (its own and
    those of its parts and figures): found only once runs are under way, one it cannot
    write would end the session with a file system error and nothing new stored.

    Raises:
        ExperimentError: ``directory`` or a folder in it is not writable.
    """
    names = (storage.RUNS, *storage.DETAILS, storage.DAMAGED, "figures")
    for folder in (directory, *(directory / name for name in names)):
        if folder.is_dir() and not os.access(folder, os.W_OK | os.X_OK):
            said = {"where": repr(str(directory)), "folder": repr(str(folder))}
            raise ExperimentError(_said("not_writable", **said))


def open_directory(
    directory: Path, plan: Plan, resume: bool, command: Sequence[str] | None
) -> dict[str, Any]:
    """Make ``directory`` ready for ``plan`` and record a new session in its manifest.

    Call it while holding the directory's lock (:func:`~simcontract.experiment.lock.hold`).
    When resuming, leftovers of the interrupted session are removed, damaged parts are
    set aside (each with a :class:`DamageWarning`), ``plan.done`` gets the intact runs
    and a session still recorded as running (its process was killed outright) is
    recorded as interrupted.

    Returns:
        The manifest as written.

    Raises:
        ExperimentError: ``directory`` is unusable, or holds another batch.
    """
    started = now()
    check_directory(directory, resume)  # again, now that no other batch can write there
    manifest = _stored_manifest(directory, plan, resume)
    if manifest is not None:
        storage.clean(directory)
        plan.done = _intact_runs(directory)
    else:
        manifest = plan.manifest(started)
    if command is not None:
        manifest["command"] = list(command)
        manifest["below_out"] = _below_out(directory, command)
    for session in manifest["sessions"]:
        if session.get("status") == "running":  # its process ended without closing it
            session["status"] = "interrupted"
    # Each session's own command and machine: the top-level command is the last one (the
    # resume hint), and a batch begun on one machine may be finished on another.
    manifest["sessions"].append(
        {
            "started": started,
            "finished": None,
            "status": "running",
            "command": list(command) if command is not None else None,
            "platform": platform.platform(),
            "python": sys.version.split()[0],
            "versions": _versions(),
        }
    )
    manifest["status"] = "running"
    manifest["outputs"] = None  # the tables and figures, listed once all are written
    directory.mkdir(parents=True, exist_ok=True)
    storage.write_manifest(directory, manifest)
    return manifest


def _intact_runs(directory: Path) -> set[tuple[int, int]]:
    """The runs stored intact; damaged parts are set aside with a warning each."""
    inventory = integrity.inspect(directory, full=True)
    aside = repr(str(directory / storage.DAMAGED))
    for why in inventory.damaged.values():
        said = messages.error("warnings", "damaged", why=why, folder=aside)
        warnings.warn(DamageWarning(said), stacklevel=3)
    integrity.set_aside(directory, inventory.damaged)
    return set(inventory.runs)


def close_session(directory: Path, manifest: dict[str, Any], status: str) -> None:
    """Record how the current session of the batch ended (``complete``, ``failed``...)."""
    finished = now()
    manifest["sessions"][-1].update(finished=finished, status=status)
    manifest["status"] = status
    if status == "complete":
        manifest["finished"] = finished
    storage.write_manifest(directory, manifest)


def _below_out(directory: Path, command: Sequence[str]) -> str | None:
    """Where the batch's folder lies below the command's ``--out`` (``"."``, or e.g.
    ``"runs"`` for a discovery's runs), so that a resume hint still names the folder
    after it has been moved or copied; ``None`` when the command has no such ``--out``."""
    out = integrity.out_argument(command)
    if out is None:
        return None
    try:
        return directory.resolve().relative_to(Path(out).resolve()).as_posix()
    except (OSError, ValueError):
        return None


def outputs_pending(directory: Path) -> None:
    """Record that the batch's tables and figures are being (re)written: until
    :func:`record_outputs`, ``simcontract check`` says they are not all written."""
    manifest = storage.read_manifest(directory)
    if manifest is not None:
        manifest["outputs"] = None
        manifest.pop("output_sha256", None)
        storage.write_manifest(directory, manifest)


def record_outputs(directory: Path) -> None:
    """List in the manifest every table and figure now in ``directory`` (every file but
    the runs, their details, the manifest and the lock), with its SHA-256: they are all
    written, and ``simcontract check`` reports any that go missing or change (a copy cut
    short, an edit)."""
    manifest = storage.read_manifest(directory)
    if manifest is None:
        return
    manifest["outputs"] = storage.outputs(directory)
    manifest["output_sha256"] = {
        name: storage.digest(directory / name) for name in manifest["outputs"]
    }
    storage.write_manifest(directory, manifest)


def add_outputs(directory: Path, paths: Iterable[Path]) -> None:
    """Add files just (re)drawn into ``directory`` to the manifest's tables and figures,
    with their digests, when those are listed (a redraw into a finished batch's folder):
    ``simcontract check`` then counts them as written, not as changed."""
    manifest = storage.read_manifest(directory)
    if manifest is None or manifest.get("outputs") is None:
        return
    root = Path(directory).resolve()
    digests = dict(manifest.get("output_sha256") or {})
    for path in paths:
        name = Path(path).resolve().relative_to(root).as_posix()
        digests[name] = storage.digest(Path(path))
    manifest["outputs"] = sorted({*manifest["outputs"], *digests})
    manifest["output_sha256"] = dict(sorted(digests.items()))
    storage.write_manifest(directory, manifest)


def replace_figures(
    directory: Path, folder: Path, paths: Iterable[Path], suffixes: Iterable[str]
) -> list[Path]:
    """Make ``paths``, just drawn into ``folder`` inside ``directory``, the figures the
    manifest lists there: a figure an earlier drawing listed in ``folder`` (a file
    ending in one of ``suffixes``) that this drawing did not make is deleted and
    unlisted, so that one folder never holds two drawings (in two languages, of two
    sets of outcomes, or a format left from before). Tables are left alone.

    Returns:
        The figures deleted.
    """
    manifest = storage.read_manifest(directory)
    if manifest is None or manifest.get("outputs") is None:
        return []
    root = Path(directory).resolve()
    inside = Path(folder).resolve().relative_to(root)
    if inside == Path("."):  # figures drawn beside the batch's own files: keep them all
        return []
    drawn = {Path(p).resolve().relative_to(root).as_posix() for p in paths}
    ends = tuple(f".{s.lower()}" for s in suffixes)
    stale = [
        name
        for name in manifest["outputs"]
        if Path(name).parent == inside and name.lower().endswith(ends) and name not in drawn
    ]
    gone = [root / name for name in stale if (root / name).is_file()]
    for path in gone:
        path.unlink()
    if stale:
        digests = manifest.get("output_sha256") or {}
        manifest["outputs"] = [n for n in manifest["outputs"] if n not in stale]
        manifest["output_sha256"] = {k: v for k, v in digests.items() if k not in stale}
        storage.write_manifest(directory, manifest)
    return gone


def _stored_manifest(directory: Path, plan: Plan, resume: bool) -> dict[str, Any] | None:
    """Return the directory's manifest when resuming into it (after checking it)."""
    where = str(directory)
    if not resume:
        return None
    manifest = storage.read_manifest(directory)
    if manifest is None:
        if storage.is_empty(directory):
            return None
        raise ExperimentError(_said("no_manifest", where=repr(where)))
    stored = manifest.get("identity", {})
    ours = plan.identity()
    if stored.get("run_seeds") != ours["run_seeds"]:
        raise ExperimentError(_said("old_seeds", where=repr(where)))
    differ = [k for k in _IDENTITY if k in stored or k not in _RECORDED_LATER]
    differ = [k for k in differ if stored.get(k) != ours[k]]
    settings = [k for k in differ if k not in ("simcontract_version", "model_code", "points")]
    if differ == ["points"]:
        order = _parameter_order(stored.get("design")), _parameter_order(ours.get("design"))
        if order[0] != order[1]:
            # Equal as mappings, but the design's points run in the order it names them.
            said = {"there": ", ".join(order[0]), "now": ", ".join(order[1])}
            raise ExperimentError(_said("design_order", where=repr(where), **said))
        # The same design, seed and code: the sampler drew other points.
        raise ExperimentError(_said("other_points", where=repr(where), **_samplers(manifest)))
    if settings:  # other settings draw other points: the points say nothing more
        differ = [k for k in differ if k != "points"]
    if "model_code" in differ and not settings:
        # A development version keeps its version number while its code changes. Other
        # settings are told first: "finish it with that code" would not finish another
        # batch.
        said = {"there": stored["model_code"], "now": ours["model_code"]}
        raise ExperimentError(_said("other_code", where=repr(where), **said))
    if differ:
        words = _said("identity_and").join(_said(f"identity_{k}") for k in differ)
        said = {"words": words, "difference": _difference(stored, ours, differ[0])}
        raise ExperimentError(_said("different", where=repr(where), **said))
    return manifest


def _parameter_order(design: Any) -> list[str]:
    """The parameters a stored design names, in its order (values, ranges, choices or
    inputs, in the order the design lists them)."""
    if not isinstance(design, dict):
        return []
    return [str(k) for value in design.values() if isinstance(value, dict) for k in value]


def _samplers(manifest: dict[str, Any]) -> dict[str, str]:
    """The versions of the samplers that drew a batch's points, and of those here."""
    first = (manifest.get("sessions") or [{}])[0].get("versions") or manifest.get("versions", {})
    return {
        "there": messages.listed(f"{p} {first.get(p, '?')}" for p in _SAMPLERS),
        "now": messages.listed(f"{p} {_version(p)}" for p in _SAMPLERS),
    }


_MISSING = object()


def _first_difference(a: Any, b: Any, path: tuple[Any, ...]) -> tuple[tuple[Any, ...], Any, Any]:
    """Where ``a`` and ``b`` first differ, and their values there."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in [*b, *(k for k in a if k not in b)]:
            if a.get(key, _MISSING) != b.get(key, _MISSING):
                return _first_difference(a.get(key, _MISSING), b.get(key, _MISSING), (*path, key))
    if isinstance(a, list) and isinstance(b, list):
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            if x != y:
                return _first_difference(x, y, (*path, i))
        if len(a) != len(b):
            return (*path, "length"), len(a), len(b)
    return path, a, b


def _difference(stored: dict[str, Any], ours: dict[str, Any], key: str) -> str:
    """The first difference of the identities under ``key``, in words."""
    path, was, now_ = _first_difference(stored.get(key, _MISSING), ours[key], (key,))
    rest = list(path[1:])
    where = key
    if key == "scenarios" and rest and isinstance(rest[0], int):
        name = ours["scenarios"][rest[0]]["name"] if rest[0] < len(ours["scenarios"]) else "?"
        where = _said("difference_scenario", i=rest.pop(0), name=repr(name))
        if rest[:1] == ["parameters"] and len(rest) == 2:
            where += _said("difference_parameter", name=repr(rest.pop()))
            rest = []
    if rest:
        where += " " + ".".join(str(r) for r in rest)

    def shown(value: Any) -> str:
        text = _said("difference_nothing") if value is _MISSING else json.dumps(value, default=str)
        return text if len(text) <= 60 else text[:57] + "..."

    return _said("difference", where=where, there=shown(was), now=shown(now_))


def _plain(value: Any) -> Any:
    return json.loads(json.dumps(value))


def recorded_code(manifest: Mapping[str, Any]) -> dict[str, str] | None:
    """The simcontract version and model code that made a batch's runs, as its manifest
    records them (``None`` for a manifest without a version; a model code it lacks,
    from a version that did not record one, is ``"unknown"``)."""
    version = manifest.get("simcontract_version")
    if not version:
        return None
    code = (manifest.get("identity") or {}).get("model_code") or "unknown"
    return {"simcontract_version": str(version), "model_code": str(code)}


_LIBRARIES = (
    "mesa",
    "numpy",
    "pandas",
    "pyarrow",
    "scipy",
    "SALib",
    "matplotlib",
    "fonttools",
    "pillow",
)
"""The libraries whose versions a manifest records: the runs depend on Mesa and NumPy,
their storage on pandas and pyarrow, a sampled design's points and the intervals on
SciPy and SALib, and the figures' bytes on Matplotlib, fontTools (the fonts a PDF
embeds) and Pillow (PNG)."""


def _versions() -> dict[str, str]:
    """The versions of the libraries a batch's results depend on (:data:`_LIBRARIES`)."""
    return {p: _version(p) for p in _LIBRARIES}
