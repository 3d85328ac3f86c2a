"""Each Chinese text records the English it was translated from, so a reworded English
text flags its translation as out of date until a translator accepts it again."""

from __future__ import annotations

import dataclasses
import fnmatch
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from simcontract import i18n
from simcontract.params import PARAMETERS

ROOT = Path(__file__).resolve().parent.parent
ZH = "zh_CN"


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    """Cached catalogues and pattern texts read again after a test changed a source."""
    yield
    i18n.catalogue.cache_clear()
    i18n._patterns_toml.cache_clear()
    i18n._pattern_sources.cache_clear()


@pytest.fixture
def basis_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A record of the Chinese catalogue as it is now, in a temporary folder, and used."""
    copy = tmp_path / "zh_CN.basis.toml"
    shutil.copyfile(i18n.basis_path(ZH), copy)
    monkeypatch.setattr(i18n, "basis_path", lambda lang: copy)
    i18n.accept(ZH)
    return copy


def _reword_english(monkeypatch: pytest.MonkeyPatch, old: str, new: str) -> None:
    """The English catalogue as if ``old`` had been reworded to ``new``."""
    text = i18n.catalogue_text("en")
    assert text.count(old) == 1
    read = i18n.catalogue_text
    monkeypatch.setattr(
        i18n, "catalogue_text", lambda lang: text.replace(old, new) if lang == "en" else read(lang)
    )
    i18n.catalogue.cache_clear()


def _reword_patterns(monkeypatch: pytest.MonkeyPatch, old: str, new: str) -> None:
    """``patterns.toml`` as if ``old`` had been reworded to ``new``."""
    text, _data = i18n._patterns_toml()
    assert text.count(old) == 1
    changed = text.replace(old, new)
    monkeypatch.setattr(i18n, "_patterns_toml", lambda: (changed, tomllib.loads(changed)))
    i18n._pattern_sources.cache_clear()


# --------------------------------------------------------------------------- the record
def test_every_chinese_text_translates_the_english_as_it_is_now() -> None:
    """An English text was reworded: update its Chinese in zh_CN.toml, then accept it
    with ``python -m simcontract.i18n --accept KEY`` (each line says which)."""
    lines = i18n.out_of_date(ZH)
    assert not lines, "\n" + "\n".join(lines)


def test_the_record_covers_the_catalogue_the_registries_and_the_patterns() -> None:
    recorded = i18n.basis(ZH)
    sources = i18n.english_sources()
    assert set(recorded) <= set(sources)
    where = {sources[k][1] for k in recorded}
    assert {
        "simcontract/locales/en.toml",
        "simcontract/params.py",
        "simcontract/outcomes.py",
        "simcontract/patterns.toml",
    } <= where
    assert any(w.startswith("scenarios/") for w in where)
    assert "outcomes.ngo_survival.label" in recorded
    assert "patterns.1.claim" in recorded and "patterns.1.why" in recorded
    assert any(k.startswith("calibration_figures.") for k in recorded)


def test_rewording_an_english_text_flags_its_translation(
    monkeypatch: pytest.MonkeyPatch, basis_copy: Path
) -> None:
    label = i18n.outcome_label("ngo_survival", "en")
    _reword_english(monkeypatch, f'label = "{label}"', 'label = "NGOs still operating"')
    (line,) = i18n.out_of_date(ZH)
    assert line.startswith("zh_CN: outcomes.ngo_survival.label: the English in ")
    assert "simcontract/locales/en.toml changed" in line
    assert line.endswith("--accept outcomes.ngo_survival.label")


def test_rewording_a_pattern_or_calibration_text_flags_its_translation(
    monkeypatch: pytest.MonkeyPatch, basis_copy: Path
) -> None:
    claim = i18n.pattern_sources()["1"]["claim"]
    _reword_patterns(monkeypatch, claim, claim.replace("higher", "much higher"))
    ((outcome, year), figure), *_ = i18n.calibration_sources().items()
    _reword_patterns(monkeypatch, f'figure = "{figure}"', f'figure = "{figure}, roughly"')
    lines = i18n.out_of_date(ZH)
    assert [line.split(": ")[1] for line in lines] == sorted(
        [f"calibration_figures.{outcome}.{year}", "patterns.1.claim"]
    )
    assert all("simcontract/patterns.toml changed" in line for line in lines)


def test_rewording_a_registry_meaning_flags_its_translation(
    monkeypatch: pytest.MonkeyPatch, basis_copy: Path
) -> None:
    param = PARAMETERS["tie_decay"]
    changed = dataclasses.replace(param, meaning=param.meaning + " Halved under campaigns.")
    monkeypatch.setattr(i18n, "PARAMETERS", {**PARAMETERS, "tie_decay": changed})
    (line,) = i18n.out_of_date(ZH)
    assert "parameters.tie_decay.meaning: the English in simcontract/params.py" in line


def test_accepting_records_the_english_as_it_is_now(
    monkeypatch: pytest.MonkeyPatch, basis_copy: Path
) -> None:
    before = basis_copy.read_text(encoding="utf-8")
    _reword_patterns(monkeypatch, 'label = "3-year contracts"', 'label = "three-year contracts"')
    assert [line.split(": ")[1] for line in i18n.out_of_date(ZH)] == ["patterns.1.arm_a"]
    assert i18n.accept(ZH, ["patterns.1"]) == ["patterns.1.arm_a"]
    assert i18n.out_of_date(ZH) == []
    after = basis_copy.read_text(encoding="utf-8")
    changed = set(after.splitlines()) ^ set(before.splitlines())
    assert len(changed) == 2 and all(line.startswith('"patterns.1.arm_a" = ') for line in changed)
    assert i18n.accept(ZH, ["patterns.1.arm_a"]) == []


def test_a_new_or_dropped_translation_is_flagged_until_accepted(basis_copy: Path) -> None:
    recorded = i18n.basis(ZH)
    del recorded["app.step"]
    recorded["app.no_such_text"] = "0123456789ab"
    i18n._write_basis(ZH, recorded)
    lines = i18n.out_of_date(ZH)
    assert [line.split(": ")[1] for line in lines] == ["app.no_such_text", "app.step"]
    assert "no longer translated" in lines[0] and "new translation" in lines[1]
    assert sorted(i18n.accept(ZH, ["app.step", "app.no_such_text"])) == [
        "app.no_such_text",
        "app.step",
    ]
    assert i18n.out_of_date(ZH) == [] and "app.no_such_text" not in i18n.basis(ZH)


# --------------------------------------------------------------------------- command
def test_check_and_accept_on_the_command_line(
    monkeypatch: pytest.MonkeyPatch, basis_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert i18n.main(["--check"]) == 0
    label = i18n.outcome_label("staff_turnover", "en")
    _reword_english(monkeypatch, f'label = "{label}"', 'label = "Social workers leaving"')
    capsys.readouterr()
    assert i18n.main(["--check"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 1 and "outcomes.staff_turnover.label" in out[0]
    before = basis_copy.read_text(encoding="utf-8")
    assert i18n.main(["--accept", "outcomes.staff_turnover.label", "no.such.key"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "'no.such.key' is not a translated text of zh_CN.toml" in err[0]
    assert basis_copy.read_text(encoding="utf-8") == before  # nothing half-accepted
    assert i18n.main(["--accept", "outcomes.staff_turnover.label"]) == 0
    assert i18n.main(["--check"]) == 0


def test_the_module_runs_as_a_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "simcontract.i18n", "--check", "--lang", ZH],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    lines = i18n.out_of_date(ZH)
    assert (done.returncode, done.stderr) == (1 if lines else 0, ""), done.stderr
    assert done.stdout.splitlines() == (lines or ["zh_CN: translations up to date"])


def test_the_record_ships_with_the_package() -> None:
    path = i18n.basis_path(ZH)
    assert path.is_file() and path.parent == ROOT / "simcontract" / "locales"
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]
    patterns = setuptools["package-data"]["simcontract.locales"]
    assert any(fnmatch.fnmatch(path.name, p) for p in patterns)
