"""The ``simcontract calibrate`` command: Bayesian calibration (ABC-SMC) of a scenario's
free parameters on the figures of the sources (:mod:`simcontract.experiment.bayes`).

Bad input is one line with exit status 2, as for every command (:mod:`simcontract.cli`);
so is a missing pyabc, with the extra to install.
"""

from __future__ import annotations

import argparse
import math
import signal
from collections.abc import Sequence
from typing import Any

from simcontract.cli import (
    UsageError,
    _check_scheduler,
    _command,
    _connect,
    _integer,
    _item_reason,
    _positive,
    _replication_options,
    _Stopped,
    add_lang,
    figure_formats,
    file_stem,
    out_path,
    said,
)
from simcontract.clihelp import helped
from simcontract.params import PARAMETERS, unknown_message
from simcontract.scenario import ScenarioError, load_scenario


def parse_priors(items: Sequence[str] | None) -> dict[str, tuple[float, float] | None]:
    """Parse ``--param name=low:high`` (or a bare ``name``: the default prior) items of
    ``calibrate``.

    Raises:
        UsageError: A malformed item, an unknown name or one given twice.
    """
    priors: dict[str, tuple[float, float] | None] = {}
    for item in items or []:
        name, sep, text = item.partition("=")
        name = name.strip()
        if name not in PARAMETERS:
            raise UsageError(_item_reason("--param", item, unknown_message(name)))
        if name in priors:
            raise UsageError(said("error.param_twice", item=repr(item), name=repr(name)))
        if not sep:
            priors[name] = None
            continue
        low, colon, high = text.partition(":")
        try:
            priors[name] = (float(low), float(high))
        except ValueError:
            colon = ""
        if not colon:
            raise UsageError(said("error.prior_form", item=repr(item), name=name))
    return priors


def acceptance_rate(text: str) -> float:
    """An argparse type: a share in ``[0, 1)`` (``--min-acceptance``)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(said("error.share", text=repr(text)))
    return value


def cmd_calibrate(args: argparse.Namespace) -> int:
    """``simcontract calibrate``: Bayesian calibration (ABC-SMC) of a scenario's free
    parameters on the figures of the sources; the posterior and the predictive check
    on stdout and in ``--out DIR``."""
    from simcontract import i18n
    from simcontract.experiment import bayes, bayes_report, lock

    try:
        scenario = load_scenario(args.scenario)
    except ScenarioError as err:
        raise UsageError(str(err)) from None
    priors = parse_priors(args.param)
    formats = figure_formats(args.format)
    args.out = args.out or f"calibration-{file_stem(scenario.name)}"
    out = out_path(args.out)
    lock.check_free(out)
    _check_scheduler(args.scheduler)
    client = _connect(args.scheduler) if args.scheduler is not None else None
    try:
        posterior = bayes.calibrate_abc(
            args.scenario,
            params=priors or None,
            fit_until=args.fit_until,
            population=args.population,
            generations=args.generations,
            min_acceptance=args.min_acceptance,
            replications=args.replications,
            seed=args.seed,
            workers=args.workers,
            client=client,
            out=out,
            resume=args.resume,
            predictive_draws=args.predictive_draws,
            progress=True,
        )
        with lock.hold(out, _command(args)):
            written = bayes_report.write(posterior, out, formats)
    except KeyboardInterrupt as stop:
        signum = getattr(stop, "signum", signal.SIGINT)
        name = signal.Signals(signum).name
        if not bayes.stored_generations(out / bayes.DB_FILE):  # before a generation was stored
            command = " ".join(_command(args))
            said_as = said("error.interrupted_before", signal=name, command=command)
            raise _Stopped(said_as, 128 + signum) from None
        again = " ".join([*_command(args), *([] if args.resume else ["--resume"])])
        path = repr(str(out / bayes.DB_FILE))
        said_as = said("error.interrupted_generations", signal=name, path=path, command=again)
        raise _Stopped(said_as, 128 + signum) from None
    finally:
        if client is not None:
            client.close()
    print(bayes_report.settings_line(posterior))
    print()
    print(bayes_report.posterior_markdown(posterior))
    print()
    if posterior.predictive is not None:
        print(bayes_report.predictive_markdown(posterior))
        print()
    for line in bayes_report.verdict_lines(posterior):
        print(line)
    names = i18n.text("punctuation.list").join(sorted(p.name for p in written))
    print(i18n.text("bayes.written", path=out, names=names))
    return 0


def add_calibrate(sub: Any) -> None:
    """The ``calibrate`` subcommand."""
    from simcontract.experiment.bayes_defaults import DEFAULT_REPLICATIONS

    calibrate = sub.add_parser(
        "calibrate",
        help=helped("calibrate.summary"),
    )
    calibrate.add_argument("scenario", help=helped("options.scenario"))
    calibrate.add_argument(
        "--param",
        action="append",
        metavar="NAME[=LOW:HIGH]",
        help=helped("calibrate.param"),
    )
    _add_abc_options(calibrate)
    _replication_options(calibrate, DEFAULT_REPLICATIONS, "calibrate")
    calibrate.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help=helped("calibrate.scheduler"),
    )
    calibrate.add_argument(
        "--out",
        metavar="DIR",
        help=helped("calibrate.out"),
    )
    calibrate.add_argument("--resume", action="store_true", help=helped("calibrate.resume"))
    calibrate.add_argument(
        "--format",
        default="png,pdf",
        help=helped("options.figure_format"),
    )
    add_lang(calibrate)
    calibrate.set_defaults(func=cmd_calibrate)


def _add_abc_options(calibrate: Any) -> None:
    """The options of the ABC-SMC run: fitted years, population, stopping, predictive check."""
    from simcontract.experiment.bayes_defaults import (
        DEFAULT_FIT_UNTIL,
        DEFAULT_GENERATIONS,
        DEFAULT_MIN_ACCEPTANCE,
        DEFAULT_POPULATION,
        DEFAULT_PREDICTIVE_DRAWS,
    )

    calibrate.add_argument(
        "--fit-until",
        type=_positive,
        default=DEFAULT_FIT_UNTIL,
        metavar="YEAR",
        help=helped("calibrate.fit_until", year=DEFAULT_FIT_UNTIL),
    )
    calibrate.add_argument(
        "--population",
        type=_integer(2, None, "at_least_two", "at_least_two_value"),
        default=DEFAULT_POPULATION,
        metavar="N",
        help=helped("calibrate.population", n=DEFAULT_POPULATION),
    )
    calibrate.add_argument(
        "--generations",
        type=_positive,
        default=DEFAULT_GENERATIONS,
        metavar="N",
        help=helped("calibrate.generations", n=DEFAULT_GENERATIONS),
    )
    calibrate.add_argument(
        "--min-acceptance",
        type=acceptance_rate,
        default=DEFAULT_MIN_ACCEPTANCE,
        metavar="RATE",
        help=helped("calibrate.min_acceptance", rate=DEFAULT_MIN_ACCEPTANCE),
    )
    calibrate.add_argument(
        "--predictive-draws",
        type=_integer(0, None, "at_least_zero", "at_least_zero_value"),
        default=DEFAULT_PREDICTIVE_DRAWS,
        metavar="N",
        help=helped("calibrate.predictive_draws", n=DEFAULT_PREDICTIVE_DRAWS),
    )
