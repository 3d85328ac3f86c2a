"""The ``simcontract`` command line.

Bad input (unknown scenario or parameter, bad value, bad option) prints one line
``simcontract: error: ...`` to stderr and exits with status 2, without a traceback.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from simcontract.params import PARAMETERS, unknown_message
from simcontract.scenario import Scenario, ScenarioError, load_scenario


class UsageError(Exception):
    """Bad command-line input; reported as one line with exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2 (argparse adds usage)
        raise UsageError(message)


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
            raise UsageError(f"--set {item!r}: expected name=value, e.g. --set favouritism=0.5")
        if name not in PARAMETERS:
            raise UsageError(f"--set {item!r}: {unknown_message(name)}")
        try:
            values[name] = PARAMETERS[name].parse(text)
        except ValueError as err:
            raise UsageError(f"--set {item!r}: {err}") from None
    return values


def scenario_with(name: str, settings: Sequence[str] | None) -> Scenario:
    """Load a scenario and apply ``--set`` items to it."""
    try:
        scenario = load_scenario(name)
        changes = parse_set(settings)
        return scenario.replace(**changes) if changes else scenario
    except ScenarioError as err:
        raise UsageError(str(err)) from None


def format_table(rows: list[tuple[str, str, str]], headers: tuple[str, str, str]) -> str:
    """Plain-text table with aligned columns."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    line = "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
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


def cmd_run(args: argparse.Namespace) -> int:
    """``simcontract run``: one run, summary table, yearly series as CSV."""
    from simcontract.metrics import OUTCOMES
    from simcontract.model import ContractingModel

    scenario = scenario_with(args.scenario, args.set)
    out = Path(args.out) if args.out else None
    if out is not None and out.exists() and not out.is_dir():
        raise UsageError(f"--out {args.out!r} exists and is not a directory")
    model = ContractingModel(scenario, rng=args.seed).run()
    summary = model.summary()
    rows = [(name, format_value(summary[name]), OUTCOMES[name].unit) for name in OUTCOMES]
    print(f"scenario {scenario.name!r}, seed {args.seed}, {scenario['years']} years")
    print(format_table(rows, ("outcome", "value", "unit")))
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        target = out / f"{scenario.name}-seed{args.seed}-series.csv"
        tmp = target.with_suffix(".csv.tmp")
        model.series().to_csv(tmp, index=False)
        tmp.replace(target)
        print(f"yearly series written to {target}")
    return 0


def cmd_params(args: argparse.Namespace) -> int:
    """``simcontract params``: the parameter registry as a table."""
    rows = [
        (p.name, str(p.default), p.allowed() + (f" {p.unit}" if p.unit else ""))
        for p in PARAMETERS.values()
    ]
    if args.verbose:
        for p in PARAMETERS.values():
            print(f"{p.name} = {p.default!r}  [{p.allowed()}] {p.unit}")
            print(f"    {p.meaning} (source: {p.source})")
        return 0
    print(format_table(rows, ("parameter", "default", "allowed")))
    return 0


def _int_arg(low: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"{value} is below the minimum {low}")
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = _Parser(
        prog="simcontract",
        description="Agent-based simulation of government contracting of social services to NGOs.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    run = sub.add_parser("run", help="run one scenario once and print its summary")
    run.add_argument("scenario", help="built-in scenario name or path to a .toml file")
    run.add_argument(
        "--set",
        action="append",
        metavar="NAME=VALUE",
        help="override a parameter (repeatable)",
    )
    run.add_argument("--seed", type=_int_arg(0), default=0, help="random seed (default 0)")
    run.add_argument("--out", metavar="DIR", help="write the yearly series as CSV here")
    run.set_defaults(func=cmd_run)

    params = sub.add_parser("params", help="list every parameter")
    params.add_argument(
        "-v", "--verbose", action="store_true", help="also print meaning and source"
    )
    params.set_defaults(func=cmd_params)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``simcontract`` command; returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return 2
        return int(args.func(args) or 0)
    except UsageError as err:
        print(f"simcontract: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("simcontract: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
