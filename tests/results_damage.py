"""Damaged results folders for the tests: every way a folder is found broken.

``make_results`` writes a small finished sweep (two design points, two replications,
series kept, one run per part); each function of :data:`DAMAGE` breaks a copy of it in
one way. ``INCOMPLETE`` damages lose runs without breaking a part.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq

from simcontract import Scenario, sweep
from simcontract.experiment import storage

TINY = {"years": 4, "initial_ngos": 12, "n_bureaux": 4, "n_mass_orgs": 1}
"""A market whose runs take a few hundredths of a second."""

GRID_ARGS = ["--grid", "favouritism=0.1,0.6", "--replications", "2", "--series"]
"""The design of the stored sweep, as command-line options."""

NO_FIGURES = ["--figures", "none"]
"""A resume that draws no figures, where the repair of the runs is what is tested."""


def write_tiny(folder: Path) -> Path:
    """``folder/tiny.toml``: the scenario of the stored sweep."""
    path = folder / "tiny.toml"
    path.write_text(Scenario(TINY, name="tiny").to_toml(), encoding="utf-8")
    return path


def make_results(folder: Path) -> Path:
    """A finished sweep in ``folder/res`` (4 runs in 4 parts, series kept)."""
    tiny = write_tiny(folder)
    out = folder / "res"
    command = ["simcontract", "sweep", str(tiny), *GRID_ARGS, "--workers", "1", "--out", str(out)]
    sweep(
        tiny,
        {"favouritism": [0.1, 0.6]},
        replications=2,
        series=True,
        workers=1,
        out=out,
        chunk_size=1,
        command=command,
    )
    return out


def copy_results(source: Path, folder: Path) -> Path:
    """A copy of the results folder ``source`` as ``folder/res``."""
    target = folder / "res"
    shutil.copytree(source, target, symlinks=True)
    return target


def _runs_part(res: Path, index: int = 0) -> Path:
    return storage.parts(res / storage.RUNS)[index]


def _rewrite_manifest(res: Path, change: Callable[[dict], None]) -> None:
    manifest = json.loads((res / storage.MANIFEST).read_text())
    change(manifest)
    (res / storage.MANIFEST).write_text(json.dumps(manifest))


def _edit_column(res: Path, column: str, edit: Callable) -> None:
    path = _runs_part(res)
    table = pq.read_table(path)
    index = table.schema.get_field_index(column)
    table = table.set_column(index, column, edit(table.column(column)))
    pq.write_table(table, path)


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _corrupt_footer(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[-8:-4] = b"\xff\xff\xff\x7f"  # the footer's length, now beyond the file
    path.write_bytes(bytes(data))


def _folder_instead(path: Path) -> None:
    path.unlink()
    path.mkdir()
    (path / "inside").write_text("x")


def _part_of_another_grid(res: Path) -> None:
    """The first runs part replaced by that of a sweep of the same scenario over the
    same values in the other order: the same identifiers and seeds, other values."""
    other = res.parent / "other_grid"
    sweep(
        write_tiny(res.parent),
        {"favouritism": [0.6, 0.1]},
        replications=2,
        workers=1,
        out=other,
        chunk_size=1,
    )
    shutil.copy(storage.parts(other / storage.RUNS)[0], _runs_part(res))


def _duplicate(res: Path) -> None:
    part = _runs_part(res)
    for table in (storage.RUNS, *storage.DETAILS):
        shutil.copy(res / table / part.name, res / table / "part-999-000000.parquet")


MANIFEST_DAMAGE: dict[str, Callable[[Path], None]] = {
    "manifest garbage": lambda res: (res / storage.MANIFEST).write_text("not json {"),
    "manifest empty": lambda res: (res / storage.MANIFEST).write_text(""),
    "manifest binary": lambda res: (res / storage.MANIFEST).write_bytes(bytes(range(256))),
    "manifest truncated": lambda res: _truncate(res / storage.MANIFEST),
    "manifest a folder": lambda res: _folder_instead(res / storage.MANIFEST),
    "manifest nested 100000 deep": lambda res: (res / storage.MANIFEST).write_text("[" * 100_000),
    "manifest of something else": lambda res: (res / storage.MANIFEST).write_text('{"a": 1}'),
    "manifest without n_points": lambda res: _rewrite_manifest(res, lambda m: m.pop("n_points")),
    "manifest with bad kind": lambda res: _rewrite_manifest(res, lambda m: m.update(kind="survey")),
    "manifest with bad digests": lambda res: _rewrite_manifest(
        res, lambda m: m.update(output_sha256=["runs.csv"])
    ),
}
"""Damage that leaves nothing checkable: the manifest itself."""

PART_DAMAGE: dict[str, Callable[[Path], None]] = {
    "part truncated": lambda res: _truncate(_runs_part(res)),
    "part empty": lambda res: _runs_part(res).write_bytes(b""),
    "part footer corrupt": lambda res: _corrupt_footer(_runs_part(res)),
    "part garbage": lambda res: _runs_part(res).write_bytes(b"PAR1" + bytes(500) + b"PAR1"),
    "part a folder": lambda res: _folder_instead(_runs_part(res, 1)),
    "part duplicated": _duplicate,
    "part with a wrong seed": lambda res: _edit_column(
        res, "seed", lambda c: pc.add(c, 1).cast(c.type)
    ),
    "part with a foreign point": lambda res: _edit_column(
        res, "point", lambda c: pc.add(c, 99).cast(c.type)
    ),
    "part of another grid": _part_of_another_grid,
    "series part truncated": lambda res: _truncate(res / storage.SERIES / _runs_part(res).name),
    "series part missing": lambda res: (res / storage.SERIES / _runs_part(res).name).unlink(),
}
"""Damage to parts: the runs of the part count as missing."""

INCOMPLETE: dict[str, Callable[[Path], None]] = {
    "part missing": lambda res: _runs_part(res, 2).unlink(),
    "batch interrupted": lambda res: _rewrite_manifest(
        res, lambda m: m.update(status="interrupted")
    ),
}
"""Folders whose parts are sound but whose batch is unfinished."""

OUTPUT_DAMAGE: dict[str, Callable[[Path], None]] = {
    "tables not all written": lambda res: _rewrite_manifest(res, lambda m: m.update(outputs=None)),
    "table deleted": lambda res: (res / "table.csv").unlink(),
    "table cut short": lambda res: _cut_short(res / "runs.csv"),
    "one deleted, one cut short": lambda res: (
        (res / "table.csv").unlink(),
        _cut_short(res / "runs.csv"),
    ),
}
"""Folders whose runs are all stored but whose tables are not all there, or not as
written."""


def _cut_short(path: Path) -> None:
    """Keep the first half of a file, as a copy that stopped part way would."""
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
