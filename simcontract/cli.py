"""The ``simcontract`` command line.

Bad input (unknown scenario or parameter, bad value, bad option, an unusable or damaged
results folder, a batch too large) prints one line ``simcontract: error: ...`` to stderr
and exits with status 2, without a traceback. Warnings are one line each
(``simcontract: warning: ...``). A failure of the machine (a full disk, a worker process
killed) exits with status 1; a signal (Ctrl-C, SIGTERM) ends a batch cleanly, says how to
resume it and exits with 128 + the signal's number.

The help, these lines and the reports are in the language of ``--lang``, else of the
environment variable ``SIMCONTRACT_LANG``, else English (:mod:`simcontract.clihelp`):
``simcontract run --help --lang zh_CN`` prints the help in Simplified Chinese.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import functools
import math
import os
import re
import shlex
import signal
import string
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from simcontract.clihelp import (
    LANGUAGE_VARIABLE,
    Formatter,
    argparse_message,
    helped,
    language,
    localise,
    unknown_language,
)
from simcontract.i18n import error_text, listed, os_message, os_reason
from simcontract.marketsize import check_market_size
from simcontract.outcomes import closest
from simcontract.params import PARAMETERS, unknown_message
from simcontract.scenario import (
    Scenario,
    ScenarioError,
    ScenarioWarning,
    load_scenario,
    load_sources,
)


class UsageError(Exception):
    """Bad command-line input; reported as one line with exit status 2."""


class _Stopped(Exception):
    """A batch ended by a signal or a lost worker: one line, and the exit status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """argparse in the language in use (:mod:`simcontract.clihelp`); an error is one
    line with exit status 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", Formatter)
        super().__init__(*args, **kwargs)
        localise(self)

    def error(self, message: str) -> None:  # one line, exit 2 (argparse adds usage)
        raise UsageError(argparse_message(message))


def parse_set(items: Sequence[str] | None) -> dict[str, Any]:
    """Parse ``--set name=value`` items into validated parameter values.

    Raises:
        UsageError: Malformed item, unknown name or bad value.
    """
    values: dict[str, Any] = {}
    for item in items or []:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UsageError(said("error.set_form", item=repr(item)))
        if name not in PARAMETERS:
            raise UsageError(_item_reason("--set", item, unknown_message(name)))
        try:
            values[name] = PARAMETERS[name].parse(text)
        except ValueError as err:
            raise UsageError(_item_reason("--set", item, err)) from None
    return values


def scenario_with(name: str, settings: Sequence[str] | None) -> Scenario:
    """Load a scenario and apply ``--set`` items to it; warn of rule changes that never
    take effect in the run (e.g. after ``--set years=...``) and of those that set a
    parameter given by ``--set`` again."""
    from simcontract import i18n

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ScenarioWarning)
            scenario = load_scenario(name)
        # Changes the run never reaches are said below, once --set has applied.
        unreached = tuple(scenario.unreached_changes())
        for warning in caught:
            text = str(warning.message)
            if not issubclass(warning.category, ScenarioWarning):
                warnings.warn_explicit(
                    warning.message, warning.category, warning.filename, warning.lineno
                )
            elif not (unreached and text.endswith(unreached)):
                warn(text)
        changes = parse_set(settings)
        scenario = scenario.replace(**changes) if changes else scenario
        check_market_size(scenario)
    except ScenarioError as err:
        raise UsageError(str(err)) from None
    by_set = i18n.text("errors.scenario.by_set")
    lines = scenario.unreached_changes() + scenario.superseded(changes, by_set)
    for line in lines:
        warn(said("error.scenario_warning", name=repr(name), line=line))
    return scenario


def format_table(rows: Sequence[Sequence[str]], headers: Sequence[str]) -> str:
    """Plain-text table with aligned columns (a Chinese character takes two)."""
    from simcontract.textwidth import display_width, pad

    widths = [
        max(display_width(h), *(display_width(r[i]) for r in rows)) for i, h in enumerate(headers)
    ]
    line = "  ".join(pad(h, w) for h, w in zip(headers, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(pad(c, w) for c, w in zip(r, widths, strict=True)) for r in rows]
    return "\n".join(out)


def format_value(value: float) -> str:
    """Outcome value with sensible precision."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "nan"
    if abs(value) >= 1e5:
        return f"{value:,.0f}"
    if float(value).is_integer():
        return f"{int(value)}"
    return f"{value:.4g}"


def check_out_dir(out: Path, option: str = "--out") -> None:
    """Check that ``out`` is, or can be made, a writable directory.

    Raises:
        UsageError: ``out`` or one of its parents is a file, or the nearest existing
            folder is not writable.
    """
    for folder in (out, *out.parents):
        if folder.exists():
            if not folder.is_dir():
                where = "out_exists" if folder == out else "out_below_file"
                raise UsageError(said(f"error.{where}", **_folders(option, out, folder)))
            if not os.access(folder, os.W_OK | os.X_OK):
                raise UsageError(said("error.out_not_writable", **_folders(option, out, folder)))
            if folder != out:
                _check_creatable(out, folder, option)
            return


def _check_creatable(out: Path, folder: Path, option: str) -> None:
    """Check that a folder can be made in ``folder`` by making and removing one: some
    file systems (``/proc``, a read-only mount seen by root) refuse what ``os.access``
    allows. A full disk is left to the command, which says what is kept."""
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".simcontract-", dir=folder))
    except OSError as err:
        if err.errno == errno.ENOSPC:
            return
        reason = os_reason(err, err.strerror or type(err).__name__)
        raise UsageError(
            said("error.no_folder", **_folders(option, out, folder), reason=reason)
        ) from None


def _folders(option: str, out: Path, folder: Path) -> dict[str, str]:
    """The placeholders of a message about folder ``out`` of ``option`` and ``folder``."""
    return {"option": option, "out": repr(str(out)), "folder": repr(str(folder))}


def _item_reason(option: str, item: str, reason: Any) -> str:
    """One line: an option's item and what is wrong with it."""
    return said("error.item_reason", option=option, item=repr(item), reason=reason)


_STEM_BYTES = 100
"""Most bytes of a file-name stem made from a scenario name (file names hold 255)."""


def file_stem(name: str) -> str:
    """``name`` made safe as one file-name component (no separators, no leading dot, at
    most :data:`_STEM_BYTES` bytes in UTF-8)."""
    stem = re.sub(r"[^\w.-]+", "_", name).strip(".")
    while len(stem.encode("utf-8")) > _STEM_BYTES:
        stem = stem[:-1]
    return stem or "scenario"


_API_WORDS = (
    ("errors.robustness.api_choose", "errors.robustness.cli_choose"),
    ("errors.robustness.api_range", "errors.robustness.cli_range"),
    ("errors.discovery.how_inputs", "cli.error.how_inputs"),
)
"""How a message of the Python API names an argument, and how the command line does: the
catalogue's texts of each, in the language in use."""


def in_cli_words(message: str) -> str:
    """A message of the Python API, naming the command line's options instead of the
    function's arguments."""
    from simcontract import i18n

    for api, cli in _API_WORDS:
        words = _template_pattern(i18n.text(api))
        message = re.sub(words, functools.partial(_said_again, cli), message)
    return message


def _said_again(key: str, found: re.Match[str]) -> str:
    """The catalogue's text ``key`` with the fields of a message ``found`` holds."""
    from simcontract import i18n

    return i18n.text(key, **found.groupdict())


def _template_pattern(template: str) -> str:
    """A regular expression matching the texts a catalogue template gives, each
    ``{field}`` a named group (so that the command line's words can say it again)."""
    parts, seen = [], set()
    for literal, field, _spec, _conversion in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if field:
            parts.append(f"(?P={field})" if field in seen else f"(?P<{field}>.+?)")
            seen.add(field)
    return "".join(parts)


def api_hint_removed(message: str, key: str, field: str) -> str:
    """``message`` without what the catalogue's text ``key`` says after ``{field}`` (a
    hint for Python users the command line does not offer), in the language in use."""
    from simcontract import i18n

    hint = i18n.text(key).rpartition("{" + field + "}")[2]
    return message.replace(hint, "") if hint else message


FIGURE_FORMATS = ("png", "pdf", "svg")
"""The file formats ``--format`` offers for figures."""


def figure_formats(text: str, option: str = "--format") -> list[str]:
    """The figure formats a ``--format`` option names: comma-separated, each once.
    ``--figures`` (``option``) also takes ``none``: no figure (an empty list).

    Raises:
        UsageError: No format, an empty item, one not offered, or one given twice.
    """
    formats = [f.strip().lower() for f in text.split(",")]
    expected = said("error.format_expected")
    if option != "--format":
        if formats == ["none"]:
            return []
        expected = said("error.figures_expected", expected=expected)
    said_as = {"option": option, "text": repr(text), "expected": expected}
    if option != "--format" and "none" in formats:
        raise UsageError(said("error.format_none_with", **said_as))
    for i, f in enumerate(formats):
        problem = "format_empty" if not f else "format_not_offered"
        if f in FIGURE_FORMATS:
            problem = "format_twice" if f in formats[:i] else ""
        if problem:
            raise UsageError(said(f"error.{problem}", **said_as | {"format": repr(f)}))
    return formats


def out_path(text: str | None, option: str = "--out") -> Path | None:
    """The folder an ``--out`` option names, checked (``None`` when not given).

    Raises:
        UsageError: An empty name, or a folder that cannot be written.
    """
    if text is None:
        return None
    if not text.strip():
        raise UsageError(said("error.empty_out", option=option, text=repr(text)))
    out = Path(text)
    check_out_dir(out, option)
    return out


def cmd_run(args: argparse.Namespace) -> int:
    """``simcontract run``: one run, summary table, yearly series as CSV."""
    from simcontract import i18n
    from simcontract.experiment.atomic import write_atomic
    from simcontract.experiment.split import run_split
    from simcontract.outcomes import OUTCOMES

    scenario = scenario_with(args.scenario, args.set)
    out = out_path(args.out)
    if out is not None:
        stem = f"{file_stem(scenario.name)}-seed{args.seed}"
        target, rules = out / f"{stem}-series.csv", out / f"{stem}-scenario.toml"
        for path, key in ((target, "series_exists"), (rules, "rules_exist")):
            if path.exists():  # perhaps a run with other --set values: never replaced
                raise UsageError(said(f"error.{key}", out=repr(str(out)), file=path.name))
    run = run_split(scenario, args.seed, workers=args.workers, progress=None)
    summary = run.summary()
    # English keeps the outcomes' names alone; another language adds their labels.
    labelled = i18n.current() != i18n.DEFAULT_LANGUAGE
    keys = ("outcome", "label", "value", "unit") if labelled else ("outcome", "value", "unit")
    rows = [
        (name, i18n.outcome_label(name), format_value(summary[name]), i18n.unit(o.unit))
        if labelled
        else (name, format_value(summary[name]), o.unit)
        for name, o in OUTCOMES.items()
    ]
    heading = {"scenario": repr(scenario.name), "seed": args.seed, "years": scenario["years"]}
    print(
        i18n.text(
            "run_view.heading_one" if heading["years"] == 1 else "run_view.heading", **heading
        )
    )
    print(_code_line(args.set))
    print(format_table(rows, tuple(i18n.text(f"run_view.{k}") for k in keys)))
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        # The rules as run, --set values and dated changes included: with the seed, what
        # repeats the series (`simcontract run FILE --seed SEED`).
        text = f"# {_code_line(args.set)}\n{_as_run(scenario).to_toml()}"
        write_atomic(target, lambda tmp: run.series().to_csv(tmp, index=False))
        try:
            write_atomic(rules, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        except BaseException:
            target.unlink(missing_ok=True)  # the two files, or neither
            raise
        print(i18n.text("run_view.written", path=target))
        print(i18n.text("run_view.written_scenario", path=rules, seed=args.seed))
    return 0


def _as_run(scenario: Scenario) -> Scenario:
    """``scenario`` to write as the rules of a run: without the rule changes dated after
    its last year (they never took effect), and renamed ``NAME_as_run`` where it carries
    a built-in scenario's name but not its rules (``--set``), as a file of that name is
    warned of, and its tables would show it as the built-in one."""
    from simcontract.scenario import builtin_names

    years = scenario["years"]
    if any(year > years for year, _ in scenario.changes):
        reached = [{"year": y, **dict(c)} for y, c in scenario.changes if y <= years]
        scenario = scenario.replace(changes=reached)
    if scenario.name not in builtin_names():
        return scenario
    builtin = load_scenario(scenario.name)
    if dict(scenario) == dict(builtin) and scenario.changes == builtin.changes:
        return scenario
    return scenario.replace(name=f"{scenario.name}_as_run")


def _code_line(settings: Sequence[str] | None) -> str:
    """The ``--set`` items of a run and the code that made it (version, model code)."""
    from simcontract import i18n
    from simcontract.codeversion import code_record

    code = code_record()
    given = " ".join(f"--set {item}" for item in settings or ()) or i18n.text("run_view.no_set")
    return i18n.text(
        "run_view.code",
        settings=given,
        version=code["simcontract_version"],
        code=code["model_code"],
    )


def cmd_params(args: argparse.Namespace) -> int:
    """``simcontract params [SCENARIO]``: the parameter registry, or a scenario's values
    with their defaults and sources."""
    from simcontract import paramsview

    if args.scenario is not None:
        try:
            scenario = load_scenario(args.scenario)
            sources = load_sources(args.scenario)
        except ScenarioError as err:
            raise UsageError(str(err)) from None
        print(paramsview.heading(scenario))
        rows = paramsview.scenario_rows(scenario, sources)
        print(format_table(rows, paramsview.scenario_headers()))
        for line in paramsview.change_lines(scenario, sources):
            print(line)
        return 0
    if args.verbose:
        print("\n".join(paramsview.registry_lines()))
        return 0
    headers, rows = paramsview.registry_rows()
    print(format_table(rows, headers))
    return 0


# --------------------------------------------------------------------------- batches
def _split(item: str, option: str, form: str) -> tuple[str, str]:
    """``NAME=TEXT`` of ``option``, split; else the message ``cli.error.<form>``."""
    name, sep, text = item.partition("=")
    name = name.strip()
    if not sep or not name or not text.strip():
        raise UsageError(said(f"error.{form}", item=repr(item)))
    if name not in PARAMETERS:
        raise UsageError(_item_reason(option, item, unknown_message(name)))
    return name, text


def parse_grid(items: Sequence[str]) -> dict[str, list[Any]]:
    """Parse ``--grid name=v1,v2,...`` items into ``{name: [values]}`` (validated)."""
    grid: dict[str, list[Any]] = {}
    for item in items:
        name, text = _split(item, "--grid", "grid_form")
        if name in grid:
            raise UsageError(said("error.grid_twice", item=repr(item), name=repr(name)))
        values = []
        for part in text.split(","):
            if not part.strip():
                raise UsageError(said("error.grid_empty", item=repr(item)))
            try:
                values.append(PARAMETERS[name].parse(part))
            except ValueError as err:
                raise UsageError(_item_reason("--grid", item, err)) from None
        grid[name] = values
    return grid


def parse_ranges(items: Sequence[str] | None) -> dict[str, tuple[float, float]]:
    """Parse ``--param name=lo:hi`` (or bare ``name``: registry bounds) items."""
    from simcontract.experiment.designs import DesignError, check_ranges

    ranges: dict[str, tuple[float, float]] = {}
    for item in items or []:
        if "=" not in item:
            name, bounds = item.strip(), None
            if name not in PARAMETERS:
                raise UsageError(_item_reason("--param", item, unknown_message(name)))
        else:
            name, text = _split(item, "--param", "param_form")
            param = PARAMETERS[name]
            lo, sep, hi = text.partition(":")
            bounds = (lo, hi)
            if param.numeric:
                try:
                    bounds = (float(lo), float(hi))
                except ValueError:
                    sep = ""
                if not sep:
                    raise UsageError(numeric_range(item, name))
        if name in ranges:
            raise UsageError(said("error.param_twice", item=repr(item), name=repr(name)))
        try:
            ranges.update(check_ranges({name: bounds}, f"--param {item!r}"))
        except DesignError as err:
            raise UsageError(str(err)) from None
    return ranges


def numeric_range(item: str, name: str) -> str:
    """The message of a ``--param`` item that is not a numeric range ``lo:hi``."""
    param = PARAMETERS[name]
    example = f"{name}={param.low:g}:{param.high:g}"
    return said("error.numeric_range", item=repr(item), example=example)


def _integer(low: int, high: int | None, not_integer: str, outside: str) -> Callable[[str], int]:
    """An argparse type: an integer from ``low`` to ``high``, else the message
    ``cli.error.<not_integer>`` of the catalogue (with ``text``, the text given) or
    ``cli.error.<outside>`` (with ``value``)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                said(f"error.{not_integer}", text=repr(text))
            ) from None
        if value < low or (high is not None and value > high):
            raise argparse.ArgumentTypeError(said(f"error.{outside}", value=value))
        return value

    return parse


ROBUSTNESS_POINTS = 16
"""Points of ``simcontract validate``'s Latin hypercube over the assumptions."""

ROBUSTNESS_REPLICATIONS = 2
"""Replications per arm at each of those points."""

_positive = _integer(1, None, "positive", "positive_value")
_seed = _integer(0, None, "not_integer", "below_zero")
_port = _integer(1, 65535, "not_port", "outside_port")


def _width(text: str) -> float:
    """An argparse type: a figure's width in millimetres, within the widths figures
    take (:data:`simcontract.plots.style.WIDTH_RANGE_MM`)."""
    from simcontract.plots.style import WIDTH_RANGE_MM

    low, high = WIDTH_RANGE_MM
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not low <= value <= high:
        where = {"low": f"{low:g}", "high": f"{high:g}", "text": repr(text)}
        raise argparse.ArgumentTypeError(said("error.width", **where))
    return value


def _connect(address: str) -> Any:
    """Connect to a Dask scheduler; return the client."""
    try:
        from distributed import Client
        from distributed.comm import parse_address, parse_host_port
    except ImportError:
        raise UsageError(said("error.needs_distributed")) from None
    try:
        scheme, location = parse_address(address)
        _check_scheme(scheme)
        if scheme == "tcp":
            import socket

            if _port_missing(location):
                raise ValueError(error_text("scheduler", "no_port", location=repr(location)))
            # A failed Client leaves a half-open object that hangs at exit, so check
            # that something listens first.
            host, port = parse_host_port(location)
            with socket.create_connection((host, port), timeout=10):
                pass
        return Client(address, timeout="10s")
    except Exception as err:  # any failure to connect is a bad --scheduler
        told = os_message(err) if isinstance(err, OSError) else str(err)
        reason = told.strip().splitlines()[0] if told.strip() else type(err).__name__
        raise UsageError(
            said("error.cannot_connect", address=repr(address), reason=reason)
        ) from None


def _check_scheme(scheme: str) -> None:
    """Check that Dask knows the scheme of a scheduler's address (``tcp``, ``tls``...).

    Raises:
        ValueError: It does not, naming those it knows.
    """
    from distributed.comm import registry

    try:
        registry.get_backend(scheme)
    except ValueError:
        known = sorted(registry.backends)
        raise ValueError(
            error_text("scheduler", "unknown_scheme", scheme=repr(scheme), schemes=known)
        ) from None


def _port_missing(location: str) -> bool:
    """Whether the ``HOST:PORT`` of a tcp address lacks its port (``[::1]`` for IPv6)."""
    if location.startswith("["):
        return location.endswith("]")
    return ":" not in location


def _check_out(text: str | None, resume: bool) -> None:
    from simcontract.experiment import lock, plan, storage

    out = out_path(text)
    if out is None:
        if resume:
            raise UsageError(said("error.resume_needs_out"))
        return
    lock.check_free(out)
    if resume:
        plan.check_directory(out, resume)
    elif not storage.is_empty(out):
        raise UsageError(said("error.out_not_empty", out=repr(str(out))))


def _batch(args: argparse.Namespace, run: Callable[..., Any]) -> Any:
    """Connect to the scheduler if asked, run the batch and close; a signal, a lost
    worker or cluster, or a worker running other code ends it with one line saying what
    is stored and how to finish."""
    from simcontract.experiment.runner import WorkerLost

    client = _connect(args.scheduler) if args.scheduler is not None else None
    try:
        with _quiet_dask(client is not None):
            try:
                return _run_batch(args, run, client)
            finally:
                if client is not None:
                    client.close()
    except KeyboardInterrupt as stop:
        raise _interrupted(stop, _stored(args)) from None
    except WorkerLost as err:
        raise _Stopped(said("error.stopped_error", message=err, stored=_stored(args)), 1) from None


def _run_batch(args: argparse.Namespace, run: Callable[..., Any], client: Any) -> Any:
    """Run the batch, on the cluster of ``client`` if not ``None``."""
    return run(
        # A cluster's every thread, as it grows or shrinks (see --workers' help).
        workers=args.workers if client is None else None,
        executor=client.get_executor() if client is not None else None,
        out=args.out,
        resume=args.resume,
        series=args.series,
        seed=args.seed,
        replications=args.replications,
        progress=None,
        command=_command(args),
    )


@contextlib.contextmanager
def _quiet_dask(quiet: bool) -> Iterator[None]:
    """While the block runs (if ``quiet``), Dask's and Tornado's log shows only
    critical records: a lost cluster makes them log tracebacks, and the batch ends
    with its own line instead."""
    if not quiet:
        yield
        return
    import logging

    # Dask's configuration sets levels on some of their loggers' children too.
    names = ("distributed", "tornado", "asyncio")
    known = [n for n in logging.root.manager.loggerDict if n.split(".")[0] in names]
    loggers = [logging.getLogger(name) for name in {*names, *known}]
    before = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for logger, level in zip(loggers, before, strict=True):
            logger.setLevel(level)


def _command(args: argparse.Namespace) -> list[str]:
    """The command line of a batch, with the ``--out`` it writes to."""
    words = ["simcontract", *args.argv]
    named = any(w == "--out" or w.startswith("--out=") for w in args.argv)
    return words if named or not args.out else [*words, "--out", args.out]


def _stored(args: argparse.Namespace) -> str:
    """What an ended batch left in ``--out``, and how to finish it."""
    from simcontract.experiment import integrity

    if not args.out:
        return said("error.stored_nothing")
    hint = integrity.resume_command({"command": _command(args)})
    try:
        inventory = integrity.inspect(args.out, full=False)
    except (OSError, ValueError):
        return said("error.stored_finish", hint=hint)
    stored = {"n": inventory.n_runs, "out": repr(args.out), "hint": hint}
    if len(inventory.runs) == inventory.n_runs:
        return said("error.stored_all", **stored)
    return said("error.stored_some", k=len(inventory.runs), **stored)


def _interrupted(stop: KeyboardInterrupt, stored: str = "") -> _Stopped:
    """The end of a command a signal stopped: one line, what it left (``stored``), and
    128 + the signal's number."""
    signum = getattr(stop, "signum", signal.SIGINT)
    name = signal.Signals(signum).name
    return _Stopped(said("error.interrupted", signal=name, stored=stored), 128 + signum)


def _resumable(stop: KeyboardInterrupt, args: argparse.Namespace, out: Path | None) -> _Stopped:
    """The end of a command that ``--resume`` finishes in ``out``, when a signal stops it:
    one line with the command that finishes it (none without ``out``)."""
    again = " ".join(["simcontract", *args.argv] + ([] if args.resume else ["--resume"]))
    return _interrupted(stop, said("error.stored_finish", hint=again) if out else "")


def _holding(args: argparse.Namespace) -> contextlib.AbstractContextManager[Any]:
    """The lock of ``--out`` while a batch, its tables and its figures are written."""
    if not args.out:
        return contextlib.nullcontext()
    from simcontract.experiment import lock

    return lock.hold(Path(args.out), _command(args))


@contextlib.contextmanager
def _reporting(args: argparse.Namespace, results: Any) -> Iterator[None]:
    """While a batch's tables and figures are written into its folder: the manifest
    says they are not all written until they are, and a signal ends the command with
    what is stored and how to finish."""
    from simcontract.experiment import plan

    directory = results.directory
    if directory is not None:
        plan.outputs_pending(directory)
    try:
        yield
    except KeyboardInterrupt as stop:
        raise _interrupted(stop, _stored(args)) from None
    if directory is not None:
        plan.record_outputs(directory)


def _said_text(key: str) -> str:
    """A catalogue text ``key`` in the language of ``--lang``."""
    from simcontract import i18n

    return i18n.text(key)


def said(key: str, **values: Any) -> str:
    """A status line of the command line, ``cli.<key>`` of the catalogue in the
    language of ``--lang``, its ``{placeholders}`` filled with ``values``."""
    from simcontract import i18n

    return i18n.text(f"cli.{key}", **values)


def warn(message: str) -> None:
    """A warning of the command line: one line ``simcontract: warning: ...`` on stderr,
    in the language of ``--lang``."""
    print(said("error.warning", message=message), file=sys.stderr)


def _count(n: int, noun: str) -> str:
    return said(f"{noun}_{'one' if n == 1 else 'many'}", n=n)


def _written(results: Any) -> None:
    if results.directory is not None:
        print(said("results_written", path=results.directory))


def cmd_compare(args: argparse.Namespace) -> int:
    """``simcontract compare``: replicate scenarios, print levels and paired contrasts
    against a reference; with ``--out``, write the tables, codebook, exports and figures."""
    from simcontract.experiment import compare
    from simcontract.experiment.batches import BatchScenarioWarning
    from simcontract.scenario import builtin_names

    names = args.scenario or builtin_names()
    scenarios = [scenario_with(name, args.set) for name in names]
    for twice in sorted(
        {s.name for s in scenarios if [x.name for x in scenarios].count(s.name) > 1}
    ):
        given = listed(repr(n) for n, s in zip(names, scenarios, strict=True) if s.name == twice)
        warn(said("error.same_name", given=given, name=repr(twice)))
    scenarios = _common_window(scenarios, args.years)
    shown = _shown_outcomes(args.outcomes)
    _check_reference(args.reference, scenarios)
    if not args.scenario:
        # The main job: every built-in system, with the details the figures need.
        args.series = True
        if args.out is None and not args.resume:
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
            args.out = str(Path("results") / f"compare-{stamp}")
    formats = _figures(args)
    _check_scheduler(args.scheduler)
    _check_out(args.out, args.resume)
    with _holding(args):
        with warnings.catch_warnings():
            # Said above of the command's arguments, in the command's terms.
            warnings.simplefilter("ignore", BatchScenarioWarning)
            results = _batch(args, lambda **kw: compare(scenarios, **kw))
        with _reporting(args, results):
            _print_comparison(results, shown, args)
            if results.directory is not None:
                _report(results, results.directory, args.reference, formats)
    return 0


def _common_window(scenarios: list[Scenario], years: int | None) -> list[Scenario]:
    """The scenarios cut to their first ``years`` years (``--years``), as given without.

    Raises:
        UsageError: ``years`` beyond a scenario's horizon.
    """
    if years is None:
        return scenarios
    longest = PARAMETERS["years"].high
    if years > longest:
        raise UsageError(said("error.years_longest", years=years, longest=f"{longest:g}"))
    short = [s for s in scenarios if s["years"] < years]
    if short:
        s = short[0]
        most = min(x["years"] for x in scenarios)
        runs = {"name": repr(s.name), "runs": s["years"], "most": most}
        raise UsageError(said("error.years_short", years=years, **runs))
    cut = [s.replace(years=years) for s in scenarios]
    for s in cut:
        for line in s.unreached_changes():
            warn(said("error.scenario_warning", name=repr(s.name), line=line))
    return cut


def _shown_outcomes(text: str | None) -> list[str]:
    """The outcomes ``--outcomes`` names (comma-separated, or ``all``); default: the key
    outcomes.

    Raises:
        UsageError: An unknown name.
    """
    from simcontract.experiment import KEY_OUTCOMES, codebook

    if text is None:
        return list(KEY_OUTCOMES)
    if text.strip() == "all":
        return list(codebook.variable_list(None))
    return _outcome_list(text, "error.unknown_outcome")


def _outcome_list(text: str, refusal: str) -> list[str]:
    """The outcomes and comparable forms comma-separated ``text`` names.

    Raises:
        UsageError: An unknown name (or none), said by the catalogue's ``refusal``.
    """
    from simcontract.experiment import codebook

    names = [n.strip() for n in text.split(",") if n.strip()]
    known = codebook.variable_list(None)
    bad = [n for n in names if n not in known] or ([] if names else [text])
    if bad:
        close = closest(bad[0], known) if names else None
        hint = said("error.did_you_mean", name=repr(close)) if close else ""
        raise UsageError(said(refusal, text=repr(text), name=repr(bad[0]), hint=hint))
    return names


def _figure_outcomes(text: str | None) -> list[str] | None:
    """The outcomes ``plot --outcomes`` names (comma-separated outcomes or comparable
    forms); ``None`` (the key outcomes) when not given.

    Raises:
        UsageError: An unknown name, ``all`` among them.
    """
    return None if text is None else _outcome_list(text, "error.figure_outcome")


def _check_reference(reference: str | None, scenarios: Sequence[Scenario]) -> None:
    """Refuse a ``--reference`` that is not one of the compared scenarios."""
    names = [s.name for s in scenarios]
    if reference is not None and reference not in names:
        raise UsageError(
            said(
                "error.unknown_reference",
                reference=repr(reference),
                names=listed(dict.fromkeys(names)),
            )
        )
    if reference is not None and names.count(reference) > 1:
        n = names.count(reference)
        raise UsageError(said("error.reference_many", reference=repr(reference), n=n))


def _check_scheduler(address: str | None) -> None:
    if address is not None and not address.strip():
        raise UsageError(said("error.empty_scheduler", address=repr(address)))


def _print_comparison(results: Any, shown: Sequence[str], args: argparse.Namespace) -> None:
    """The comparison: what ran, scenarios' horizon and size, levels and contrasts
    against the reference (every line at most 100 characters)."""
    from simcontract.experiment import report

    print(report.terminal(results, shown, args.reference, args.set or (), args.years))
    _written(results)


def _report(
    results: Any, directory: Path, reference: str | None, formats: Sequence[str] = ("png", "pdf")
) -> None:
    """Write the comparison as Markdown and its contrasts as CSV, and draw the figures."""
    from simcontract.experiment import contrasts, report, storage

    storage.write_text(directory / "table.md", report.markdown(results, reference))
    table = contrasts(results, reference).to_csv(index=False)
    storage.write_text(directory / "contrasts.csv", table)
    others = listed(("table.csv", "contrasts.csv"))
    print(said("tables", path=directory / "table.md", others=others))
    print(said("runs", path=directory / "runs.csv"))
    _draw_figures(results, directory / "figures", formats)


def _draw_figures(results: Any, folder: Path, formats: Sequence[str]) -> None:
    """Draw a batch's figures into ``folder`` in ``formats`` and name them; with no
    format (``--figures none``), say how to draw them later."""
    from simcontract import plots

    if not formats:
        # Figures an earlier session or `plot --partial` drew stay, perhaps of fewer runs.
        earlier = folder.is_dir() and any(p.is_file() for p in folder.iterdir())
        print(said("figures_earlier" if earlier else "figures_none", folder=folder.parent))
        return
    paths = plots.draw_all(results, folder, formats=formats, progress=None)
    _print_figures(folder, formats, paths)


def _print_figures(folder: Path, formats: Sequence[str], paths: Sequence[Path]) -> None:
    """The figures drawn into ``folder``, by name, in lines of at most 100 columns."""
    from simcontract import i18n
    from simcontract.textwidth import wrap

    if not paths:
        return
    names = listed(sorted({p.stem for p in paths}))
    line = i18n.text("sweep.figures", formats=listed(formats), folder=folder, names=names)
    print("\n".join(wrap(line, 100, "", "  ", break_on_hyphens=False)))


def _results_dir(text: str) -> Path:
    """The results folder a ``RESULTS_DIR`` argument names.

    Raises:
        UsageError: An empty name, or a folder without a manifest.
    """
    if not text.strip():
        raise UsageError(said("error.results_empty", text=repr(text)))
    source = Path(text)
    if not source.exists():
        raise UsageError(said("error.results_missing", text=repr(text)))
    if not source.is_dir():
        raise UsageError(said("error.results_file", text=repr(text)))
    if not (source / "manifest.json").exists():
        # Where a decomposition, a discovery and a robustness analysis keep their runs.
        inner = ("batch/manifest.json", "runs/manifest.json", "runs/*/manifest.json")
        batches = sorted(str(p.parent) for pattern in inner for p in source.glob(pattern))
        found = said("error.results_inner", path=repr(batches[0])) if batches else ""
        raise UsageError(said("error.results_none", text=repr(text), found=found))
    return source


def cmd_plot(args: argparse.Namespace) -> int:
    """``simcontract plot``: redraw the figures of saved results (of every run stored
    intact only with ``--partial`` when the batch is unfinished or damaged)."""
    from simcontract import plots
    from simcontract.experiment import Results, integrity, plan
    from simcontract.plots.export import IMAGE_FORMATS

    source = _results_dir(args.results)
    formats = figure_formats(args.format)
    outcomes = _figure_outcomes(args.outcomes)
    out = out_path(args.out) or source / "figures"
    check_out_dir(out)
    _not_in_another_batch(source, out)
    with _writing_into(source, out, args):
        inventory = integrity.inspect(source, full=False)
        if not inventory.complete:
            if not args.partial:
                where = {"results": repr(args.results), "step": inventory.next_step()}
                summary = inventory.summary(lang=None)
                raise UsageError(said("error.not_complete", **where, summary=summary))
            if not inventory.runs:
                raise UsageError(said("error.no_intact", results=repr(args.results)))
            warn(said("error.drawing", summary=inventory.summary(lang=None)))
        results = Results(directory=source, manifest=inventory.manifest, parts=inventory.parts)
        try:
            paths = plots.draw_all(
                results,
                out,
                formats=tuple(formats),
                outcomes=outcomes,
                progress=None,
                width_mm=args.width,
                title=not args.no_title,
            )
        except KeyboardInterrupt as stop:
            # Some figures are redrawn, some not: the same command draws them all.
            again = shlex.join(["simcontract", *args.argv])
            raise _interrupted(stop, said("error.stored_finish", hint=again)) from None
        if not paths:
            warn(said("error.no_figures"))
        removed = []
        if out.resolve().is_relative_to(source.resolve()):
            removed = plan.replace_figures(source, out, paths, IMAGE_FORMATS)
            plan.add_outputs(source, paths)
    print(said("figure_file_one" if len(paths) == 1 else "figure_files", n=len(paths), path=out))
    for p in paths:
        print(f"  {p}")
    if removed:
        key = "figure_replaced_one" if len(removed) == 1 else "figures_replaced"
        print(said(key, n=len(removed), names=", ".join(p.name for p in removed)))
    return 0


def _not_in_another_batch(source: Path, out: Path) -> None:
    """Refuse figures of ``source`` drawn into another batch's results folder: its
    figures would be replaced and mixed with these, and its check would fail.

    Raises:
        UsageError: ``out`` is, or lies in, a folder with a manifest other than ``source``.
    """
    own = source.resolve()
    where = out.resolve()
    if where.is_relative_to(own):
        return
    for folder in (where, *where.parents):
        if (folder / "manifest.json").is_file():
            said_out = {"out": repr(str(out)), "other": repr(str(folder))}
            raise UsageError(said("error.out_in_batch", **said_out, results=repr(str(source))))


def _writing_into(source: Path, out: Path, args: argparse.Namespace) -> Any:
    """The lock of results folder ``source`` while figures are written to ``out`` inside
    it: one writer per results folder, so a batch still drawing its own figures there
    refuses the redraw (with one line naming it)."""
    if not out.resolve().is_relative_to(source.resolve()):
        return contextlib.nullcontext()
    from simcontract.experiment import lock

    return lock.hold(source, _command(args))


def cmd_check(args: argparse.Namespace) -> int:
    """``simcontract check``: every part of a results folder against its manifest.

    Exit status 0 when the batch is complete and every part intact, 1 when runs are
    missing or parts damaged (``--resume`` runs them again) or another process writes
    the folder now, 2 when there is nothing to check (no results, a damaged manifest).
    """
    from simcontract.experiment import integrity

    source = _results_dir(args.results)
    inventory = integrity.inspect(source, full=True)
    manifest = inventory.manifest
    kind = str(manifest["kind"])
    heading = {
        "results": args.results,
        "kind": said(f"kind_{kind}") if kind in ("compare", "sweep") else kind,
        "names": listed(dict.fromkeys(repr(s["name"]) for s in manifest["scenarios"])),
        "points": _count(manifest["n_points"], "point"),
        "replications": _count(manifest["replications"], "replication"),
        "runs": _count(inventory.n_runs, "run"),
    }
    print(said("check_heading", **heading))
    for why in inventory.damaged.values():
        print(said("damaged", why=why))
    for name in inventory.unfinished:
        print(said("unfinished", name=name))
    ended = inventory.manifest.get("status") == "complete"  # as the summary counts them
    if ended and inventory.outputs_written and not inventory.in_use:
        for name in inventory.missing_outputs:
            print(said("output_missing", name=name))
        for name in inventory.changed_outputs:
            print(said("output_changed", name=name))
    print(inventory.summary(lang=None))
    if inventory.in_use:
        print(said("wait"))
        return 1
    if inventory.finished:
        return 0
    if inventory.other_code():
        print(inventory.next_step())
    else:
        print(said("finish_with", hint=inventory.resume_hint()))
    return 1


def cmd_validate(args: argparse.Namespace) -> int:
    """``simcontract validate``: the stylised facts, or the Guangzhou calibration."""
    from simcontract.experiment import storage, validation

    options = {"replications": args.replications, "seed": args.seed, "workers": args.workers}
    out = out_path(args.out)
    if out is not None and out.exists() and not out.is_dir():
        raise UsageError(said("error.out_exists", **_folders("--out", out, out)))
    if args.calibration:
        return _validate_calibration(args, options, out)
    from simcontract.experiment import validation_report

    if args.replications == 1:
        raise UsageError(said("error.validate_one"))
    # None, not the default, when left out: --calibration refuses these options typed at all.
    points = ROBUSTNESS_POINTS if args.robustness is None else args.robustness
    replications = args.robustness_replications or ROBUSTNESS_REPLICATIONS
    if points == 1:
        raise UsageError(said("error.robustness_one"))
    if points == 0 and args.robustness_replications is not None:
        warn(said("error.robustness_replications_unused"))
    patterns = _patterns(args.pattern)
    if out is not None:
        storage.check_own(out, validation_report.FILES, _said_text("errors.storage.what_validate"))
    with _holding(args):
        table = validation.validate(
            **options,
            progress=None,
            patterns=patterns,
            ablation=not args.no_ablation,
            robustness_points=points,
            robustness_replications=replications,
        )
        print(validation_report.terminal(table, args.replications, args.seed))
        if out is not None:
            for path in validation_report.write(out, table, args.replications, args.seed):
                print(said("written", path=path))
    # Patterns true by construction are reported, not evidence: they do not fail a run.
    return 1 if validation_report.failed_evidence(table) else 0


def _validate_calibration(
    args: argparse.Namespace, options: dict[str, Any], out: Path | None
) -> int:
    """``simcontract validate --calibration``: the Guangzhou scenario against the
    figures of its source; with ``--out``, ``calibration.md`` and ``calibration.csv``."""
    from simcontract.experiment import storage, validation

    unused = {
        "--pattern": bool(args.pattern),
        "--no-ablation": args.no_ablation,
        "--robustness": args.robustness is not None,
        "--robustness-replications": args.robustness_replications is not None,
    }
    given = [option for option, used in unused.items() if used]
    if given:
        raise UsageError(said("error.calibration_option", option=given[0]))
    if out is not None:
        storage.check_own(
            out, validation.CALIBRATION_FILES, _said_text("errors.storage.what_calibration")
        )
    with _holding(args):
        table = validation.calibrate(**options, progress=None)
        print(validation.calibration_report(table, args.replications, args.seed))
        if out is not None:
            for path in validation.write_calibration(out, table, args.replications, args.seed):
                print(said("written", path=path))
    return 1 if validation.missed_figures(table) else 0


def cmd_robustness(args: argparse.Namespace) -> int:
    """``simcontract robustness``: how often each pattern holds over the plausible region
    of the assumptions, and which assumptions its effect rests on; with ``--out``, the
    tables, ``shares.md`` and the figure."""
    from simcontract import i18n, plots
    from simcontract.experiment import robustness as rb
    from simcontract.experiment import storage
    from simcontract.experiment.designs import DesignError
    from simcontract.experiment.runner import ExperimentError

    patterns = _patterns(args.pattern)
    out = out_path(args.out)
    if args.resume and out is None:
        raise UsageError(said("error.resume_needs_out_analysis"))
    if out is not None and not args.resume and not storage.is_empty(out):
        raise UsageError(said("error.out_not_empty_analysis", out=repr(str(out))))
    if out is not None:
        storage.check_own(out, rb.OWN_FILES, _said_text("errors.storage.what_robustness"))
    if args.trajectories is not None and args.sensitivity != "morris":
        warn(said("error.trajectories_without_morris", method=args.sensitivity))
    options = {
        "points": args.points,
        "replications": args.replications,
        "parameters": args.param,
        "sensitivity": args.sensitivity,
        "trajectories": args.trajectories or rb.MORRIS_TRAJECTORIES,
    }
    try:
        runs = rb.run_count(patterns, **options)
    except (DesignError, ExperimentError) as err:
        raise UsageError(in_cli_words(str(err))) from None
    ran = {
        "patterns": _count(len(patterns), "pattern"),
        "points": _count(args.points, "point"),
        "replications": _count(args.replications, "replication"),
        "runs": f"{runs:,}",
    }
    print(said("robustness_ran", **ran, sensitivity=args.sensitivity, seed=args.seed))
    try:
        result = rb.robustness(
            patterns,
            **options,
            seed=args.seed,
            workers=args.workers,
            progress=None,
            out=out,
            resume=args.resume,
        )
    except (DesignError, ExperimentError) as err:
        raise UsageError(in_cli_words(str(err))) from None
    except KeyboardInterrupt as stop:
        raise _resumable(stop, args, out) from None
    print(rb.format_shares(result))
    print(said("robustness_sensitive"))
    for pattern in result.shares["pattern"]:
        top = result.top(pattern, 5, clear=True)
        indices = listed(
            f"{t.parameter} {t.value:.2f}" + (f" ± {t.conf:.2f}" if math.isfinite(t.conf) else "")
            for t in top.itertuples()
        )
        value = indices or said("robustness_no_estimate")
        print("  " + i18n.text("punctuation.field", name=pattern, value=value))
    if len(result.invalid):
        warn(said("error.invalid_arms", n=len(result.invalid)))
    if out is not None:
        storage.write_text(out / "shares.md", rb.format_shares(result) + "\n")
        figure = plots.save(plots.robustness_heatmap(result), out / "robustness")
        print(said("robustness_written", path=out, figures=listed(p.name for p in figure)))
    return 0


def _patterns(ids: Sequence[str] | None) -> list[Any]:
    """The patterns ``--pattern`` names (all of them when none is named)."""
    from simcontract.experiment.validation import load_patterns

    patterns = load_patterns()
    known = [p.id for p in patterns]
    unknown = [i for i in ids or [] if i not in known]
    if unknown:
        raise UsageError(said("error.unknown_pattern", id=repr(unknown[0]), ids=listed(known)))
    return [p for p in patterns if not ids or p.id in ids]


def cmd_decompose(args: argparse.Namespace) -> int:
    """``simcontract decompose``: split the gap between two scenarios in an outcome among
    the rules that differ (Shapley values and one-at-a-time effects), printed as Markdown;
    with ``--out``, also the runs, the tables and the figure."""
    from simcontract.experiment import decomposition, storage

    a, b = (scenario_with(name, None) for name in (args.a, args.b))
    rules: dict[str, tuple[str, ...]] = {}
    for text in args.rule or []:
        name, params = decomposition.parse_rule(text)
        if name in rules:
            raise UsageError(said("error.rule_twice", text=repr(text), name=repr(name)))
        rules[name] = params
    if args.resume and args.out is None:
        raise UsageError(said("error.resume_needs_out_decomposition"))
    out = out_path(args.out)
    if out is not None and not args.resume and not storage.is_empty(out):
        raise UsageError(said("error.out_not_empty_decomposition", out=repr(str(out))))
    try:
        result = decomposition.decompose(
            a,
            b,
            args.outcome,
            rules=rules,
            replications=args.replications,
            seed=args.seed,
            workers=args.workers,
            progress=None,
            exact_limit=args.exact_limit,
            permutations=args.permutations,
            out=out,
            resume=args.resume,
        )
    except KeyboardInterrupt as stop:
        raise _resumable(stop, args, out) from None
    print(decomposition.format_decomposition(result))
    if result.directory is not None:
        runs = result.directory / decomposition.BATCH_FOLDER
        print("\n" + said("decomposition_written", path=result.directory, runs=runs))
    return 0


def _chosen_language(args: argparse.Namespace) -> str | None:
    """The language chosen for the command's readers (``--lang`` or
    ``SIMCONTRACT_LANG``), or ``None`` when none was (the default English)."""
    from simcontract import i18n

    chosen = getattr(args, "lang", None) or os.environ.get(LANGUAGE_VARIABLE, "").strip()
    return i18n.current() if chosen else None


def cmd_app(args: argparse.Namespace) -> int:
    """``simcontract app``: the seminar app in the browser."""
    from simcontract.appserver import (
        banner,
        exposure,
        host_problem,
        in_use_message,
        port_in_use,
        serve,
    )

    problem = host_problem(args.host)
    if problem:
        raise UsageError(_item_reason("--host", args.host, problem))
    if port_in_use(args.host, args.port):
        raise UsageError(in_use_message(args.host, args.port))
    warning = exposure(args.host, args.port)
    if warning:
        warn(warning)
    print(banner(args.host, args.port))
    return serve(
        host=args.host, port=args.port, open_browser=args.open, lang=_chosen_language(args)
    )


def _design(args: argparse.Namespace) -> Any:
    """The design the options ask for."""
    from simcontract import i18n
    from simcontract.experiment import designs
    from simcontract.experiment.designs import DesignError, Grid, LatinHypercube, Morris, Sobol

    try:
        if args.grid:
            if args.param:
                raise UsageError(said("error.grid_param"))
            return Grid(parse_grid(args.grid))
        kinds = {"lhs": LatinHypercube, "sobol": Sobol, "morris": Morris}
        kind = next((k for k in kinds if getattr(args, k) is not None), None)
        if kind is None:
            raise UsageError(said("error.choose_design"))
        n = getattr(args, kind)
        if kind == "sobol" and not designs.is_power_of_two(n):
            low, high = designs.powers_of_two_around(n)
            why = i18n.text("errors.designs.sobol_why")
            powers = {"powers": designs.POWERS_OF_TWO, "why": why, "low": low, "high": high}
            raise UsageError(said("error.sobol_n", n=n, **powers))
        ranges = parse_ranges(args.param)
        if not ranges:
            raise UsageError(said("error.needs_param", kind=kind))
        return kinds[kind](n, ranges, seed=args.seed)
    except DesignError as err:
        raise UsageError(str(err)) from None


def cmd_sweep(args: argparse.Namespace) -> int:
    """``simcontract sweep``: run a design on a scenario, print per-point summaries."""
    from simcontract import i18n
    from simcontract.experiment import KEY_OUTCOMES, limits, sweep
    from simcontract.experiment.designs import DesignError, check_points
    from simcontract.experiment.report import version_line

    base = scenario_with(args.scenario, args.set)
    design = _design(args)
    both = sorted(set(parse_set(args.set)) & set(design.parameters))
    if both:
        raise UsageError(said("error.fixed_and_varied", name=repr(both[0])))
    _check_scheduler(args.scheduler)
    formats = _figures(args)
    limits.check_batch(
        "sweep",
        len(design),
        args.replications,
        base,
        n_parameters=len(design.parameters),
        series=args.series,
        in_memory=args.out is None,
    )
    try:
        check_points(base, design)
    except DesignError as err:
        raise UsageError(str(err)) from None
    _check_out(args.out, args.resume)
    with _holding(args):
        results = _batch(args, lambda **kw: sweep(base, design, **kw))
        with _reporting(args, results):
            n_points, n = results.manifest["n_points"], results.manifest["replications"]
            ran = {
                "kind": i18n.text(f"sweep.kind_{design.kind}"),
                "scenario": repr(base.name),
                "points": _count(n_points, "point"),
                "replications": _count(n, "replication"),
            }
            print(said("sweep_ran", **ran, seed=args.seed))
            if version := version_line(results.manifest):
                print(version)
            indices = None
            if design.kind in ("sobol", "morris"):
                indices = _print_indices(results, KEY_OUTCOMES)
            else:
                _print_points(results, KEY_OUTCOMES)
            if results.directory is not None:
                _sweep_report(results, KEY_OUTCOMES, indices, formats)
            _written(results)
    return 0


def _print_points(results: Any, outcomes: Sequence[str]) -> None:
    """Each design point's parameter values and mean ±CI half-width per outcome."""
    from simcontract.experiment import sweep_report

    print(sweep_report.points_text(results, outcomes))


def _print_indices(results: Any, outcomes: Sequence[str]) -> Any:
    """The sensitivity indices with their CIs (written to indices.csv too); returned."""
    from simcontract.experiment import storage, sweep_report

    indices = results.analyze(outcomes)
    if results.directory is not None:
        storage.write_text(results.directory / storage.INDICES, indices.to_csv(index=False))
    print(sweep_report.indices_text(indices, results.design, outcomes))
    return indices


def _sweep_report(
    results: Any, outcomes: Sequence[str], indices: Any, formats: Sequence[str] = ("png", "pdf")
) -> None:
    """Write the sweep's table.md and draw its figures into its folder."""
    from simcontract.experiment import storage, sweep_report

    directory = results.directory
    storage.write_text(directory / "table.md", sweep_report.markdown(results, outcomes, indices))
    others = ["table.csv", *(["indices.csv"] if indices is not None else [])]
    print(said("tables", path=directory / "table.md", others=listed(others)))
    print(said("runs", path=directory / "runs.csv"))
    _draw_figures(results, directory / "figures", formats)


def _replication_options(parser: argparse.ArgumentParser, replications: int, command: str) -> None:
    """``--replications``, ``--workers`` and ``--seed``, said by ``cli.help.<command>.*``
    of the catalogue."""
    parser.add_argument(
        "--replications",
        type=_positive,
        default=replications,
        metavar="N",
        help=helped(f"{command}.replications", n=replications),
    )
    parser.add_argument("--workers", type=_positive, metavar="N", help=helped(f"{command}.workers"))
    parser.add_argument(
        "--seed", type=_seed, default=0, metavar="N", help=helped(f"{command}.seed")
    )


def _batch_options(
    parser: argparse.ArgumentParser, replications: int, *, outputs: bool = True
) -> None:
    """The options of a batch of runs; with ``outputs``, those of what it keeps
    (``--series``) and draws (``--figures``) too."""
    parser.add_argument(
        "--set",
        action="append",
        metavar="NAME=VALUE",
        help=helped("batch.set"),
    )
    _replication_options(parser, replications, "batch")
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help=helped("batch.scheduler"),
    )
    parser.add_argument("--out", metavar="DIR", help=helped("batch.out"))
    parser.add_argument("--resume", action="store_true", help=helped("batch.resume"))
    if outputs:
        parser.add_argument("--series", action="store_true", help=helped("batch.series"))
        parser.add_argument("--figures", metavar="FORMATS", help=helped("batch.figures"))


def _figures(args: argparse.Namespace) -> list[str]:
    """The figure formats ``--figures`` names (default png and pdf; none for no figure);
    a warning if given where no folder is written."""
    if args.figures is None:
        return ["png", "pdf"]
    formats = figure_formats(args.figures, "--figures")
    if args.out is None:
        warn(said("error.figures_without_out"))
    return formats


def _add_run(sub: Any) -> None:
    """The ``run`` subcommand."""
    run = sub.add_parser("run", help=helped("run.summary"))
    run.add_argument("scenario", help=helped("options.scenario"))
    run.add_argument(
        "--set",
        action="append",
        metavar="NAME=VALUE",
        help=helped("run.set"),
    )
    run.add_argument("--seed", type=_seed, default=0, help=helped("run.seed"))
    run.add_argument("--out", metavar="DIR", help=helped("run.out"))
    run.add_argument(
        "--workers",
        type=_positive,
        default=1,
        metavar="N",
        help=helped("run.workers"),
    )
    add_lang(run)
    run.set_defaults(func=cmd_run)


def _add_sweep(sub: Any) -> None:
    """The ``sweep`` subcommand."""
    sweep = sub.add_parser("sweep", help=helped("sweep.summary"))
    sweep.add_argument("scenario", help=helped("options.scenario"))
    design = sweep.add_mutually_exclusive_group()
    design.add_argument(
        "--grid",
        action="append",
        metavar="NAME=V1,V2,...",
        help=helped("sweep.grid"),
    )
    design.add_argument("--lhs", type=_positive, metavar="N", help=helped("sweep.lhs"))
    design.add_argument(
        "--sobol",
        type=_positive,
        metavar="N",
        help=helped("sweep.sobol"),
    )
    design.add_argument("--morris", type=_positive, metavar="N", help=helped("sweep.morris"))
    sweep.add_argument(
        "--param",
        action="append",
        metavar="NAME[=LO:HI]",
        help=helped("sweep.param"),
    )
    _batch_options(sweep, 10)
    add_lang(sweep)
    sweep.set_defaults(func=cmd_sweep)


def _compare_options(compare: argparse.ArgumentParser) -> None:
    """``--reference``, ``--years`` and ``--outcomes`` of ``compare``."""
    compare.add_argument(
        "--reference",
        metavar="NAME",
        help=helped("compare.reference"),
    )
    compare.add_argument(
        "--years",
        type=_positive,
        metavar="N",
        help=helped("compare.years"),
    )
    compare.add_argument(
        "--outcomes",
        metavar="A,B,...",
        help=helped("compare.outcomes"),
    )


def cmd_outcomes(args: argparse.Namespace) -> int:
    """``simcontract outcomes``: every outcome with unit and definition (the codebook)."""
    from simcontract import i18n
    from simcontract.experiment import codebook

    print(codebook.render(args.format, i18n.current()), end="")
    return 0


def _add_outcomes(sub: Any) -> None:
    """The ``outcomes`` subcommand."""
    outcomes = sub.add_parser("outcomes", help=helped("outcomes.summary"))
    outcomes.add_argument(
        "--format",
        choices=("text", "md", "csv", "json"),
        default="text",
        help=helped("outcomes.format"),
    )
    outcomes.add_argument("--lang", metavar="LANG", help=helped("outcomes.lang"))
    outcomes.set_defaults(func=cmd_outcomes)


def _add_check(sub: Any) -> None:
    """The ``check`` subcommand."""
    check = sub.add_parser(
        "check",
        help=helped("check.summary"),
        description=(helped("check.description")),
    )
    check.add_argument("results", metavar="RESULTS_DIR", help=helped("options.results"))
    check.add_argument("--lang", metavar="LANG", help=helped("check.lang"))
    check.set_defaults(func=cmd_check)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = _Parser(prog="simcontract", description=helped("description"))
    from simcontract import __version__

    parser.add_argument(
        "--version", action="version", version=f"%(prog)s {__version__}", help=helped("version")
    )
    # Also before the command (`simcontract --lang zh_CN run ...`), as the help says.
    parser.add_argument("--lang", metavar="LANG", dest="global_lang", help=helped("options.lang"))
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    _add_run(sub)

    params = sub.add_parser("params", help=helped("params.summary"))
    params.add_argument(
        "scenario",
        nargs="?",
        metavar="SCENARIO",
        help=helped("params.scenario"),
    )
    params.add_argument("-v", "--verbose", action="store_true", help=helped("params.verbose"))
    add_lang(params)
    params.set_defaults(func=cmd_params)

    compare = sub.add_parser("compare", help=helped("compare.summary"))
    compare.add_argument(
        "scenario",
        nargs="*",
        help=helped("compare.scenario"),
    )
    _batch_options(compare, 30)
    _compare_options(compare)
    add_lang(compare)
    compare.set_defaults(func=cmd_compare)
    _add_outcomes(sub)

    _add_sweep(sub)

    plot = sub.add_parser("plot", help=helped("plot.summary"))
    plot.add_argument("results", metavar="RESULTS_DIR", help=helped("options.results"))
    plot.add_argument("--out", metavar="DIR", help=helped("plot.out"))
    plot.add_argument("--format", default="png,pdf", help=helped("plot.format"))
    plot.add_argument("--width", type=_width, metavar="MM", help=helped("plot.width"))
    plot.add_argument("--no-title", action="store_true", help=helped("plot.no_title"))
    plot.add_argument("--outcomes", metavar="A,B,...", help=helped("plot.outcomes"))
    plot.add_argument(
        "--partial",
        action="store_true",
        help=helped("plot.partial"),
    )
    add_lang(plot)
    plot.set_defaults(func=cmd_plot)
    _add_check(sub)
    from simcontract.cli_calibrate import add_calibrate
    from simcontract.cli_classroom import add_classroom
    from simcontract.cli_discover import add_discover

    add_calibrate(sub)
    add_discover(sub)
    add_classroom(sub)

    validate = sub.add_parser("validate", help=helped("validate.summary"))
    _replication_options(validate, 30, "validate")
    validate.add_argument(
        "--calibration",
        action="store_true",
        help=helped("validate.calibration"),
    )
    validate.add_argument(
        "--pattern",
        action="append",
        metavar="ID",
        help=helped("validate.pattern"),
    )
    validate.add_argument(
        "--robustness",
        type=_seed,
        metavar="N",
        help=helped("validate.robustness", n=ROBUSTNESS_POINTS),
    )
    validate.add_argument(
        "--robustness-replications",
        type=_positive,
        metavar="N",
        help=helped("validate.robustness_replications", n=ROBUSTNESS_REPLICATIONS),
    )
    validate.add_argument(
        "--no-ablation",
        action="store_true",
        help=helped("validate.no_ablation"),
    )
    validate.add_argument(
        "--out",
        metavar="DIR",
        help=helped("validate.out"),
    )
    add_lang(validate)
    validate.set_defaults(func=cmd_validate)

    robustness = sub.add_parser(
        "robustness",
        help=helped("robustness.summary"),
    )
    robustness.add_argument(
        "--points",
        type=_positive,
        default=32,
        metavar="N",
        help=helped("robustness.points"),
    )
    _replication_options(robustness, 4, "robustness")
    robustness.add_argument(
        "--pattern", action="append", metavar="ID", help=helped("robustness.pattern")
    )
    robustness.add_argument(
        "--param",
        action="append",
        metavar="NAME",
        help=helped("robustness.param"),
    )
    robustness.add_argument(
        "--sensitivity",
        choices=("rbd_fast", "morris", "sobol"),
        default="rbd_fast",
        help=helped("robustness.sensitivity"),
    )
    robustness.add_argument(
        "--trajectories", type=_positive, metavar="N", help=helped("robustness.trajectories")
    )
    robustness.add_argument("--out", metavar="DIR", help=helped("robustness.out"))
    robustness.add_argument("--resume", action="store_true", help=helped("robustness.resume"))
    add_lang(robustness)
    robustness.set_defaults(func=cmd_robustness)
    decompose = sub.add_parser(
        "decompose",
        help=helped("decompose.summary"),
    )
    decompose.add_argument("a", metavar="A", help=helped("decompose.a"))
    decompose.add_argument("b", metavar="B", help=helped("decompose.b"))
    decompose.add_argument(
        "--outcome",
        required=True,
        metavar="NAME",
        help=helped("decompose.outcome"),
    )
    decompose.add_argument(
        "--rule",
        action="append",
        metavar="NAME=P1,P2",
        help=helped("decompose.rule"),
    )
    _replication_options(decompose, 6, "decompose")
    decompose.add_argument(
        "--exact-limit",
        type=_seed,
        default=8,
        metavar="K",
        help=helped("decompose.exact_limit"),
    )
    decompose.add_argument(
        "--permutations",
        type=_positive,
        default=20,
        metavar="N",
        help=helped("decompose.permutations"),
    )
    decompose.add_argument("--out", metavar="DIR", help=helped("decompose.out"))
    decompose.add_argument("--resume", action="store_true", help=helped("decompose.resume"))
    add_lang(decompose)
    decompose.set_defaults(func=cmd_decompose)

    app = sub.add_parser("app", help=helped("app.summary"))
    app.add_argument("--host", default="127.0.0.1", help=helped("app.host"))
    app.add_argument("--port", type=_port, default=8765, help=helped("app.port"))
    app.add_argument("--open", action="store_true", help=helped("app.open"))
    app.add_argument("--lang", metavar="LANG", help=helped("app.lang"))
    app.set_defaults(func=cmd_app)
    return parser


def _show_warning(
    message: Warning | str, category: type[Warning], filename: str, lineno: int, *rest: Any
) -> None:
    """Show simcontract's own warnings as one line each, each text once per command
    (a scenario the command loads twice warns once); others as Python does."""
    if category.__module__.startswith("simcontract."):
        text = str(message)
        if text not in _SHOWN:
            _SHOWN.add(text)
            warn(text)
    else:
        _PYTHON_SHOWWARNING(message, category, filename, lineno, *rest)


_PYTHON_SHOWWARNING = warnings.showwarning

_SHOWN: set[str] = set()
"""The texts of simcontract's warnings the command running has shown."""


def _bad_input(err: Exception) -> bool:
    """Whether ``err`` reports bad input (a scenario, a design, options, a folder)."""
    from simcontract.experiment.designs import DesignError
    from simcontract.experiment.runner import ExperimentError

    return isinstance(err, UsageError | ScenarioError | DesignError | ExperimentError)


def _run_command(parser: argparse.ArgumentParser, argv: list[str]) -> int:
    from simcontract import i18n

    args = parser.parse_args(argv)
    args.argv = argv
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    given = getattr(args, "lang", None) or args.global_lang
    args.lang = given
    try:
        lang = i18n.resolve(given) if given else i18n.current()
    except ValueError:
        raise UsageError(
            said("error.lang", value=repr(given), reason=unknown_language(given))
        ) from None
    with i18n.use_language(lang):
        return int(args.func(args) or 0)


def add_lang(parser: argparse.ArgumentParser) -> None:
    """``--lang``: the language of what the command prints and writes for readers."""
    parser.add_argument(
        "--lang",
        metavar="LANG",
        help=helped("options.lang"),
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``simcontract`` command; returns the exit status. Its help,
    errors and reports are in the language of ``--lang`` or ``SIMCONTRACT_LANG``
    (:func:`simcontract.clihelp.language`)."""
    from simcontract import i18n

    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        lang = language(argv)
    except ValueError as err:
        print(said("error.error", message=err), file=sys.stderr)
        return 2
    with i18n.use_language(lang):
        return _main(argv)


def _main(argv: list[str]) -> int:
    """The command of ``argv``, run; its exit status."""
    from simcontract.experiment.runner import WorkerLost, signals_interrupt

    parser = build_parser()
    _SHOWN.clear()
    try:
        with warnings.catch_warnings(), signals_interrupt():
            warnings.showwarning = _show_warning
            return _run_command(parser, argv)
    except _Stopped as stop:
        print(f"simcontract: {stop}", file=sys.stderr)
        return stop.status
    except KeyboardInterrupt as stop:
        stopped = _interrupted(stop)
        print(f"simcontract: {stopped}", file=sys.stderr)
        return stopped.status
    except BrokenPipeError:  # e.g. `simcontract params | head`: the reader has gone
        _silence_stdout()
        return 128 + 13  # as if ended by SIGPIPE
    except (OSError, WorkerLost) as err:  # the machine refused: disk full, a worker killed
        print(said("error.error", message=_refusal(err)), file=sys.stderr)
        return 1
    except Exception as err:
        if not _bad_input(err):
            raise
        print(said("error.error", message=err), file=sys.stderr)
        return 2


def _refusal(err: Exception) -> str:
    """What the machine refused, in one line; a full disk says how to go on."""
    if not isinstance(err, OSError):
        return str(err)
    if err.errno != errno.ENOSPC:
        return os_message(err)
    where = said("error.no_space_writing", path=repr(str(err.filename))) if err.filename else ""
    return said("error.no_space", where=where)


def _silence_stdout() -> None:
    """Point stdout at the null device, so that flushing it at exit raises nothing."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


if __name__ == "__main__":
    sys.exit(main())
