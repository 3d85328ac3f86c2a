"""Sweeps as a scholar uses them: results on disk, resume, figures of a partial batch."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from simcontract import i18n, load_results, plots
from simcontract.cli import main
from simcontract.experiment import storage
from simcontract.plots.data import groups


def _sweep_argv(toml: Path, out: Path) -> list[str]:
    """A two-point grid sweep of two replications, one run per Parquet part."""
    return [
        "sweep",
        str(toml),
        "--grid",
        "favouritism=0.1,0.6",
        "--replications",
        "2",
        "--workers",
        "1",
        "--out",
        str(out),
    ]


def _drop_point(out: Path, point: int) -> None:
    """Delete the stored runs of one design point, as if the batch stopped before them."""
    import pyarrow.parquet as pq

    for part in storage.parts(out / storage.RUNS):
        if set(pq.read_table(part, columns=["point"]).column("point").to_pylist()) == {point}:
            part.unlink()


def test_resume_refuses_a_folder_whose_runs_cannot_be_written(
    tiny_toml: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    out = tmp_path / "out"
    argv = _sweep_argv(tiny_toml, out)
    assert main(argv) == 0
    _drop_point(out, 1)
    before = (out / storage.MANIFEST).read_bytes()
    capsys.readouterr()
    access = os.access

    def no_runs_folder(path: os.PathLike | str, mode: int, **kwargs: object) -> bool:
        # A runs folder owned by someone else: root sees every folder writable, so the
        # refusal is simulated.
        if Path(path).name == storage.RUNS and mode & os.W_OK:
            return False
        return access(path, mode, **kwargs)

    monkeypatch.setattr(os, "access", no_runs_folder)
    assert main([*argv, "--resume"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert str(out / storage.RUNS) in err[0] and "not writable" in err[0]
    assert (out / storage.MANIFEST).read_bytes() == before  # no session was opened
    assert len(storage.parts(out / storage.RUNS)) == 2


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_partial_sweep_names_its_points_by_their_design_values(
    tiny_toml: Path, tmp_path: Path, lang: str
) -> None:
    out = tmp_path / "out"
    assert main(_sweep_argv(tiny_toml, out)) == 0
    _drop_point(out, 1)
    results = load_results(out, partial=True)
    with i18n.use_language(lang):
        labels = [g.label for g in groups(results)]
        fig = plots.compare_outcomes(results, ["ngo_survival"])
        ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    expected = "favouritism=0.1" if lang == "en" else "关系偏向=0.1"
    assert labels == [expected]
    assert ticks == [expected]


def test_each_session_records_its_own_command_and_machine(tiny_toml: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    argv = _sweep_argv(tiny_toml, out)
    assert main(argv) == 0
    _drop_point(out, 1)
    resumed = [*argv, "--resume", "--lang", "zh_CN"]
    assert main(resumed) == 0
    manifest = storage.read_manifest(out)
    sessions = manifest["sessions"]
    assert [s["command"] for s in sessions] == [["simcontract", *argv], ["simcontract", *resumed]]
    assert all(s["platform"] for s in sessions)
    assert manifest["command"] == ["simcontract", *resumed]  # the resume hint's


def test_a_full_disk_is_told_by_the_write_that_failed_not_by_the_manifest(
    tiny_toml: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    out = tmp_path / "out"
    full = []

    def no_space(folder: Path, name: str, table: object) -> Path:
        full.append(folder / name)
        raise OSError(errno.ENOSPC, "No space left on device", str(folder / name))

    write_manifest = storage.write_manifest

    def manifest_once_full(directory: Path, manifest: dict) -> None:
        if full:  # the disk filled up while the runs were written
            raise OSError(errno.ENOSPC, "No space left on device")
        write_manifest(directory, manifest)

    monkeypatch.setattr(storage, "write_part", no_space)
    monkeypatch.setattr(storage, "write_manifest", manifest_once_full)
    assert main(_sweep_argv(tiny_toml, out)) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1, err
    assert f"writing {str(full[0])!r}" in err[0] and "--resume" in err[0]


def test_morris_effects_are_per_the_parameters_whole_range_as_the_docs_say() -> None:
    """docs/how-to/sensitivity.md: an effect is the outcome's change across the sampled
    range (0.5 to 5.5 for contract_years=1:5), not its change per unit."""
    import pandas as pd

    from simcontract.experiment.designs import Morris

    design = Morris(8, {"contract_years": (1, 5), "favouritism": (0.0, 1.0)}, seed=1)
    sample = design.matrix()
    # One unit of outcome per year of contract, two per unit of favouritism.
    outcome = sample[:, 0] + 2 * sample[:, 1]
    runs = pd.DataFrame({"point": range(len(design)), "replication": 0, "ngo_survival": outcome})
    indices = design.analyze(runs, ["ngo_survival"]).set_index(["index", "parameter"])
    assert indices.loc[("mu_star", "contract_years"), "value"] == pytest.approx(5.0)
    assert indices.loc[("mu_star", "favouritism"), "value"] == pytest.approx(2.0)
    page = (Path(__file__).parent.parent / "docs" / "how-to" / "sensitivity.md").read_text(
        encoding="utf-8"
    )
    assert "sampled over 0.5 to 5.5, five years" in page


def test_resume_into_another_batch_names_the_settings_before_the_code(
    tiny_toml: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "out"
    argv = _sweep_argv(tiny_toml, out)
    assert main(argv) == 0
    manifest = storage.read_manifest(out)
    manifest["identity"]["model_code"] = "sha256:0000000000000000"  # an edited install's
    storage.write_manifest(out, manifest)
    capsys.readouterr()
    other = [*argv, "--resume"]
    other[other.index("--replications") + 1] = "3"
    assert main(other) == 2
    err = capsys.readouterr().err
    assert "different number of replications" in err and "2 there, 3 now" in err
    assert main([*argv, "--resume"]) == 2  # the same batch: the code is what differs
    assert "other simcontract code" in capsys.readouterr().err


def test_morris_effects_are_not_labelled_per_unit() -> None:
    for key in ("sweep.morris", "figures.morris_per"):
        assert "per unit of" not in i18n.text(key, "en", level="95%", unit="share")
        assert "每单位" not in i18n.text(key, "zh_CN", level="95%", unit="share")


def test_figures_say_what_they_rest_on(tiny_toml: Path, tmp_path: Path) -> None:
    from PIL import Image

    out = tmp_path / "out"
    argv = ["sweep", str(tiny_toml), "--grid", "favouritism=0.1,0.6", "--replications", "2"]
    assert main([*argv, "--workers", "1", "--out", str(out), "--seed", "7"]) == 0
    pngs = sorted((out / "figures").glob("*.png")) or sorted(out.rglob("*.png"))
    assert pngs
    said = Image.open(pngs[0]).info["Description"]
    assert "2 points x 2 replications" in said and "base seed 7" in said
    assert load_results(out).manifest["identity"]["model_code"] in said
