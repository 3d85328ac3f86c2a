"""The code shows its design: the year as a list of phases, named numbers, short functions."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

import simcontract
from simcontract import model, phases
from simcontract.outcomes import OUTCOMES, POOLINGS, YearRecord

PACKAGE = Path(simcontract.__file__).parent

SCHEDULE = (
    "budgets",
    "entry",
    "cadres",
    "strategy",
    "tendering",
    "workforce",  # staffing
    "delivery",
    "evaluation",
    "money",
    "workforce",  # turnover
    "closing",
)
"""The phase module of each line of ``step()``, in order."""

CORE = [PACKAGE / "agents.py", PACKAGE / "model.py", *sorted((PACKAGE / "phases").glob("*.py"))]
CORE += [PACKAGE / f"{name}.py" for name in ("openround", "ngostate", "contractstate", "batch")]
CORE += [PACKAGE / "outcomes.py"]

STRUCTURAL = {
    # (file, value): why the literal is not a behavioural number
    ("evaluation.py", 3): "three indicators (hours, documents, outcome)",
    ("evaluation.py", 2): "two normal draws per contract (outcome noise, score noise)",
    ("tendering.py", 2): "index of the workload weight; the square in the HHI; 2.0 is a "
    "key above every uniform draw, marking an unwanted tender",
    ("model.py", 2): "the warning's stack level",
    ("openround.py", 2): "two normal draws per entry (price, award)",
    ("ngostate.py", 2): "arrays grow by doubling; one row past the last",
    ("ngostate.py", 64): "rows an empty state starts with",
    ("outcomes.py", 2): "squares in sums of squares; the Gini coefficient's formula",
    ("outcomes.py", 3): "a correlation needs at least three points",
    ("outcomes.py", 0.6): "how close a misspelt name must be to be suggested (difflib)",
    ("entry.py", 2): "mu = -sigma**2 / 2 keeps the mean of a log-normal factor at 1",
}
"""Numeric literals allowed in the core besides 0, 1 and -1, with the reason."""


def _phase_calls(function: object) -> list[tuple[str, str]]:
    tree = ast.parse(inspect.cleandoc("\n" + inspect.getsource(function)))
    return [
        (node.func.value.id, node.func.attr)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id in SCHEDULE
    ]


def test_step_names_every_phase_once_with_the_same_arguments() -> None:
    source = inspect.getsource(model.ContractingModel.step)
    assert len(source.splitlines()) <= 30, "step() must fit on one screen"
    calls = _phase_calls(model.ContractingModel.step)
    assert [m for m, _ in calls] == list(SCHEDULE)
    modules = {p.stem for p in (PACKAGE / "phases").glob("*.py")} - {"__init__"}
    assert set(SCHEDULE) == modules, "a phase module the year never runs"
    for module, name in calls:
        function = getattr(getattr(phases, module), name)
        assert list(inspect.signature(function).parameters) == ["city", "rules", "record"]


def _functions(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.name, node.end_lineno - node.lineno + 1)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]


def test_no_function_is_longer_than_80_lines() -> None:
    long = [
        f"{path.relative_to(PACKAGE)}:{name} ({lines} lines)"
        for path in sorted(PACKAGE.rglob("*.py"))
        for name, lines in _functions(path)
        if lines > 80 and not (path.name == "cli.py" and name == "build_parser")
    ]
    assert not long, long


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.name)
def test_core_numbers_are_named(path: Path) -> None:
    """Behavioural numbers live in named, documented constants (or the registry)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    named = {
        id(sub)
        for node in tree.body
        if isinstance(node, ast.Assign | ast.AnnAssign)
        for sub in ast.walk(node)
    }
    unnamed = sorted(
        {
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and type(node.value) in (int, float)
            and id(node) not in named
            and node.value not in (0, 1, -1)
            and (path.name, node.value) not in STRUCTURAL
        }
    )
    assert not unnamed, f"unnamed numbers in {path.name}: {unnamed}"


def test_every_outcome_is_declared_once_with_a_measure_and_a_pooling() -> None:
    counters = {f for f in YearRecord.__dataclass_fields__ if f != "year"}
    for name, outcome in OUTCOMES.items():
        assert outcome.name == name and outcome.unit and outcome.yearly and outcome.summary
        assert outcome.pooling in POOLINGS
        assert callable(outcome.measure)
        used = {word for word in str(outcome.measure).replace("/", " ").split()}
        assert used & (counters | {"hours_total"}) or "Pearson" in str(outcome.measure), name


def test_design_page_shows_the_schedule_as_the_code_has_it() -> None:
    page = (PACKAGE.parent / "docs" / "DESIGN.md").read_text(encoding="utf-8")
    shown = [line.strip() for line in page.splitlines() if "(city, rules, record)" in line]
    code = [
        line.strip()
        for line in inspect.getsource(model.ContractingModel.step).splitlines()
        if "(city, rules, record)" in line
    ]
    assert code and shown[-len(code) :] == code
