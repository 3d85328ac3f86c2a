"""The Chinese pages (docs/zh/) stay in step with the command line, the app and the
English pages they mirror."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml

from simcontract import i18n
from simcontract.appcharts import PANELS
from simcontract.appcontrols import key_rules, more_rules
from simcontract.appreplicate import REPLICATIONS
from simcontract.appruns import RUN_ON_YEARS
from simcontract.appviews import READOUTS
from simcontract.cli import UsageError, build_parser, parse_set
from simcontract.scenario import builtin_names, load_scenario
from simcontract.textwidth import BREAK

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
ZH = DOCS / "zh"
PAGES = sorted(ZH.glob("*.md"))

ORIGINAL = re.compile(r"^\[English version\]\(([^)\s]+)\)$", flags=re.M)
"""The line of a Chinese page that links to the English page it mirrors."""

FENCE = re.compile(r"^```(\w*)[^\n]*\n(.*?)^```", flags=re.S | re.M)
SHELL = ("bash", "sh", "shell", "console")

APP_LABELS = (
    "toggle_sidebar",
    "projector",
    "reset",
    "step",
    "play",
    "pause",
    "keep",
    "download_csv",
    "download_png",
    "scenario",
    "rules",
    "seed",
    "more_rules",
    "more_rules_hide",
    "start_over",
    "undo",
    "grouping_auto",
    "grouping_detail",
    "grouping_districts",
    "hide_exited",
    "all_districts",
    "close",
    "compare_title",
    "layout_overlay",
    "layout_side",
    "forget_kept",
    "replicate_title",
)
"""Interface texts of the app (``app.<key>``) the Chinese guide names."""


def blocks(text: str, languages: tuple[str, ...]) -> list[str]:
    """The fenced code blocks of Markdown ``text`` in one of ``languages``."""
    return [body for lang, body in FENCE.findall(text) if lang in languages]


def shell_lines(text: str) -> list[str]:
    """The commands of the shell blocks of ``text``, comments left out, one per line (a
    line ending in a backslash joined to the next, as the shell does)."""
    lines = []
    for block in blocks(text, SHELL):
        for line in re.sub(r"\\\n", " ", block).splitlines():
            words = shlex.split(line, comments=True)
            if words:
                lines.append(shlex.join(words))
    return lines


SEPARATORS = frozenset({"&&", "||", ";", "|"})
"""What ends one command of a shell line and starts the next."""

ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
"""An environment assignment before a command (``SIMCONTRACT_LANG=zh_CN``)."""


COMMAND = re.compile(r"(?:^|[\s;&|])simcontract(?:\s|$)")
"""Where a ``simcontract`` command starts in a line or a code span."""


def commands_of(line: str) -> list[str]:
    """The ``simcontract`` commands of one shell line: its parts between ``&&``, ``||``,
    ``;`` and ``|``, a leading ``$ `` prompt, environment assignments and comments left
    out (``pip install . && simcontract compare`` holds ``simcontract compare``)."""
    lexer = shlex.shlex(line.strip().removeprefix("$ "), posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    lexer.commenters = "#"
    parts: list[list[str]] = [[]]
    for word in lexer:
        if word in SEPARATORS:
            parts.append([])
        elif parts[-1] or not ASSIGNMENT.match(word):
            parts[-1].append(word)
    return [shlex.join(part) for part in parts if part and part[0] == "simcontract"]


def shell_commands(text: str) -> list[str]:
    """The ``simcontract`` commands of the shell blocks of ``text`` (a line ending in a
    backslash joined to the next), each part of a chained line on its own."""
    return [
        command
        for block in blocks(text, SHELL)
        for line in re.sub(r"\\\n", " ", block).splitlines()
        for command in commands_of(line)
    ]


def python_lines(text: str) -> list[str]:
    """The code lines of the Python blocks of ``text``, without trailing comments."""
    lines = []
    for block in blocks(text, ("python",)):
        for line in block.splitlines():
            code = re.sub(r"\s+#.*$", "", line).rstrip()
            if code and not code.lstrip().startswith("#"):
                lines.append(code)
    return lines


def inline_commands(text: str) -> list[str]:
    """``simcontract ...`` commands in inline code spans, outside fenced blocks, each part
    of a chained span (``pip install ".[app]" && simcontract app``) on its own."""
    spans = re.findall(r"`([^`]+)`", FENCE.sub("", text))
    return [c for span in spans if COMMAND.search(span) for c in commands_of(span)]


def subcommands() -> dict:
    """The ``simcontract`` parser's subcommand parsers, by name."""
    parser = build_parser()
    return next(a.choices for a in parser._actions if isinstance(a.choices, dict))


def unknown_options(command: str) -> list[str]:
    """What ``command`` names that the parser does not know: its subcommand or options."""
    words = shlex.split(command, comments=True)[1:]
    if not words or words[0].startswith("-"):
        options = {o for a in build_parser()._actions for o in a.option_strings}
        return [w for w in words if w.startswith("-") and w not in options]
    found = subcommands().get(words[0])
    if found is None:
        return [words[0]]
    options = {o for a in found._actions for o in a.option_strings}
    said = [w.split("=", 1)[0] for w in words[1:] if w.startswith("-") and w != "-"]
    return [o for o in said if o not in options]


def original(page: Path) -> Path:
    """The English page a Chinese page mirrors (its ``[English version]`` link)."""
    links = ORIGINAL.findall(page.read_text(encoding="utf-8"))
    assert len(links) == 1, f"{page.name}: expected one '[English version](...)' line"
    return (page.parent / links[0]).resolve()


def links_to(page: Path, target: Path) -> bool:
    """Whether Markdown ``page`` has a link to ``target``."""
    for link in re.findall(r"\]\(([^)\s#]+)(?:#[^)\s]*)?\)", page.read_text(encoding="utf-8")):
        if (page.parent / link).resolve() == target.resolve():
            return True
    return False


def nav_pages(node: object) -> list[str]:
    """Every page a part of mkdocs.yml's ``nav`` lists."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [p for value in node.values() for p in nav_pages(value)]
    if isinstance(node, list):
        return [p for item in node for p in nav_pages(item)]
    return []


def nav_section(title: str) -> list[str]:
    """The pages of one top-level section of the site's navigation."""
    nav = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))["nav"]
    return next(nav_pages(e[title]) for e in nav if isinstance(e, dict) and title in e)


def quoted(text: str) -> set[str]:
    """The texts in Chinese double quotes in ``text``."""
    return set(re.findall(r"“([^“”]+)”", text))


WITHOUT_SHELL_COMMANDS = {
    "index.md": "the front page names its commands inline only",
    "model.md": "the model's description names its commands inline only",
    "scenarios.md": "names its commands inline only, some with a placeholder (SCENARIO)",
}
"""Chinese pages with no ``simcontract`` command in a shell block, and why."""


def test_pages_left_out_of_the_parse_check_have_no_shell_command() -> None:
    """A page that gains a command in a shell block leaves the list, so it is parsed."""
    for page in PAGES:
        if page.name in WITHOUT_SHELL_COMMANDS:
            assert not shell_commands(page.read_text(encoding="utf-8")), page.name
    assert set(WITHOUT_SHELL_COMMANDS) <= {page.name for page in PAGES}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_commands_name_existing_subcommands_and_options(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    commands = shell_commands(text) + inline_commands(text)
    assert commands, f"docs/zh/{page.name} names no simcontract command"
    wrong = {c: bad for c in commands if (bad := unknown_options(c))}
    assert not wrong, f"docs/zh/{page.name} names what the command line does not know: {wrong}"


@pytest.mark.parametrize(
    "page", [p for p in PAGES if p.name not in WITHOUT_SHELL_COMMANDS], ids=lambda p: p.name
)
def test_command_lines_parse_with_valid_values(
    page: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each command of a shell block is accepted as written: arguments, ``--set`` names
    and values, ``--lang`` and scenario names."""
    commands = shell_commands(page.read_text(encoding="utf-8"))
    assert commands, f"docs/zh/{page.name} has no simcontract command in a shell block"
    for command in commands:
        argv = shlex.split(command)[1:]
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as stop:  # --version, --help
            assert stop.code == 0, f"docs/zh/{page.name}: {command}"
            continue
        except UsageError as err:
            pytest.fail(f"docs/zh/{page.name}: {command}: {err}")
        try:
            parse_set(getattr(args, "set", None))
            i18n.resolve(getattr(args, "lang", None))
        except (UsageError, ValueError) as err:
            pytest.fail(f"docs/zh/{page.name}: {command}: {err}")
        scenarios = getattr(args, "scenario", None) or []
        for name in [scenarios] if isinstance(scenarios, str) else scenarios:
            assert name in builtin_names() or name.endswith(".toml"), (
                f"docs/zh/{page.name}: {command}: no scenario {name!r}"
            )
    capsys.readouterr()


def test_a_command_continued_on_the_next_line_is_one_command() -> None:
    block = "```bash\nsimcontract sweep baseline --grid a=1 \\\n    --out r  # here\nls\n```\n"
    assert shell_lines(block) == ["simcontract sweep baseline --grid a=1 --out r", "ls"]


def test_the_scenarios_page_names_each_scenario_as_the_catalogue_does() -> None:
    """Its table of the built-in scenarios' Chinese names and descriptions."""
    text = (ZH / "scenarios.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(\w+)` \| (.+?) \|", text, flags=re.M))
    assert sorted(rows) == sorted(builtin_names())
    for name in builtin_names():
        title = i18n.scenario_title(name, "zh_CN").replace(BREAK, "")
        english = load_scenario(name).description
        description = i18n.scenario_description(name, english, "zh_CN").replace(BREAK, "")
        assert f"| `{name}` | {title} | {description} |" in text, name


def test_a_wrong_option_or_value_is_caught() -> None:
    assert unknown_options("simcontract app --open --colour red") == ["--colour"]
    assert unknown_options("simcontract app --port=8770") == []
    assert unknown_options("simcontract serve") == ["serve"]
    assert unknown_options("simcontract --version") == []
    assert shell_lines("```bash\nsimcontract params -v    # 全部参数\n```\n") == [
        "simcontract params -v"
    ]
    assert inline_commands("用 `simcontract run` 和 `simcontract.load_results()`") == [
        "simcontract run"
    ]
    chained = '```bash\n$ pip install ".[app]" && simcontract app --colour red\n```\n'
    assert shell_commands(chained) == ["simcontract app --colour red"]
    assert inline_commands("`X=1 simcontract app; simcontract serve`") == [
        "simcontract app",
        "simcontract serve",
    ]
    with pytest.raises(UsageError):
        parse_set(["no_such_rule=1"])


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_each_page_names_its_english_original(page: Path) -> None:
    english = original(page)
    assert english.is_file(), f"docs/zh/{page.name} mirrors {english}, which is missing"
    assert english.parent != ZH


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_commands_and_code_of_the_english_page_are_in_the_chinese(page: Path) -> None:
    """What the English page tells the reader to type is in its Chinese version too."""
    english = original(page).read_text(encoding="utf-8")
    chinese = page.read_text(encoding="utf-8")
    missing = [c for c in shell_lines(english) if c not in shell_lines(chinese)]
    missing += [c for c in python_lines(english) if c not in python_lines(chinese)]
    assert not missing, f"docs/zh/{page.name} lacks, of its English page: {missing}"


def test_english_how_tos_link_their_chinese_versions() -> None:
    mirrored = {original(page): page for page in PAGES}
    unlinked = []
    for name in nav_section("How-to guides"):
        english = (DOCS / name).resolve()
        if english in mirrored and not links_to(english, mirrored[english]):
            unlinked.append(name)
    assert (DOCS / "how-to" / "app.md").resolve() in mirrored
    assert not unlinked, f"English how-tos without a link to their Chinese version: {unlinked}"


def test_every_chinese_page_is_in_the_site_navigation() -> None:
    listed = nav_section("中文")
    missing = [p.name for p in PAGES if f"zh/{p.name}" not in listed]
    assert not missing, f"Chinese pages missing from mkdocs.yml's nav (中文): {missing}"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_no_word_break_marks(page: Path) -> None:
    assert BREAK not in page.read_text(encoding="utf-8"), (
        f"docs/zh/{page.name} holds U+200B word-break marks (the catalogue's, not shown)"
    )


def test_the_app_guide_quotes_the_app_as_it_shows_itself() -> None:
    """Buttons, controls, panels and rules are named as the Chinese app shows them."""
    text = (ZH / "app.md").read_text(encoding="utf-8")
    zh = "zh_CN"
    shown = [i18n.text(f"app.{key}", zh) for key in APP_LABELS]
    shown.append(i18n.text("app.replicate", zh, n=REPLICATIONS))
    shown.append(i18n.text("app.run_on", zh, n=RUN_ON_YEARS))
    shown += [i18n.text(f"app.panel_{panel.key}", zh) for panel in PANELS]
    shown += [i18n.outcome_label(name, zh) for name in READOUTS]
    shown += [i18n.parameter_label(name, zh) for name in ("years", *key_rules())]
    shown += [i18n.group_name(group, zh) for group in more_rules()]
    shown += list(i18n.LANGUAGES.values())
    missing = [label for label in shown if label not in quoted(text)]
    assert not missing, f"docs/zh/app.md does not quote these as the app shows them: {missing}"
