"""Local worker pools under "spawn" and "forkserver", the start methods of Windows, macOS
and Python 3.14 on Linux: every pool path gives the results of one process, and the
README's Python examples run as scripts under "spawn".
"""

from __future__ import annotations

import multiprocessing
import os
import re
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pytest
from pandas.testing import assert_frame_equal

from simcontract import Scenario, compare, sweep
from simcontract.experiment import ExperimentError, WorkerLost, run_split, runner, validate
from simcontract.experiment.validation import Arm, Pattern

ROOT = Path(__file__).resolve().parent.parent
TINY = Scenario({"years": 4, "initial_ngos": 12, "n_bureaux": 4, "n_mass_orgs": 1}, name="tiny")
CITIES = TINY.replace(n_cities=4, name="cities")
METHODS = [m for m in ("spawn", "forkserver") if m in multiprocessing.get_all_start_methods()]


PATTERN = Pattern(
    id="t",
    fact=1,
    claim="Longer contracts keep providers.",
    source="assumption",
    outcome="provider_turnover",
    expect="lower",
    a=Arm("one year", TINY.replace(contract_years=1)),
    b=Arm("three years", TINY.replace(contract_years=3)),
)


def _batches(workers: int) -> dict[str, Any]:
    """Every pool path: compare, sweep, validate and run_split, on ``workers`` processes."""
    return {
        "compare": compare(
            [TINY, TINY.replace(contract_years=1, name="short")], replications=2, workers=workers
        ).runs,
        "sweep": sweep(
            TINY, {"favouritism": [0.1, 0.6]}, replications=2, series=True, workers=workers
        ).series,
        "validate": validate(patterns=[PATTERN], replications=2, workers=workers),
        "run_split": run_split(CITIES, 3, workers=workers, cities_per_task=2).series(),
    }


@pytest.fixture(scope="module")
def in_one_process() -> dict[str, Any]:
    return _batches(workers=1)


@pytest.mark.parametrize("method", METHODS)
def test_every_pool_path_gives_the_results_of_one_process(
    method: str, in_one_process: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(runner.START_METHOD_VARIABLE, method)
    assert runner.process_context().get_start_method() == method
    on_a_pool = _batches(workers=2)
    for path, expected in in_one_process.items():
        assert_frame_equal(on_a_pool[path], expected, check_exact=True, obj=path)


def test_a_start_method_the_platform_lacks_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(runner.START_METHOD_VARIABLE, "teleport")
    with pytest.raises(ExperimentError, match=r"SIMCONTRACT_START_METHOD='teleport' is not a"):
        compare([TINY], replications=2, workers=2)


def test_the_default_is_not_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(runner.START_METHOD_VARIABLE, raising=False)
    assert runner.start_method() in ("forkserver", "spawn")


# ----------------------------------------------------------------- the README's examples
TOY_SIZES = '''
"""Toy sizes for the README's example: the test runs its code, not its workload."""
import simcontract.experiment.batches as batches
import simcontract.scenario as scenarios

_compare, _load = batches.compare, scenarios.load_scenario


def load_scenario(name=None):
    return _load(name).replace(years=3)


def compare(names=None, **options):
    options.update(replications=2, workers=2)
    return _compare([load_scenario(name) for name in names], **options)


batches.compare, scenarios.load_scenario = compare, load_scenario
'''


def _readme_examples() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```python\n(.*?)```", text, flags=re.S)


def _run_script(
    code: str, folder: Path, name: str, method: str
) -> subprocess.CompletedProcess[str]:
    (folder / "sitecustomize.py").write_text(TOY_SIZES, encoding="utf-8")
    script = folder / name
    script.write_text(code, encoding="utf-8")
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(folder), os.environ.get("PYTHONPATH", "")]),
        runner.START_METHOD_VARIABLE: method,
        "MPLBACKEND": "Agg",
        "CI": "1",
    }
    return subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=folder,
        env=env,
    )


def test_the_readme_example_runs_as_a_script_under_spawn(tmp_path: Path) -> None:
    (example,) = [code for code in _readme_examples() if "compare(" in code]
    assert 'if __name__ == "__main__":' in example
    proc = _run_script(example, tmp_path, "example.py", "spawn")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr


def test_workers_that_cannot_start_are_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    # What a script without the `__main__` guard meets under "spawn": its workers fail
    # while importing it again, and the pool breaks before any run.
    def broken(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise BrokenProcessPool("a child process terminated abruptly")

    monkeypatch.setattr(ProcessPoolExecutor, "submit", broken)
    with pytest.raises(WorkerLost) as lost:
        compare([TINY], replications=2, workers=2)
    message = str(lost.value)
    assert message.startswith("worker processes could not start (")
    assert message.endswith('put the script\'s code under `if __name__ == "__main__":`')


def _from_stdin(
    code: str, folder: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``code`` run as ``python -`` (the script read from standard input) in ``folder``."""
    return subprocess.run(
        [sys.executable, "-"],
        input=code,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=folder,
        env={**os.environ, "MPLBACKEND": "Agg", **(env or {})},
    )


@pytest.mark.parametrize("method", METHODS)
def test_a_script_read_from_standard_input_is_told_before_anything_is_written(
    tmp_path: Path, method: str
) -> None:
    """Workers re-read the main script from its file: from standard input they failed
    with a worker's traceback each, then advice about the `__main__` guard the script
    already had, and a batch folder marked interrupted."""
    code = (
        "from simcontract import Scenario, compare\n"
        'if __name__ == "__main__":\n'
        '    tiny = Scenario({"years": 2, "initial_ngos": 12, "n_bureaux": 4}, name="tiny")\n'
        '    compare([tiny], replications=2, workers=2, out="batch")\n'
    )
    proc = _from_stdin(code, tmp_path, {runner.START_METHOD_VARIABLE: method})
    assert proc.returncode == 1
    last = proc.stderr.strip().splitlines()[-1]
    assert last == (
        "simcontract.experiment.runner.ExperimentError: worker processes cannot start: each "
        "one reads the main script again from its file, and '<stdin>' is not a file (a "
        "script read from standard input?); save the script to a file and run that, or use "
        "one worker (workers=1, --workers 1)"
    )
    assert proc.stderr.count("Traceback") == 1  # this process's own, no worker's
    assert not (tmp_path / "batch").exists()


def test_a_script_read_from_standard_input_runs_on_one_worker(tmp_path: Path) -> None:
    code = (
        "from simcontract import Scenario, compare\n"
        'tiny = Scenario({"years": 2, "initial_ngos": 12, "n_bureaux": 4}, name="tiny")\n'
        "print(len(compare([tiny], replications=2, workers=1).runs))\n"
    )
    proc = _from_stdin(code, tmp_path)
    assert (proc.returncode, proc.stdout) == (0, "2\n"), proc.stderr
