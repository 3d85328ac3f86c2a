"""The ``simcontract discover`` command: scenario discovery, the boxes of rules where the
runs meet a condition (:mod:`simcontract.experiment.discovery`).

A new discovery samples a Latin hypercube over the rules and uncertain parameters and
runs it as a sweep (streamed to ``--out DIR/runs``, resumable with ``--resume``);
``--from DIR`` reads an existing sweep's results instead. Bad input is one line with
exit status 2, as for every command (:mod:`simcontract.cli`); so is a missing EMA
workbench, with the extra to install.
"""

from __future__ import annotations

import argparse
import copy
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from simcontract import i18n
from simcontract.cli import (
    UsageError,
    _batch,
    _batch_options,
    _check_out,
    _check_scheduler,
    _holding,
    _item_reason,
    _positive,
    add_lang,
    api_hint_removed,
    figure_formats,
    in_cli_words,
    listed,
    numeric_range,
    out_path,
    parse_set,
    said,
    scenario_with,
)
from simcontract.clihelp import helped
from simcontract.params import PARAMETERS, unknown_message

RUNS = "runs"
"""Subfolder of ``--out`` holding the discovery's sweep."""

FIGURES = ("tradeoff", "box", "scores")
"""The figures a discovery draws (``discovery_<name>``)."""


def parse_inputs(items: Sequence[str] | None) -> dict[str, Any]:
    """Parse ``--param`` items of ``discover``: ``name`` (the registry's range, or every
    choice), ``name=lo:hi`` (a number's range) or ``name=a,b`` (some choices).

    Raises:
        UsageError: A malformed item, an unknown name or one given twice.
    """
    inputs: dict[str, Any] = {}
    for item in items or []:
        name, sep, text = item.partition("=")
        name = name.strip()
        if name not in PARAMETERS:
            raise UsageError(_item_reason("--param", item, unknown_message(name)))
        if name in inputs:
            raise UsageError(said("error.param_twice", item=repr(item), name=repr(name)))
        param = PARAMETERS[name]
        if not sep:
            inputs[name] = None
        elif not param.numeric:
            inputs[name] = [c.strip() for c in text.split(",") if c.strip()]
        else:
            low, colon, high = text.partition(":")
            try:
                inputs[name] = (float(low), float(high))
            except ValueError:
                colon = ""
            if not colon:
                raise UsageError(numeric_range(item, name))
    return inputs


def cmd_discover(args: argparse.Namespace) -> int:
    """``simcontract discover``: the boxes of rules where the runs meet ``--where``; the
    boxes, their rules in words, coverage, density and the feature scores on stdout;
    with ``--out``, the tables, ``discovery.md`` and the figures too."""
    from simcontract.experiment.discovery import (
        DiscoveryError,
        _check_options,
        _condition,
        _prim_module,
    )

    try:
        condition = _condition(args.where)
    except DiscoveryError as err:
        reason = str(err).removeprefix(i18n.text("errors.discovery.where", reason=""))
        raise UsageError(_item_reason("--where", args.where, reason)) from None
    try:
        _check_options(args.min_density, args.max_boxes, args.mass_min, 0.05, 0.05, args.max_qp)
        _prim_module()  # a missing workbench is said before any run
    except DiscoveryError as err:
        raise UsageError(_option_names(str(err))) from None
    figure_formats(args.format)
    if args.from_dir is not None:
        results, inputs = _stored(args)
    else:
        results, inputs = _sampled(args)
    return _report(args, results, condition, inputs)


def _option_names(message: str) -> str:
    """A message about a keyword of :func:`discover`, naming the option instead."""
    for keyword in ("min_density", "max_boxes", "mass_min", "max_qp"):
        message = message.replace(keyword, "--" + keyword.replace("_", "-"))
    return in_cli_words(message)


def _stored(args: argparse.Namespace) -> tuple[Any, list[str] | None]:
    """The results ``--from`` names, and the inputs ``--param`` names (bare names)."""
    from simcontract.experiment import load_results

    if args.scenario is not None:
        raise UsageError(said("error.scenario_and_from", scenario=repr(args.scenario)))
    for option, value in (("--set", args.set), ("--points", args.points_given)):
        if value:
            raise UsageError(said("error.from_no_use", option=option))
    if args.resume:
        raise UsageError(said("error.resume_from"))
    inputs = parse_inputs(args.param)
    ranged = [n for n, v in inputs.items() if v is not None]
    if ranged:
        raise UsageError(said("error.from_inputs", item=repr(ranged[0])))
    out_path(args.out)
    _check_out(args.out, False)
    folder = Path(args.from_dir)
    if not (folder / "manifest.json").is_file() and (folder / RUNS / "manifest.json").is_file():
        folder = folder / RUNS  # a discovery's folder: its runs
    try:
        results = load_results(folder)
    except (OSError, ValueError) as err:
        # The command line reads only finished batches (load_results offers partial=True).
        told = i18n.os_message(err) if isinstance(err, OSError) else str(err)
        reason = api_hint_removed(told, "errors.results.not_complete", "step")
        raise UsageError(_item_reason("--from", args.from_dir, reason)) from None
    print(said("discovery_from", path=folder, n=len(results.runs)))
    return results, list(inputs) or None


def _sampled(args: argparse.Namespace) -> tuple[Any, list[str]]:
    """Sample and run the discovery's design (streamed to ``--out DIR/runs``)."""
    from simcontract.experiment import limits, sweep
    from simcontract.experiment.designs import DesignError, check_points
    from simcontract.experiment.discovery import DEFAULT_RULES, discovery_design

    if args.scenario is None:
        raise UsageError(said("error.give_scenario"))
    base = scenario_with(args.scenario, args.set)
    fixed = set(parse_set(args.set))
    inputs = parse_inputs(args.param) or {k: v for k, v in DEFAULT_RULES.items() if k not in fixed}
    both = sorted(fixed & set(inputs))
    if both:
        raise UsageError(said("error.fixed_and_varied_param", name=repr(both[0])))
    try:
        design = discovery_design(inputs, args.points, seed=args.seed)
    except DesignError as err:
        raise UsageError(str(err)) from None
    _check_scheduler(args.scheduler)
    # The size first: checking the points samples them all.
    limits.check_batch(
        "sweep",
        len(design),
        args.replications,
        base,
        n_parameters=len(inputs),
        in_memory=args.out is None,
    )
    try:
        check_points(base, design)
    except DesignError as err:
        raise UsageError(str(err)) from None
    out = out_path(args.out)
    if args.resume and out is not None:
        _check_out(str(out / RUNS), True)  # the sweep to finish is in DIR/runs
        _same_analysis(args, out)
    else:
        _check_out(args.out, args.resume)
    runs_args = copy.copy(args)
    runs_args.out = None if out is None else str(out / RUNS)
    runs_args.series = False
    ran = {"points": args.points, "replications": args.replications, "seed": args.seed}
    sampled = listed(design.parameters)
    print(said("discovery_design", scenario=repr(base.name), inputs=sampled, **ran))
    with _holding(args):
        results = _batch(runs_args, lambda **kw: sweep(base, design, **kw))
    return results, list(design.parameters)


ANALYSIS_OPTIONS = {
    "where": "--where",
    "min_density": "--min-density",
    "max_boxes": "--max-boxes",
    "mass_min": "--mass-min",
    "max_qp": "--max-qp",
}
"""The settings of a discovery's analysis that a resume must keep, and their options."""


def _same_analysis(args: argparse.Namespace, out: Path) -> None:
    """Refuse a resume that would replace the analysis already in ``out`` with another
    (another condition or PRIM setting): its tables and figures would be lost.

    Raises:
        UsageError: ``out`` holds a discovery whose settings differ from ``args``'.
    """
    from simcontract.experiment.discovery import _SETTINGS, _condition

    path = out / _SETTINGS
    try:
        kept = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return  # none yet: the resume writes it
    given = {name: getattr(args, name) for name in ANALYSIS_OPTIONS}
    given["where"] = str(_condition(args.where))
    for name, option in ANALYSIS_OPTIONS.items():
        if name in kept and kept[name] != given[name]:
            said_here = {
                "out": repr(str(out)),
                "option": option,
                "kept": repr(kept[name]),
                "given": repr(given[name]),
                "runs": str(out / RUNS),
            }
            raise UsageError(said("error.resume_other_analysis", **said_here))


def _report(args: argparse.Namespace, results: Any, condition: Any, inputs: Any) -> int:
    """Run PRIM and the feature scores; print the boxes; write the tables and figures."""
    from simcontract.experiment.discovery import DiscoveryError, discover, format_discovery

    try:
        found = discover(
            results,
            condition,
            inputs,
            min_density=args.min_density,
            max_boxes=args.max_boxes,
            mass_min=args.mass_min,
            max_qp=args.max_qp,
            seed=args.seed,
        )
    except DiscoveryError as err:
        stored = getattr(results, "directory", None)
        hint = said("error.runs_kept", stored=stored) if stored else ""
        raise UsageError(f"{_option_names(str(err))}{hint}") from None
    print(format_discovery(found))
    out = out_path(args.out)
    if out is not None:
        with _holding(args):
            written = _write(found, out, figure_formats(args.format))
        print(said("discovery_written", path=out, names=listed(sorted(p.name for p in written))))
    return 0


def _write(found: Any, out: Path, formats: Sequence[str]) -> list[Path]:
    """The tables, ``discovery.md`` and each box's figures, in ``out``."""
    from simcontract import plots
    from simcontract.experiment import storage
    from simcontract.experiment.discovery import format_discovery

    written = found.save(out)
    path = out / "discovery.md"
    storage.write_text(path, format_discovery(found) + "\n")
    written.append(path)
    for box in found.boxes["box"]:
        suffix = f"_{box + 1}" if len(found.boxes) > 1 else ""
        for name, draw in (("tradeoff", plots.discovery_tradeoff), ("box", plots.discovery_box)):
            written += plots.save(draw(found, int(box)), out / f"{name}{suffix}", formats=formats)
    written += plots.save(plots.discovery_scores(found), out / "scores", formats=formats)
    return written


def add_discover(sub: Any) -> None:
    """The ``discover`` subcommand."""
    from simcontract.experiment.discovery import MAX_BOXES, MIN_DENSITY

    discover = sub.add_parser(
        "discover",
        help=helped("discover.summary"),
    )
    discover.add_argument("scenario", nargs="?", help=helped("discover.scenario"))
    discover.add_argument(
        "--where",
        required=True,
        metavar="CONDITION",
        help=helped("discover.where"),
    )
    discover.add_argument(
        "--param",
        action="append",
        metavar="NAME[=LO:HI|=A,B]",
        help=helped("discover.param"),
    )
    discover.add_argument("--points", type=_positive, metavar="N", help=helped("discover.points"))
    discover.add_argument(
        "--from",
        dest="from_dir",
        metavar="DIR",
        help=helped("discover.from_dir"),
    )
    # Its sweep keeps no series and draws no figures: --format draws the discovery's own.
    _batch_options(discover, 2, outputs=False)
    for action in discover._actions:
        if action.dest == "out":
            action.help = helped("discover.out")
    discover.add_argument(
        "--min-density",
        type=float,
        default=MIN_DENSITY,
        metavar="D",
        help=helped("discover.min_density", density=MIN_DENSITY),
    )
    discover.add_argument(
        "--max-boxes",
        type=_positive,
        default=MAX_BOXES,
        metavar="N",
        help=helped("discover.max_boxes", n=MAX_BOXES),
    )
    discover.add_argument(
        "--max-qp",
        type=float,
        default=0.05,
        metavar="P",
        help=helped("discover.max_qp"),
    )
    discover.add_argument(
        "--mass-min",
        type=float,
        default=0.05,
        metavar="M",
        help=helped("discover.mass_min"),
    )
    discover.add_argument(
        "--format",
        default="png,pdf",
        help=helped("options.figure_format"),
    )
    add_lang(discover)
    discover.set_defaults(func=_with_points)


def _with_points(args: argparse.Namespace) -> int:
    """Tell a given ``--points`` from its default (``--from`` refuses the first)."""
    args.points_given = args.points is not None
    if args.points is None:
        args.points = 128
    return cmd_discover(args)
