"""The pages a newcomer reads first (README, getting started, the how-tos, citing) agree
with the command line, the package and what a run gives."""

from __future__ import annotations

import math
import re
import shlex
import tomllib
from inspect import signature
from pathlib import Path

import pytest
from test_docs_zh import inline_commands, shell_commands, unknown_options

from simcontract import ContractingModel, compare, i18n, load_scenario
from simcontract.appreplicate import REPLICATIONS
from simcontract.cli import UsageError, build_parser, parse_set
from simcontract.experiment.designs import Grid, Sobol
from simcontract.experiment.discovery import discovery_design
from simcontract.experiment.stats import paired_difference
from simcontract.scenario import builtin_names

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = [
    ROOT / "README.md",
    DOCS / "index.md",
    DOCS / "getting-started.md",
    DOCS / "how-to" / "what-if.md",
    DOCS / "how-to" / "calibration.md",
    DOCS / "how-to" / "bayesian-calibration.md",
    DOCS / "how-to" / "discovery.md",
    DOCS / "how-to" / "app.md",
    DOCS / "scenarios.md",
    DOCS / "cite.md",
]
"""The English pages a newcomer reads first."""

WITHOUT_COMMANDS = {
    "docs/index.md": "the site's front page says what the model is and names no command",
}
"""Pages of ``PAGES`` that name no ``simcontract`` command at all, and why."""

WITHOUT_SHELL_COMMANDS = {
    **WITHOUT_COMMANDS,
    "docs/scenarios.md": "names its commands inline only, some with a placeholder (SCENARIO)",
}
"""Pages of ``PAGES`` with no ``simcontract`` command in a shell block, and why."""

DEFAULTS_OF = {"discovery.md": "discover", "bayesian-calibration.md": "calibrate"}
"""Pages that quote the defaults of one command's options, and that command."""

QUOTED_DEFAULT = re.compile(r"`(--[a-z-]+)`[^`()]*\(default ([0-9][0-9.]*)[;,)]")
"""An option in a code span followed by ``(default NUMBER...)`` in the same sentence."""

APP_LABELS = (
    "scenario",
    "seed",
    "rules",
    "step",
    "play",
    "pause",
    "reset",
    "keep",
    "start_over",
    "download_csv",
    "download_png",
)
"""Interface texts of the app (``app.<key>``) the English guide names."""

TIMING_ROW = re.compile(r"^\| `(simcontract [^`]+)` \| ([\d,]+) \|", flags=re.M)
"""A row of the table of run times: the command and the runs it makes."""


def name(page: Path) -> str:
    """A page's path as the repository names it."""
    return page.relative_to(ROOT).as_posix()


def parsed(command: str):
    """The parsed arguments of ``command``, after checking its values as the command
    line would: ``--set`` names and values, and scenario names."""
    args = build_parser().parse_args(shlex.split(command)[1:])
    parse_set(getattr(args, "set", None))
    scenarios = getattr(args, "scenario", None) or []
    for scenario in [scenarios] if isinstance(scenarios, str) else scenarios:
        assert scenario in builtin_names() or scenario.endswith(".toml"), scenario
    return args


def pages_without(listed: dict[str, str]) -> list[Path]:
    """The pages of ``PAGES`` not in ``listed``."""
    return [page for page in PAGES if name(page) not in listed]


def test_pages_left_out_of_the_command_checks_name_no_command() -> None:
    """A page that gains a command leaves the lists, so the checks below cover it."""
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        if name(page) in WITHOUT_COMMANDS:
            assert not shell_commands(text) + inline_commands(text), name(page)
        if name(page) in WITHOUT_SHELL_COMMANDS:
            assert not shell_commands(text), name(page)
    assert set(WITHOUT_SHELL_COMMANDS) <= {name(page) for page in PAGES}


@pytest.mark.parametrize("page", pages_without(WITHOUT_COMMANDS), ids=name)
def test_commands_name_existing_subcommands_and_options(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    said = shell_commands(text) + [c.replace("\\|", "|") for c in inline_commands(text)]
    assert said, f"{name(page)} names no simcontract command"
    wrong = {c: bad for c in said if (bad := unknown_options(c))}
    assert not wrong, f"{name(page)} names what the command line does not know: {wrong}"


@pytest.mark.parametrize("page", pages_without(WITHOUT_SHELL_COMMANDS), ids=name)
def test_shell_commands_parse_with_valid_values(
    page: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    commands = shell_commands(page.read_text(encoding="utf-8"))
    assert commands, f"{name(page)} has no simcontract command in a shell block"
    for command in commands:
        try:
            parsed(command)
        except SystemExit as stop:  # --version, --help
            assert stop.code == 0, f"{name(page)}: {command}"
        except UsageError as err:
            pytest.fail(f"{name(page)}: {command}: {err}")
    capsys.readouterr()


def test_a_continued_command_is_one_command() -> None:
    text = "```bash\nsimcontract discover baseline --where 'a < 1' \\\n    --points 8  # x\n```\n"
    assert shell_commands(text) == ["simcontract discover baseline --where 'a < 1' --points 8"]
    chained = "```bash\n$ pip install . && simcontract compare --colour red; simcontract app\n```\n"
    assert shell_commands(chained) == ["simcontract compare --colour red", "simcontract app"]
    assert unknown_options(shell_commands(chained)[0]) == ["--colour"]
    with pytest.raises(UsageError, match="--colour"):
        parsed(shell_commands(chained)[0])
    assert QUOTED_DEFAULT.findall("`--points` (default 128) and `--max-qp` (default 0.05;") == [
        ("--points", "128"),
        ("--max-qp", "0.05"),
    ]


@pytest.mark.parametrize("page", sorted(DEFAULTS_OF), ids=str)
def test_quoted_defaults_are_the_command_lines(page: str) -> None:
    text = (DOCS / "how-to" / page).read_text(encoding="utf-8")
    command = next(
        a.choices[DEFAULTS_OF[page]] for a in build_parser()._actions if isinstance(a.choices, dict)
    )
    defaults = {o: a.default for a in command._actions for o in a.option_strings}
    quoted = QUOTED_DEFAULT.findall(" ".join(text.split()))
    assert quoted, f"{page} quotes no defaults"
    if page == "discovery.md":  # resolved after parsing, from the discovery's own default
        defaults["--points"] = signature(discovery_design).parameters["points"].default
    wrong = {o: (v, defaults.get(o)) for o, v in quoted if defaults.get(o) != float(v)}
    assert not wrong, f"{page}: quoted default vs the command line's: {wrong}"


@pytest.mark.parametrize("lang", ["", "zh/"])
def test_getting_started_names_every_extra(lang: str) -> None:
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "optional-dependencies"
    ]
    text = (DOCS / f"{lang}getting-started.md").read_text(encoding="utf-8")
    missing = [extra for extra in extras if f"`.[{extra}]`" not in text]
    assert not missing, f"docs/{lang}getting-started.md does not name the extras {missing}"


def runs_of(command: str) -> int:
    """How many model runs ``command`` makes (``compare``, ``sweep``, ``discover``)."""
    args = parsed(command)
    if args.command == "compare":
        return len(args.scenario or builtin_names()) * args.replications
    if args.command == "sweep" and args.grid:
        sizes = [len(g.split("=", 1)[1].split(",")) for g in args.grid]
        return math.prod(sizes) * args.replications
    if args.command == "sweep" and args.sobol:
        return len(Sobol(args.sobol, {p: (0.0, 1.0) for p in args.param})) * args.replications
    if args.command == "discover":
        points = args.points or signature(discovery_design).parameters["points"].default
        return points * args.replications
    raise AssertionError(f"no count of runs for {command}")


def test_the_runs_a_command_makes_are_counted_right() -> None:
    rows = TIMING_ROW.findall((DOCS / "getting-started.md").read_text(encoding="utf-8"))
    assert len(rows) >= 4, "getting-started.md lacks its table of runs and times"
    wrong = {c: (n, runs_of(c)) for c, n in rows if int(n.replace(",", "")) != runs_of(c)}
    assert not wrong, f"runs the page states vs runs the command makes: {wrong}"
    grid = Grid({"favouritism": [0, 0.5, 1], "years": [2, 3]})
    assert len(grid) * 10 == runs_of(
        "simcontract sweep baseline --grid favouritism=0,0.5,1 --grid years=2,3"
    )


def test_a_run_of_a_batch_repeats_from_its_seed_as_getting_started_says() -> None:
    """A batch's run, repeated alone on the seed of its ``seed`` column, gives the same
    summary: what the page tells a reader who must show where a number came from."""
    text = " ".join((DOCS / "getting-started.md").read_text(encoding="utf-8").split())
    assert "`seed` column of `runs.csv`" in text
    assert "simcontract run SCENARIO --seed SEED" in text
    scenario = load_scenario("baseline").replace(years=3)
    runs = compare([scenario], replications=2, workers=1, seed=5).runs
    row = runs[runs["replication"] == 1].iloc[0]
    alone = ContractingModel(scenario, rng=int(row["seed"])).run().summary()
    assert alone["staff_turnover"] == row["staff_turnover"]
    assert alone["active_ngos"] == row["active_ngos"]


def test_the_reporting_example_is_what_the_main_job_gives() -> None:
    """The example sentence of cite.md quotes the levels and the paired difference that
    ``simcontract compare`` (seed 0, 30 replications) gives for staff turnover."""
    text = " ".join((DOCS / "cite.md").read_text(encoding="utf-8").split())
    example = re.search(
        r"was ([\d.]+) \(95% CI ([\d.]+) to ([\d.]+)\) under Beijing's piecemeal projects "
        r"against ([\d.]+) \(([\d.]+) to ([\d.]+)\) in the baseline city: a paired difference "
        r"of ([-+][\d.]+) \(([-+][\d.]+) to ([-+][\d.]+)\)",
        text,
    )
    assert example, "cite.md lacks its example of a reported result"
    said = [float(x) for x in example.groups()]
    results = compare(["baseline", "beijing_piecemeal"], replications=30, seed=0, workers=2)
    level = results.table(["staff_turnover"]).set_index("scenario")
    gap = results.contrasts(reference="baseline", outcomes=["staff_turnover"]).iloc[0]
    bj, base = level.loc["beijing_piecemeal"], level.loc["baseline"]
    got = [
        *(bj["mean"], bj["low"], bj["high"]),
        *(base["mean"], base["low"], base["high"]),
        *(gap["difference"], gap["low"], gap["high"]),
    ]
    wrong = [(s, g) for s, g in zip(said, got, strict=True) if abs(s - g) > 0.0005 + 1e-12]
    assert not wrong, f"cite.md's example (said, got): {wrong}"


def test_the_paired_difference_example_has_the_sign_it_says() -> None:
    """what-if.md's ``paired_difference`` call gives the difference its comment names
    (``b - a``, the second arm minus the first), the sign ``contrasts()`` gives too."""
    text = (DOCS / "how-to" / "what-if.md").read_text(encoding="utf-8")
    said = re.search(r"# paired_difference\(a, b\) is b - a: here (.+?) minus (.+?),", text)
    call = re.search(r'^paired_difference\(runs\["(.+?)"\], runs\["(.+?)"\]\)', text, re.M)
    assert said and call, "what-if.md lacks its paired_difference example and its comment"
    minuend, subtrahend = said.groups()
    a, b = call.groups()
    assert b.startswith(minuend.removesuffix(" contracts")), (minuend, b)
    assert a.startswith(subtrahend.removesuffix(" contracts")), (subtrahend, a)
    assert paired_difference([1.0, 2.0], [4.0, 4.0]).mean == 2.5


@pytest.mark.parametrize("page", PAGES, ids=name)
def test_installs_come_from_the_copy_or_a_release_file(page: Path) -> None:
    """``pip install`` takes the repository's copy (``.``, ``".[extra]"``) or a release's
    wheel: simcontract is not fetched by name from a package index, where the name may
    hold another project."""
    text = page.read_text(encoding="utf-8")
    said = re.findall(r"pip install ((?:-e )?\S+)", text)
    local = re.compile(r'(?:-e )?(?:\.|"\.\[\w+\]"|simcontract-[\w.-]+\.whl)')
    wrong = [s for s in said if not local.fullmatch(s.rstrip("`);,"))]
    assert not wrong, f"{name(page)} installs by name from an index: {wrong}"


def test_the_app_guide_names_the_controls_as_the_app_shows_them() -> None:
    """The English guide's bold and italic names are the app's own English labels."""
    text = (DOCS / "how-to" / "app.md").read_text(encoding="utf-8")
    named = {
        part.strip()
        for bold, italic in re.findall(r"\*\*([^*]+)\*\*|(?<!\*)\*([^*]+)\*(?!\*)", text)
        for part in (bold or italic).split(" / ")
    }
    shown = [i18n.text(f"app.{key}", "en") for key in APP_LABELS]
    shown.append(i18n.text("app.replicate", "en", n=REPLICATIONS))
    missing = [label for label in shown if label not in named]
    assert not missing, f"docs/how-to/app.md does not name these as the app shows them: {missing}"


def test_the_robustness_runs_are_counted_right() -> None:
    """getting-started.md's count of the runs of ``robustness --points N``: points x
    replications x two arms x every comparison of ``patterns.toml``."""
    text = " ".join((DOCS / "getting-started.md").read_text(encoding="utf-8").split())
    said = re.search(r"`(simcontract robustness --points \d+)` makes up to ([\d,]+) runs", text)
    assert said, "getting-started.md does not say how many runs robustness makes"
    args = parsed(said.group(1))
    patterns = tomllib.loads((ROOT / "simcontract" / "patterns.toml").read_text("utf-8"))
    runs = args.points * args.replications * 2 * len(patterns["pattern"])
    assert int(said.group(2).replace(",", "")) == runs
