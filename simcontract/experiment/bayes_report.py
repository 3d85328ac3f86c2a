"""A Bayesian calibration as Markdown and as files: the posterior table, the predictive
check, the generations, and their figures (see :mod:`simcontract.experiment.bayes`).

Files :func:`write` puts into a calibration folder (beside ``abc.db`` and
``calibration.json``):

* ``posterior.csv``: :meth:`~simcontract.experiment.bayes_posterior.Posterior.table`.
* ``particles.csv``: the last generation's particles with ``weight`` and ``distance``.
* ``generations.csv``: one row per generation (epsilon, acceptance rate, ESS).
* ``predictive.csv``: :func:`~simcontract.experiment.bayes_posterior.predictive_check`.
* ``report.md``: all of it as Markdown.
* ``posterior.png``/``.pdf`` and ``predictive.png``/``.pdf``: the figures of
  :mod:`simcontract.plots.posterior`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from simcontract.experiment.atomic import write_text
from simcontract.experiment.bayes_posterior import LEVEL

PRIOR_LIKE = 0.9
"""A credible interval at least this share of the prior's width: the fitted figures say
little about the parameter (its posterior stays close to its prior)."""

USE_WORDS = {"fit": "fit", "holdout": "holdout", "input": "input (check)"}


def _num(x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "nan"
    if abs(x) >= 100:
        return f"{x:.0f}"
    return f"{x:.3g}"


def posterior_markdown(posterior: Any, level: float = LEVEL) -> str:
    """The posterior table as Markdown: per free parameter the uniform prior, the
    scenario's value, the posterior mean, median and credible interval, and the
    interval's width over the prior's."""
    pct = f"{level:.0%}"
    lines = [
        f"| parameter | prior (uniform) | scenario | mean | median | {pct} credible interval "
        "| width / prior |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in posterior.table(level).itertuples():
        lines.append(
            f"| {r.parameter} | {_num(r.prior_low)} to {_num(r.prior_high)} | "
            f"{_num(r.scenario_value)} | {_num(r.mean)} | {_num(r.median)} | "
            f"[{_num(r.low)}, {_num(r.high)}] | {r.shrinkage:.2f} |"
        )
    return "\n".join(lines)


def predictive_markdown(posterior: Any, level: float = LEVEL) -> str:
    """The predictive check as Markdown: per figure its year, use, source value, the
    predictive mean with its interval, and whether the source lies inside."""
    table = posterior.predictive
    if table is None:
        return "(no predictive check)"
    pct = f"{level:.0%}"
    lines = [
        f"| figure | year | use | source | predictive mean [{pct} interval] | inside |",
        "|---|---|---|---|---|---|",
    ]
    for r in table.itertuples():
        lines.append(
            f"| {r.figure} | {r.calendar_year} | {USE_WORDS.get(r.use, r.use)} | "
            f"{_num(r.source_value)} | {_num(r.predictive_mean)} [{_num(r.predictive_low)}, "
            f"{_num(r.predictive_high)}] | {'yes' if r.inside else 'NO'} |"
        )
    return "\n".join(lines)


def verdict_lines(posterior: Any, level: float = LEVEL) -> list[str]:
    """Plain sentences on the result: parameters the figures hardly inform, and how
    many holdout figures lie in their predictive intervals."""
    out = []
    vague = [r.parameter for r in posterior.table(level).itertuples() if r.shrinkage >= PRIOR_LIKE]
    if vague:
        out.append(
            f"Posterior close to the prior (credible interval >= {PRIOR_LIKE:.0%} of the "
            f"prior's width): {', '.join(vague)}; the fitted figures say little about "
            f"{'it' if len(vague) == 1 else 'them'}."
        )
    table = posterior.predictive
    if table is not None:
        for use, words in (("holdout", "holdout (out-of-sample)"), ("fit", "fitted")):
            part = table[table["use"] == use]
            if len(part):
                out.append(
                    f"{int(part['inside'].sum())} of {len(part)} {words} figures lie in "
                    f"their {level:.0%} predictive interval."
                )
    return out


def settings_line(posterior: Any) -> str:
    """What ran: scenario, particles, generations, replications, seed, fit years, stop."""
    s = posterior.settings
    n, runs = len(posterior.generations), s.get("replications")
    fitted = [f.key for f in posterior.figures if f.use == "fit"]
    return (
        f"{posterior.scenario.name}: ABC-SMC, {s.get('population')} particles x {n} "
        f"generation{'s' if n != 1 else ''} (stopped: {s.get('stopped')}), "
        f"{runs} run{'s' if runs != 1 else ''} per particle, seed {s.get('seed')}, runs cut to "
        f"{s.get('years')} years; fitted on the figures up to {s.get('fit_until')}: "
        f"{', '.join(fitted)}"
    )


def generations_markdown(posterior: Any) -> str:
    """The generations as Markdown."""
    lines = [
        "| generation | epsilon | accepted / tried | acceptance rate | ESS |",
        "|---|---|---|---|---|",
    ]
    for r in posterior.generations.itertuples():
        lines.append(
            f"| {r.generation} | {r.epsilon:.4g} | {r.particles} / {r.evaluations} | "
            f"{r.acceptance_rate:.3f} | {r.ess:.0f} |"
        )
    return "\n".join(lines)


def markdown(posterior: Any, level: float = LEVEL) -> str:
    """The whole report (``report.md``)."""
    parts = [
        f"# Bayesian calibration of {posterior.scenario.name}",
        "",
        settings_line(posterior) + ".",
        "",
        "Distance: sum over the fitted figures of |model mean / figure - 1|. Fitted figures "
        "are not independent tests; holdout figures (later targets, untargeted figures) are "
        "tests out of sample; input figures check the scenario's inputs.",
        "",
        "## Posterior",
        "",
        posterior_markdown(posterior, level),
        "",
        "## Posterior predictive check",
        "",
        predictive_markdown(posterior, level),
        "",
        *[f"- {line}" for line in verdict_lines(posterior, level)],
        "",
        "## Generations",
        "",
        generations_markdown(posterior),
        "",
    ]
    return "\n".join(parts)


def write(
    posterior: Any, folder: str | Path, formats: Sequence[str] = ("png", "pdf")
) -> list[Path]:
    """Write the tables, the report and the figures into ``folder``; return the paths
    (see the module's docstring)."""
    from simcontract import plots
    from simcontract.plots.posterior import posterior_marginals, predictive_intervals

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tables: dict[str, pd.DataFrame | None] = {
        "posterior.csv": posterior.table(),
        "particles.csv": posterior.particles,
        "generations.csv": posterior.generations,
        "predictive.csv": posterior.predictive,
    }
    written = []
    for name, table in tables.items():
        if table is not None:
            written.append(write_text(folder / name, table.to_csv(index=False)))
    written.append(write_text(folder / "report.md", markdown(posterior)))
    written += plots.save(posterior_marginals(posterior), folder / "posterior", formats)
    if posterior.predictive is not None:
        written += plots.save(predictive_intervals(posterior), folder / "predictive", formats)
    return written
