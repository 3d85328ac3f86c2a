"""Checking a results folder part by part against its manifest.

A chunk of runs is stored as parts of one file name in ``runs/`` and, with series, in
``series/``, ``ngos/`` and ``contracts/``. :func:`inspect` opens every part (its Parquet
footer and schema), reads its rows and checks each run's identifiers against the
manifest: design point and replication in range, the seed the seed rule gives, the
scenario's name, no run stored twice; each run's parameter values against its design
point's, rebuilt from the manifest (a part copied from a batch of another design holds
runs of other values under the same identifiers); and the batch each part names in its
metadata against the manifest's (a part of a batch that differs only in what its runs
do not record, a dated rule change or the code, is told apart by that alone). A chunk
with any damaged part counts as damaged as a whole, so its runs count as missing:
``simcontract check`` reports them, a resumed batch sets them aside (:func:`set_aside`)
and runs them again, and loading refuses an incomplete folder unless asked for what
there is.
"""

from __future__ import annotations

import functools
import os
import shlex
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from simcontract import i18n
from simcontract.experiment import messages, storage
from simcontract.experiment.runner import run_seed

_said = partial(messages.error, "integrity")
_damage = partial(messages.error, "damage")
"""What is wrong with a part (``errors.damage.<key>``), in the language in use."""

_ID_TYPES = {
    "scenario": pa.string(),
    "point": pa.int64(),
    "replication": pa.int64(),
    "seed": pa.int64(),
}


_ENDINGS = ("complete", "interrupted", "failed")
"""The statuses a manifest ends with that a summary says in words
(``inventory.status_<status>`` of the catalogue)."""


@dataclass
class Inventory:
    """What a results folder holds, checked against its manifest.

    Attributes:
        directory: The folder.
        manifest: Its manifest.
        runs: Every intact run ``(point, replication)`` and the name of its part.
        damaged: Name of every damaged chunk (its parts' file name, or the name of a table
            whose folder is a file) and why, one line.
        unfinished: Detail parts without a runs part (left by an interrupted session).
    """

    directory: Path
    manifest: dict[str, Any]
    runs: dict[tuple[int, int], str] = field(default_factory=dict)
    damaged: dict[str, str] = field(default_factory=dict)
    unfinished: list[str] = field(default_factory=list)

    @property
    def n_runs(self) -> int:
        """Runs the batch has in all."""
        return int(self.manifest["n_points"]) * int(self.manifest["replications"])

    @property
    def parts(self) -> list[str]:
        """File names of the intact chunks, sorted."""
        return sorted(set(self.runs.values()))

    @property
    def complete(self) -> bool:
        """Every run is stored, intact, and the batch was closed as complete."""
        return (
            not self.damaged
            and len(self.runs) == self.n_runs
            and self.manifest.get("status") == "complete"
        )

    @property
    def finished(self) -> bool:
        """:attr:`complete`, and every table and figure of the batch is in the folder."""
        return (
            self.complete
            and self.outputs_written
            and not self.missing_outputs
            and not self.changed_outputs
        )

    @property
    def outputs_written(self) -> bool:
        """Whether the batch's tables and figures were all written (the manifest lists
        them once they are; a folder from before such lists counts as written)."""
        return "outputs" not in self.manifest or self.manifest["outputs"] is not None

    @property
    def missing_outputs(self) -> list[str]:
        """The tables and figures the manifest lists that are no longer in the folder."""
        listed = self.manifest.get("outputs") or []
        return [name for name in listed if not (self.directory / str(name)).is_file()]

    @functools.cached_property
    def changed_outputs(self) -> list[str]:
        """The tables and figures whose bytes differ from those written (a copy cut short,
        an edit); a folder from before digests were recorded has none."""
        digests = self.manifest.get("output_sha256") or {}
        return [
            name
            for name, sha in digests.items()
            if (self.directory / name).is_file() and storage.digest(self.directory / name) != sha
        ]

    @property
    def in_use(self) -> bool:
        """Whether another process holds the folder's lock now: its batch is still
        writing runs, tables or figures, so what is missing may yet come."""
        from simcontract.experiment.lock import is_locked

        return is_locked(self.directory)

    def status(self, lang: str | None = i18n.DEFAULT_LANGUAGE) -> str:
        """How the batch's last session ended (as its manifest says), in a few words, or
        that it is still being written (in ``lang``; ``None``: the language in use)."""
        if self.in_use:
            return i18n.text("inventory.status_in_use", lang)
        status = self.manifest.get("status")
        if status in ("running", *_ENDINGS):
            return i18n.text(f"inventory.status_{status}", lang)
        return i18n.text("inventory.status_other", lang, status=repr(status))

    def summary(self, lang: str | None = i18n.DEFAULT_LANGUAGE) -> str:
        """One line: runs stored and intact, damaged chunks, the batch's status (in
        ``lang``; ``None``: the language in use, as ``simcontract check --lang``)."""
        damaged = len(self.damaged)
        parts = ""
        if damaged:
            first = next(iter(self.damaged.values()))
            number = "one" if damaged == 1 else "many"
            parts = i18n.text(f"inventory.damaged_{number}", lang, n=damaged, first=first)
        outputs = ""
        if self.manifest.get("status") == "complete" and not self.in_use:
            total = len(self.manifest.get("outputs") or [])
            missing = self.missing_outputs
            if not self.outputs_written:
                outputs = i18n.text("inventory.outputs_unwritten", lang)
            else:
                changed = self.changed_outputs
                if missing:
                    said = {"n": len(missing), "total": total, "first": missing[0]}
                    outputs = i18n.text("inventory.outputs_missing", lang, **said)
                if changed:
                    said = {"n": len(changed), "total": total, "first": changed[0]}
                    key = "outputs_changed_too" if missing else "outputs_changed"
                    outputs += i18n.text(f"inventory.{key}", lang, **said)
        counts = {"stored": len(self.runs), "runs": self.n_runs, "damaged": parts}
        return i18n.text(
            "inventory.summary", lang, **counts, status=self.status(lang), outputs=outputs
        )

    def resume_hint(self) -> str:
        """How to finish the batch: its command line with ``--resume``, if recorded, with
        ``--out`` naming where the folder is now (it may have been moved or copied)."""
        return resume_command(self.manifest, self.directory) or _said("rerun")

    def other_code(self) -> str | None:
        """The fingerprint of the code that made the runs when it is not this code's
        (a resume under this code refuses the folder), else ``None``."""
        from simcontract.experiment.plan import model_code

        there = (self.manifest.get("identity") or {}).get("model_code")
        return there if isinstance(there, str) and there != model_code() else None

    def next_step(self) -> str:
        """What to do about an unfinished batch, as a clause: wait for the process that
        writes it now, or finish it with :meth:`resume_hint` (which that process's lock
        would refuse), under the code that made its runs."""
        from simcontract.experiment.plan import model_code

        if self.in_use:
            return _said("wait")
        if there := self.other_code():
            said = {"there": there, "now": model_code(), "hint": self.resume_hint()}
            return _said("finish_other_code", **said)
        return _said("finish", hint=self.resume_hint())


def resume_command(manifest: dict[str, Any], directory: Path | None = None) -> str | None:
    """The manifest's command line with ``--resume`` added, or ``None`` if not recorded;
    given the batch's ``directory``, its ``--out`` names the folder where it is now."""
    command = manifest.get("command")
    if not isinstance(command, list) or not command:
        return None
    words = [str(c) for c in command]
    below = manifest.get("below_out")
    if directory is not None and isinstance(below, str):
        out = Path(directory)
        for _part in Path(below).parts:
            out = out.parent
        words = _with_out(words, str(out))
    return shlex.join(words if "--resume" in words else [*words, "--resume"])


def out_argument(command: Sequence[str]) -> str | None:
    """The value of ``--out`` in a command line, or ``None``."""
    for i, word in enumerate(command):
        if word == "--out" and i + 1 < len(command):
            return command[i + 1]
        if word.startswith("--out="):
            return word.removeprefix("--out=")
    return None


def _with_out(words: list[str], out: str) -> list[str]:
    """``words`` with the value of ``--out`` replaced by ``out`` (when it differs)."""
    given = out_argument(words)
    if given is None or Path(given).resolve() == Path(out).resolve():
        return words
    changed = []
    for i, word in enumerate(words):
        if word.startswith("--out="):
            word = f"--out={out}"
        elif i > 0 and words[i - 1] == "--out":
            word = out
        changed.append(word)
    return changed


def inspect(directory: str | Path, *, full: bool = True) -> Inventory:
    """Check every part of a results folder against its manifest.

    Args:
        directory: The results folder.
        full: Read every column of every part (``simcontract check``, resume); else the
            detail tables' identifiers only (loading), which still reads each footer.

    Raises:
        DamagedResults: The manifest is damaged (then nothing can be checked).
        ExperimentError: ``directory`` holds no manifest.
    """
    directory = Path(directory)
    manifest = storage.read_manifest(directory)
    if manifest is None:
        raise storage.ExperimentError(_said("no_manifest", folder=repr(str(directory))))
    inventory = Inventory(directory, manifest)
    rules = _Rules(manifest)
    for table in (storage.RUNS, *(storage.DETAILS if manifest.get("series") else ())):
        folder = directory / table
        if (folder.exists() or folder.is_symlink()) and not folder.is_dir():
            inventory.damaged[table] = _damage("table_file", table=table)
    chunks: dict[str, set[tuple[int, int]]] = {}
    for path in storage.parts(directory / storage.RUNS):
        ids, problem = _check_part(path, storage.RUNS, rules, full=True)
        if problem is None:
            problem, ids = _repeats(ids, path.name, inventory.runs)
        if problem is not None:
            inventory.damaged[path.name] = _damage(
                "part", part=f"{storage.RUNS}/{path.name}", problem=problem
            )
            continue
        chunks[path.name] = ids
        inventory.runs.update(dict.fromkeys(ids, path.name))
    if manifest.get("series"):
        _check_details(directory, inventory, chunks, rules, full)
    return inventory


def _repeats(
    ids: set[tuple[int, int]] | None, name: str, seen: dict[tuple[int, int], str]
) -> tuple[str | None, set[tuple[int, int]]]:
    """A problem if a run of part ``name`` is stored in an earlier part too."""
    ids = ids or set()
    again = sorted(ids & seen.keys())
    if again:
        point, rep = again[0]
        said = {"n": len(again), "part": seen[again[0]], "point": point, "rep": rep}
        return _damage("repeats", **said), ids
    return None, ids


def _check_details(
    directory: Path,
    inventory: Inventory,
    chunks: dict[str, set[tuple[int, int]]],
    rules: _Rules,
    full: bool,
) -> None:
    """Check the detail parts of every intact chunk; mark chunks with a bad one."""
    for name in storage.DETAILS:
        folder = directory / name
        present = {p.name: p for p in storage.parts(folder)}
        inventory.unfinished += [
            f"{name}/{n}" for n in sorted(present) if n not in chunks and n not in inventory.damaged
        ]
        for chunk, ids in list(chunks.items()):
            path = present.get(chunk, folder / chunk)
            found, problem = _check_part(path, name, rules, full)
            if problem is None and name == storage.SERIES and found != ids:
                problem = _damage("series_missing")
            elif problem is None and not (found or set()) <= ids:
                problem = _damage("runs_extra")
            if problem is not None:
                inventory.damaged[chunk] = _damage("part", part=f"{name}/{chunk}", problem=problem)
                del chunks[chunk]
    inventory.runs = {run: part for run, part in inventory.runs.items() if part in chunks}


class _Rules:
    """What a run's identifiers must be, from the manifest."""

    def __init__(self, manifest: dict[str, Any]) -> None:
        self.n_points = int(manifest["n_points"])
        self.replications = int(manifest["replications"])
        self.seed = int(manifest["seed"])
        self._seeds: dict[int, int] = {}
        # A comparison names a scenario per point; a sweep's points share the base's name.
        self.names = pa.array([str(s["name"]) for s in manifest["scenarios"]], pa.string())
        self.sweep = manifest["kind"] == "sweep"
        self.outcomes = [str(o) for o in manifest.get("outcomes", [])]
        self.parameters = [str(p) for p in manifest["scenarios"][0].get("parameters", {})]
        self.tag = storage.batch_tag(manifest["identity"])
        self._manifest = manifest

    def columns(self, table: str) -> list[str] | None:
        """The columns a part of ``table`` must have (``None``: only the identifiers)."""
        if table == storage.RUNS:
            return [*storage.ID_COLUMNS, *self.parameters, *self.outcomes]
        if table == storage.SERIES:
            return [*storage.ID_COLUMNS, "year", *self.outcomes]
        return None

    def problem(self, table: pa.Table) -> str | None:
        """What is wrong with the identifiers of ``table``'s rows, if anything."""
        if table.num_rows == 0:
            return None
        if any(table.column(c).null_count for c in storage.ID_COLUMNS):
            return _damage("no_identifiers")
        point = table.column("point").to_numpy()
        rep = table.column("replication").to_numpy()
        if np.any((point < 0) | (point >= self.n_points)):
            return _damage("point_outside", last=self.n_points - 1)
        if np.any((rep < 0) | (rep >= self.replications)):
            return _damage("replication_outside", last=self.replications - 1)
        if np.any(self._seeds_of(rep) != table.column("seed").to_numpy()):
            return _damage("seed")
        expected = self.names[0] if self.sweep else self.names.take(pa.array(point))
        if not pc.all(pc.equal(table.column("scenario"), expected)).as_py():
            return _damage("scenario_name")
        return self._parameter_problem(table, point, rep)

    @functools.cached_property
    def _values(self) -> dict[str, np.ndarray]:
        """Every parameter's value at each design point, as a run stores it (empty when
        the manifest's design cannot be rebuilt)."""
        return {
            name: np.array(values, dtype=object if isinstance(values[0], str) else None)
            for name, values in _point_values(self._manifest, self.n_points).items()
            if values
        }

    def _parameter_problem(self, table: pa.Table, point: np.ndarray, rep: np.ndarray) -> str | None:
        """What is wrong with the parameter values of ``table``'s rows, if anything."""
        present = set(table.column_names)
        for name in self.parameters:
            if name not in present or name not in self._values:
                continue
            column = table.column(name)
            wanted = self._values[name][point]
            if column.null_count:
                differ = np.flatnonzero(column.is_null().to_numpy(zero_copy_only=False))
            else:
                # NumPy, not Arrow: a hundred parameters per part, each compared at once.
                differ = np.flatnonzero(column.to_numpy() != wanted)
            if differ.size:
                i = int(differ[0])
                said = {
                    "value": repr(column[i].as_py()),
                    "wanted": repr(wanted[i : i + 1].tolist()[0]),
                }
                return _damage("parameter", name=name, **said, point=point[i], rep=rep[i])
        return None

    def _seeds_of(self, reps: np.ndarray) -> np.ndarray:
        """The run seed of each replication in ``reps`` (computed once per replication)."""
        unique, where = np.unique(reps, return_inverse=True)
        for rep in unique.tolist():
            if rep not in self._seeds:
                self._seeds[rep] = run_seed(self.seed, rep)
        return np.array([self._seeds[r] for r in unique.tolist()], np.int64)[where]

    def runs(self, table: pa.Table, by_year: bool) -> tuple[set[tuple[int, int]], bool]:
        """The runs ``(point, replication)`` of ``table``'s rows, and whether a run (or,
        ``by_year``, a run's year) appears twice."""
        point = table.column("point").to_numpy()
        rep = table.column("replication").to_numpy()
        keys = np.stack([point, rep, *([table.column("year").to_numpy()] if by_year else [])])
        unique = np.unique(keys, axis=1) if keys.size else keys
        runs = {(int(p), int(r)) for p, r in np.unique(keys[:2], axis=1).T} if keys.size else set()
        return runs, unique.shape[1] != keys.shape[1]


def _point_values(manifest: dict[str, Any], n_points: int) -> dict[str, list[Any]]:
    """Each parameter's value at every design point, as a run stores it: a comparison's
    scenarios, or a sweep's base scenario changed by each point of its design (rebuilt
    from its description). Empty when the manifest does not allow it (then nothing is
    checked)."""
    from simcontract.experiment.designs import from_description
    from simcontract.params import PARAMETERS

    try:
        scenarios = [dict(s["parameters"]) for s in manifest["scenarios"]]
        names = [n for n in scenarios[0] if n in PARAMETERS]
        if manifest["kind"] == "sweep":
            points = from_description(manifest["design"]).points()
            varied, base = set(points[0]) if points else set(), scenarios[0]
        else:
            points, varied, base = scenarios, set(names), {}
        if len(points) != n_points:
            return {}
        # As the registry checks a scenario's values: ints, floats and choices as stored.
        check = {n: PARAMETERS[n].check for n in names}
        values = {n: [check[n](base[n])] * n_points for n in names if n not in varied}
        values.update({n: [check[n](p[n]) for p in points] for n in names if n in varied})
        return values
    except Exception:  # a manifest this version cannot rebuild: the other checks stand
        return {}


def _check_part(
    path: Path, table: str, rules: _Rules, full: bool
) -> tuple[set[tuple[int, int]] | None, str | None]:
    """The runs ``(point, replication)`` a part holds, or a one-line problem."""
    if not path.exists():
        return None, _damage("missing")
    if not path.is_file():
        return None, _damage("folder" if path.is_dir() else "not_file")
    if path.stat().st_size == 0:
        return None, _damage("empty")
    series = table == storage.SERIES
    try:
        parquet = pq.ParquetFile(path, **storage.VERIFY)
        problem = _schema_problem(parquet.schema_arrow, rules.columns(table), table)
        if problem:
            return None, problem
        tag = storage.part_tag(parquet.schema_arrow)
        columns = None if full else [*storage.ID_COLUMNS, *(["year"] if series else [])]
        data = parquet.read(columns=columns)
        rows = parquet.metadata.num_rows
        problem = rules.problem(data)
        runs, twice = rules.runs(data, by_year=series)
    except Exception as err:  # any failure to decode means the file is damaged
        return None, _damage("not_parquet", reason=i18n.os_reason(err, _first_line(err)))
    if data.num_rows != rows:
        return None, _damage("rows", n=data.num_rows, footer=rows)
    if table == storage.RUNS and data.num_rows == 0:
        return None, _damage("no_run")
    if problem:
        return None, problem
    if twice and table in (storage.RUNS, storage.SERIES):
        return None, _damage("twice")
    # Last: the checks above say what differs, where they can. An untagged part predates
    # tags.
    if tag is not None and tag != rules.tag:
        return None, _said("other_batch", tag=tag, ours=rules.tag)
    return runs, None


def _schema_problem(schema: pa.Schema, columns: list[str] | None, table: str) -> str | None:
    names = schema.names
    for column, kind in _ID_TYPES.items():
        if column not in names:
            return _damage("lacks_column", column=repr(column))
        if schema.field(column).type != kind:
            said = {"column": repr(column), "kind": schema.field(column).type, "wanted": kind}
            return _damage("column_type", **said)
    if columns is not None and sorted(names) != sorted(columns):
        extra = sorted(set(names) - set(columns))
        missing = sorted(set(columns) - set(names))
        if missing:
            return _damage("lacks_manifest_column", column=repr(missing[0]), table=table)
        return _damage("extra_column", column=repr(extra[0]), table=table)
    return None


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0][:200] if text else type(err).__name__


def set_aside(directory: Path, chunks: Iterable[str]) -> list[Path]:
    """Move every part of the damaged ``chunks`` into ``DIR/damaged/`` (nothing is deleted).

    Returns:
        Where the parts went.
    """
    moved = []
    tables = (storage.RUNS, *storage.DETAILS)
    for chunk in chunks:
        if chunk in tables:  # a file where the table's folder belongs
            sources = [(directory / chunk, directory / storage.DAMAGED / chunk)]
        else:
            sources = [
                (directory / table / chunk, directory / storage.DAMAGED / table / chunk)
                for table in tables
            ]
        for source, target in sources:
            if not (source.exists() or source.is_symlink()):
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            n = 1
            while target.exists() or target.is_symlink():
                target = target.with_name(f"{source.name}.{n}")
                n += 1
            os.replace(source, target)
            moved.append(target)
    return moved
