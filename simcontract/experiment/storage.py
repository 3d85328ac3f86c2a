"""On-disk layout of a batch of runs.

A results directory holds::

    DIR/manifest.json              what was run, with which versions, and its status
    DIR/runs/part-*.parquet        one row per run (see :func:`runs_schema`)
    DIR/series/part-*.parquet      one row per run and year, when series were asked for
    DIR/ngos/part-*.parquet        one row per run and NGO, likewise
    DIR/contracts/part-*.parquet   one row per run and final contract, likewise
    DIR/table.csv                  mean and 95% CI per outcome per point, when complete
    DIR/runs.csv, DIR/runs.dta     one row per run (CSV, Stata), when complete
    DIR/codebook.md, .json         what every outcome means, when complete

    DIR/.simcontract.lock          the lock a batch holds while it writes (see ``lock``)
    DIR/damaged/                   parts a resumed batch found damaged and set aside

Every file is written under a temporary dot-name in its final folder and then renamed
over its final name (:mod:`~simcontract.experiment.atomic`), so a reader (or a resumed
batch after a crash) never sees a half-written file. A series part is written before the
runs part of the same name; a run counts as done once its row is in a runs part. Every
part names the batch that wrote it in its Parquet metadata (:func:`batch_tag`).
:mod:`~simcontract.experiment.integrity` checks a folder part by part. The manifest's
``outputs`` is ``null`` while the tables and figures are being written, then lists them
(:func:`outputs`), and ``output_sha256`` gives each one's digest (:func:`digest`). Its
``below_out`` says where the folder lies below the command's ``--out``, so that a resume
hint names the folder wherever it has been moved. Its
``identity`` is what a resumed batch must share, including ``model_code``, a
fingerprint of the code that made the runs (:func:`~simcontract.experiment.plan.model_code`);
each entry of ``sessions`` records the Python and library versions it ran under.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from simcontract import i18n
from simcontract.experiment import atomic, messages
from simcontract.experiment.lock import FILES as LOCK_FILES
from simcontract.experiment.runner import ExperimentError
from simcontract.outcomes import OUTCOMES
from simcontract.params import PARAMETERS

MANIFEST = "manifest.json"
RUNS = "runs"
SERIES = "series"
NGOS = "ngos"
CONTRACTS = "contracts"
DETAILS = (SERIES, NGOS, CONTRACTS)
"""Per-run detail tables kept with ``series=True``, each in a folder of parts."""
TABLE = "table.csv"
INDICES = "indices.csv"
DAMAGED = "damaged"
"""Folder where a resumed batch sets aside the parts it found damaged."""
FORMAT = "simcontract-results/1"
"""The ``format`` a manifest records."""

ID_COLUMNS = ("scenario", "point", "replication", "seed")
"""Columns identifying a run: scenario name, design point, replication, run seed."""

_ARROW_KIND = {"int": pa.int64(), "float": pa.float64(), "choice": pa.string()}


def _id_fields() -> list[pa.Field]:
    return [pa.field(c, pa.string() if c == "scenario" else pa.int64()) for c in ID_COLUMNS]


def runs_schema() -> pa.Schema:
    """Schema of the runs table: identifiers, every parameter, every outcome."""
    fields = _id_fields()
    fields += [pa.field(p.name, _ARROW_KIND[p.kind]) for p in PARAMETERS.values()]
    fields += [pa.field(name, pa.float64()) for name in OUTCOMES]
    return pa.schema(fields)


def series_schema() -> pa.Schema:
    """Schema of the yearly series table: identifiers, ``year``, every outcome."""
    fields = [*_id_fields(), pa.field("year", pa.int64())]
    fields += [pa.field(name, pa.float64()) for name in OUTCOMES]
    return pa.schema(fields)


def ngos_schema() -> pa.Schema:
    """Schema of the NGO table: identifiers and one row per NGO that ever existed in the
    run (``ContractingModel.ngo_table()``); ``exit_year`` is NaN for active NGOs."""
    fields = _id_fields()
    fields += [
        pa.field("ngo", pa.int64()),
        pa.field("city", pa.int64()),
        pa.field("district", pa.int64()),
        pa.field("origin", pa.string()),
        pa.field("entry_year", pa.int64()),
        pa.field("exit_year", pa.float64()),
        pa.field("exit_reason", pa.string()),
        pa.field("active", pa.bool_()),
        pa.field("reserves", pa.float64()),
        pa.field("reputation", pa.float64()),
        pa.field("dependence", pa.float64()),
        pa.field("staff", pa.int64()),
        pa.field("contracts", pa.int64()),
    ]
    return pa.schema(fields)


def contracts_schema() -> pa.Schema:
    """Schema of the contract table: identifiers and the contracts still in force once
    the run's last year has closed (``ContractingModel.contract_table()``: those that
    ended with the last year are not in it)."""
    fields = _id_fields()
    fields += [
        pa.field("purchaser", pa.int64()),
        pa.field("purchaser_kind", pa.string()),
        pa.field("city", pa.int64()),
        pa.field("ngo", pa.int64()),
        pa.field("price", pa.float64()),
        pa.field("start", pa.int64()),
        pa.field("end", pa.int64()),
        pa.field("tie", pa.float64()),
    ]
    return pa.schema(fields)


SCHEMAS = {
    RUNS: runs_schema,
    SERIES: series_schema,
    NGOS: ngos_schema,
    CONTRACTS: contracts_schema,
}
"""Schema of each table."""

SORT_KEYS = {
    RUNS: ["point", "replication"],
    SERIES: ["point", "replication", "year"],
    NGOS: ["point", "replication", "ngo"],
    CONTRACTS: ["point", "replication", "purchaser", "ngo", "start"],
}
"""The order of each table's rows once read."""


def to_frame(table: pa.Table, name: str) -> pd.DataFrame:
    """Table ``name`` (e.g. :data:`RUNS`) as a DataFrame in its :data:`SORT_KEYS` order."""
    table = table.sort_by([(k, "ascending") for k in SORT_KEYS[name]])
    return table.to_pandas().reset_index(drop=True)


class DamagedResults(ExperimentError):
    """A results folder's manifest or parts are damaged (unreadable, truncated, edited)."""


_said = partial(messages.error, "storage")


BATCH_KEY = b"simcontract.batch"
"""Key of a part's Parquet metadata that names the batch which wrote it (:func:`batch_tag`)."""


def batch_tag(identity: Mapping[str, Any]) -> str:
    """A fingerprint of a batch's ``identity`` (its manifest's), ``sha256:`` and 16 hex
    digits.

    Every part of a batch carries it, so that a part of another batch is told apart even
    where its runs have the same identifiers and parameter values (another dated rule
    change, other code).
    """
    text = json.dumps(identity, sort_keys=True, separators=(",", ":"), allow_nan=True)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()[:16]


def part_tag(schema: pa.Schema) -> str | None:
    """The :func:`batch_tag` a part was written with (``None``: a part from before tags)."""
    tag = (schema.metadata or {}).get(BATCH_KEY)
    return None if tag is None else tag.decode("utf-8", errors="replace")


def tagged(table: pa.Table, tag: str | None) -> pa.Table:
    """``table`` with the batch's ``tag`` (:func:`batch_tag`) in its metadata, to be
    written as a part (``None``: as it is)."""
    if tag is None:
        return table
    return table.replace_schema_metadata({**(table.schema.metadata or {}), BATCH_KEY: tag})


def write_part(folder: Path, name: str, table: pa.Table) -> Path:
    """Write ``table`` as ``folder/name`` atomically, with a checksum on every page (so
    that a reading finds bytes damaged since, :data:`VERIFY`); return the path."""
    folder.mkdir(parents=True, exist_ok=True)
    return atomic.write_atomic(
        folder / name, lambda tmp: pq.write_table(table, tmp, write_page_checksum=True)
    )


VERIFY = {"page_checksum_verification": True}
"""How parts are read: a page whose checksum does not match is an error, not values."""


def write_text(target: Path, text: str) -> None:
    """Write a text file atomically."""
    atomic.write_text(target, text)


def write_manifest(directory: Path, manifest: Mapping[str, Any]) -> None:
    """Write ``DIR/manifest.json`` atomically."""
    write_text(directory / MANIFEST, json.dumps(manifest, indent=2, allow_nan=True) + "\n")


_MANIFEST_FIELDS: dict[str, type] = {
    "kind": str,
    "status": str,
    "scenarios": list,
    "n_points": int,
    "replications": int,
    "n_runs": int,
    "seed": int,
    "series": bool,
    "outcomes": list,
    "identity": dict,
    "sessions": list,
}
"""Fields every manifest has, with their JSON types."""


def read_manifest(directory: Path) -> dict[str, Any] | None:
    """The manifest of ``directory``, or ``None`` when it has none.

    Raises:
        DamagedResults: The manifest cannot be read, is not JSON or lacks a field.
    """
    path = directory / MANIFEST
    if not path.exists():
        return None
    where = f"{str(path)!r}"
    try:
        manifest = json.loads(path.read_bytes().decode("utf-8"))
    except IsADirectoryError:
        raise DamagedResults(_said("folder_not_file", where=where)) from None
    except OSError as err:
        raise DamagedResults(_said("unreadable", where=where, reason=i18n.os_reason(err))) from None
    except UnicodeDecodeError:
        raise DamagedResults(_said("damaged", where=where, reason=_said("not_utf8"))) from None
    except RecursionError:
        raise DamagedResults(_said("damaged", where=where, reason=_said("too_deep"))) from None
    except ValueError as err:
        empty = path.stat().st_size == 0
        reason = _said("empty") if empty else _said("not_json", reason=i18n.json_reason(err))
        raise DamagedResults(_said("damaged", where=where, reason=reason)) from None
    return _checked_manifest(manifest, where)


def _checked_manifest(manifest: Any, where: str) -> dict[str, Any]:
    """``manifest`` when it has every field a batch writes, with sensible values."""
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise DamagedResults(_said("not_manifest", where=where, format=FORMAT))
    for field, kind in _MANIFEST_FIELDS.items():
        value = manifest.get(field)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            said = {"field": repr(field), "kind": _said(f"type_{kind.__name__}")}
            raise DamagedResults(_said("damaged", where=where, reason=_said("field", **said)))
    scenarios = manifest["scenarios"]
    sound = (
        manifest["kind"] in ("compare", "sweep")
        and manifest["n_points"] >= 1
        and manifest["replications"] >= 1
        and manifest["seed"] >= 0
        and bool(scenarios)
        and all(isinstance(s, dict) and isinstance(s.get("name"), str) for s in scenarios)
        and (manifest["kind"] == "sweep" or len(scenarios) == manifest["n_points"])
    )
    if not sound:
        raise DamagedResults(_said("damaged", where=where, reason=_said("unsound")))
    outputs = manifest.get("outputs")
    if outputs is not None and not (
        isinstance(outputs, list) and all(isinstance(o, str) for o in outputs)
    ):
        raise DamagedResults(_said("damaged", where=where, reason=_said("outputs")))
    digests = manifest.get("output_sha256")
    if digests is not None and not (
        isinstance(digests, dict)
        and all(isinstance(k, str) and isinstance(v, str) for k, v in digests.items())
    ):
        raise DamagedResults(_said("damaged", where=where, reason=_said("digests")))
    return manifest


def parts(folder: Path) -> list[Path]:
    """Finished parts of a dataset folder (everything named ``part-*.parquet``), sorted."""
    return sorted(folder.glob("part-*.parquet")) if folder.is_dir() else []


def read_parts(
    folder: Path,
    schema: pa.Schema,
    columns: list[str] | None = None,
    names: Sequence[str] | None = None,
) -> pa.Table:
    """Concatenate the finished parts of ``folder`` (an empty table when none).

    Args:
        folder: The dataset folder.
        schema: Its schema (for an empty table).
        columns: Read only these columns.
        names: Read only the parts of these file names (default: every part).
    """
    chosen = parts(folder) if names is None else [folder / n for n in names]
    tables = [pq.read_table(p, columns=columns, **VERIFY) for p in chosen if p.is_file()]
    if columns is not None:
        schema = pa.schema([schema.field(c) for c in columns])
    if not tables:
        return schema.empty_table()
    return pa.concat_tables(tables)


def read_table(directory: Path, name: str, names: Sequence[str] | None = None) -> pd.DataFrame:
    """The finished parts (every one, or those of file names ``names``) of table ``name``
    under ``directory``, as :func:`to_frame`."""
    return to_frame(read_parts(directory / name, SCHEMAS[name](), names=names), name)


def done_runs(directory: Path) -> set[tuple[int, int]]:
    """``(point, replication)`` of every run already stored under ``directory``."""
    table = read_parts(directory / RUNS, runs_schema(), ["point", "replication"])
    return set(
        zip(
            table.column("point").to_pylist(),
            table.column("replication").to_pylist(),
            strict=True,
        )
    )


def clean(directory: Path) -> None:
    """Remove leftovers of an interrupted batch: temporary files and detail parts whose
    runs part was never written."""
    details = [directory / d for d in DETAILS]
    for folder in (directory / RUNS, *details, directory, directory / "figures"):
        if folder.is_dir():
            for tmp in folder.glob(".*" + atomic.TEMPORARY_SUFFIX):
                if atomic.is_temporary(tmp) and tmp.is_file():
                    tmp.unlink(missing_ok=True)
    finished = {p.name for p in parts(directory / RUNS)}
    for folder in details:
        for p in parts(folder):
            if p.name not in finished and p.is_file():
                p.unlink(missing_ok=True)


def outputs(directory: Path) -> list[str]:
    """Every file of a results folder but its runs, their details, the manifest and the
    lock (its tables, exports and figures), as paths relative to it, sorted."""
    skipped = {RUNS, *DETAILS, DAMAGED}
    return sorted(
        path.relative_to(directory).as_posix()
        for path in directory.rglob("*")
        if path.is_file()
        and path.relative_to(directory).parts[0] not in skipped
        and path.name != MANIFEST
        and not path.name.startswith(".")  # the lock, and temporary files being written
    )


def digest(path: Path) -> str:
    """The SHA-256 of a file's bytes, in hexadecimal."""
    sha = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


def check_own(directory: Path, own: Sequence[str], what: str) -> None:
    """Refuse ``directory`` for ``what`` when it holds anything ``what`` does not write
    there (another batch's or analysis's results): the two would be mixed. ``what`` is
    said in the language in use (``errors.storage.what_<...>`` of the catalogue).

    Raises:
        ExperimentError: A file or folder of ``directory`` that is not one of ``own``.
    """
    if not directory.is_dir():
        return
    allowed = {*own, *LOCK_FILES}
    foreign = sorted(p.name for p in directory.iterdir() if p.name not in allowed)
    if foreign:
        said = {"folder": repr(str(directory)), "name": repr(foreign[0]), "what": what}
        raise ExperimentError(_said("foreign", **said))


def is_empty(directory: Path) -> bool:
    """Whether ``directory`` is missing or holds nothing (but perhaps an unheld lock)."""
    if not directory.exists():
        return True
    return directory.is_dir() and all(p.name in LOCK_FILES for p in directory.iterdir())
