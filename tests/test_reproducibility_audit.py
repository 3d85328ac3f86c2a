"""A run is a function of its scenario and seed alone: batches give the same runs
whatever their order, chunks, hash seed or interruptions, and nothing of two batches is
mixed, even batches whose runs record the same identifiers and parameter values."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import warnings
from importlib.metadata import version
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from simcontract import Scenario, compare, load_results
from simcontract.cli import main
from simcontract.experiment import exports, integrity, storage
from simcontract.experiment.plan import DamageWarning

TINY = {"years": 4, "initial_ngos": 15, "n_bureaux": 5, "n_mass_orgs": 1}
"""A market whose runs take a few hundredths of a second."""


@pytest.fixture
def tiny() -> Scenario:
    """The tiny market, as the ``tiny_toml`` fixture saves it."""
    return Scenario(TINY, name="tiny")


def by_scenario(runs: pd.DataFrame) -> pd.DataFrame:
    """The runs in scenario and replication order, without the design point's number."""
    ordered = runs.sort_values(["scenario", "replication"], kind="stable")
    return ordered.drop(columns="point").reset_index(drop=True)


def test_compare_gives_the_same_runs_in_any_order_of_scenarios_and_chunks(
    tiny: Scenario,
) -> None:
    other = tiny.replace(contract_years=1, name="short")
    ahead = compare([tiny, other], replications=3, workers=1, chunk_size=1).runs
    behind = compare([other, tiny], replications=3, workers=1, chunk_size=4).runs
    assert set(ahead["scenario"]) == {"tiny", "short"}
    pd.testing.assert_frame_equal(by_scenario(ahead), by_scenario(behind), check_exact=True)


def test_a_toml_file_set_and_replace_give_the_same_runs_and_manifest(
    tiny_toml: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    changed = Scenario({**TINY, "contract_years": 1}, name="tiny")
    as_file = tmp_path / "changed.toml"
    as_file.write_text(changed.to_toml(), encoding="utf-8")
    argv = ["compare", "--replications", "2", "--workers", "1"]
    assert main([*argv, str(as_file), "--out", str(tmp_path / "file")]) == 0
    with_set = [str(tiny_toml), "--set", "contract_years=1", "--out", str(tmp_path / "set")]
    assert main([*argv, *with_set]) == 0
    capsys.readouterr()
    replaced = Scenario(TINY, name="tiny").replace(contract_years=1)
    compare([replaced], replications=2, workers=1, out=tmp_path / "replace")
    folders = [tmp_path / name for name in ("file", "set", "replace")]
    runs = [load_results(folder).runs for folder in folders]
    for other in runs[1:]:
        pd.testing.assert_frame_equal(runs[0], other, check_exact=True)
    scenarios = [storage.read_manifest(folder)["scenarios"] for folder in folders]
    assert scenarios[0] == scenarios[1] == scenarios[2]
    assert scenarios[0][0]["parameters"]["contract_years"] == 1


def test_a_batch_writes_the_same_tables_under_another_hash_seed(
    tiny_toml: Path, tmp_path: Path
) -> None:
    """String hashing (set and dict order of strings) changes with PYTHONHASHSEED; no
    result may depend on it."""
    folders = []
    for hash_seed in ("1", "2024"):
        out = tmp_path / f"hash{hash_seed}"
        # The batch as the command line makes it, without drawing its figures.
        script = (
            "import sys; from simcontract import sweep; "
            "sweep(sys.argv[1], {'favouritism': [0.2, 0.8]}, replications=2, workers=1, "
            "series=True, out=sys.argv[2])"
        )
        command = [sys.executable, "-c", script, str(tiny_toml), str(out)]
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "MPLBACKEND": "Agg"}
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        assert done.returncode == 0, done.stderr
        folders.append(out)
    for name in ("runs.csv", "table.csv", "codebook.json"):
        assert (folders[0] / name).read_bytes() == (folders[1] / name).read_bytes(), name
    for table in ("series", "ngos", "contracts"):
        there, here = (load_results(f) for f in folders)
        pd.testing.assert_frame_equal(getattr(there, table), getattr(here, table))


def _part(folder: Path) -> Path:
    """The last runs part of a results folder."""
    return storage.parts(folder / storage.RUNS)[-1]


def test_a_part_of_a_batch_with_other_dated_rules_is_damaged_and_run_again(
    tiny: Scenario, tmp_path: Path
) -> None:
    """The runs of a scenario with a dated rule change record the same identifiers,
    seeds and parameter values as those without it: the part's batch tells them apart."""
    dated = Scenario(TINY, name="tiny", changes=[{"year": 2, "contract_years": 1}])
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    whole = compare([tiny], replications=3, workers=1, chunk_size=1, out=ours).runs
    other = compare([dated], replications=3, workers=1, chunk_size=1, out=theirs).runs
    assert not whole.equals(other)  # the dated change matters to the runs
    copied = _part(ours)
    shutil.copyfile(_part(theirs), copied)
    damaged = integrity.inspect(ours).damaged
    assert list(damaged) == [copied.name]
    assert "another batch" in damaged[copied.name]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        resumed = compare([tiny], replications=3, workers=1, out=ours, resume=True).runs
    assert any(issubclass(w.category, DamageWarning) for w in caught)
    pd.testing.assert_frame_equal(resumed, whole, check_exact=True)
    assert integrity.inspect(ours).complete


def test_parts_name_their_batch_and_untagged_parts_still_count(
    tiny: Scenario, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    compare([tiny], replications=2, workers=1, series=True, out=out)
    manifest = storage.read_manifest(out)
    tag = storage.batch_tag(manifest["identity"])
    for table in (storage.RUNS, *storage.DETAILS):
        for part in storage.parts(out / table):
            assert storage.part_tag(pq.read_schema(part)) == tag
    for table in (storage.RUNS, *storage.DETAILS):  # as a batch from before tags wrote them
        for part in storage.parts(out / table):
            data = pq.read_table(part)
            metadata = {k: v for k, v in data.schema.metadata.items() if k != storage.BATCH_KEY}
            pq.write_table(data.replace_schema_metadata(metadata), part)
    inventory = integrity.inspect(out)
    assert not inventory.damaged
    assert len(inventory.runs) == 2


def test_the_manifest_records_the_libraries_results_depend_on(
    tiny: Scenario, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    compare([tiny], replications=1, workers=1, out=out)
    manifest = json.loads((out / storage.MANIFEST).read_text(encoding="utf-8"))
    for package in ("scipy", "matplotlib", "fonttools", "pillow", "numpy", "mesa"):
        assert manifest["versions"][package] == version(package)
        assert manifest["sessions"][0]["versions"][package] == version(package)


def test_runs_dta_is_stamped_with_the_batch_start_not_the_time_of_writing(
    tmp_path: Path,
) -> None:
    """Stata's time stamp in ``runs.dta`` is the batch's start, so that the same runs
    give the same file."""
    out = tmp_path / "out"
    results = compare([Scenario(TINY, name="t")], replications=1, workers=1, out=out)
    results.manifest["started"] = "2020-01-02T03:04:05+00:00"
    exports.write_folder(results)
    assert b"02 Jan 2020 03:04" in (out / exports.RUNS_DTA).read_bytes()
