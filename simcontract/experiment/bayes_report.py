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

Texts come from the catalogue of :mod:`simcontract.i18n` (section ``bayes``); ``lang``
``None`` is the language in use (:func:`~simcontract.i18n.use_language`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from simcontract import i18n
from simcontract.experiment.atomic import write_text
from simcontract.experiment.bayes_posterior import LEVEL

PRIOR_LIKE = 0.9
"""A credible interval at least this share of the prior's width: the fitted figures say
little about the parameter (its posterior stays close to its prior)."""


def _t(key: str, lang: str | None, **values: Any) -> str:
    return i18n.text(f"bayes.{key}", lang, **values)


def _count(key: str, n: int, lang: str | None) -> str:
    """``n`` with its noun, e.g. ``"3 generations"`` (``bayes.<key>_one``/``_many``)."""
    return _t(f"{key}_{'one' if n == 1 else 'many'}", lang, n=n)


def _num(x: float) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "nan"
    if abs(x) >= 100:
        return f"{x:.0f}"
    return f"{x:.3g}"


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _parameter(name: str, lang: str | None) -> str:
    """A parameter as a reader of ``lang`` knows it: its name in English, else its
    label with the name (the name the tables and ``--param`` use)."""
    if i18n.resolve(lang) == i18n.DEFAULT_LANGUAGE:
        return name
    return i18n.text("punctuation.paren", lang, text=i18n.parameter_label(name, lang), note=name)


def use_word(use: str, lang: str | None = None) -> str:
    """A figure's use in the calibration (``fit``, ``holdout``, ``input``) in words."""
    return _t(f"use_{use}", lang) if use in ("fit", "holdout", "input") else use


def posterior_markdown(posterior: Any, level: float = LEVEL, lang: str | None = None) -> str:
    """The posterior table as Markdown: per free parameter the uniform prior, the
    scenario's value, the posterior mean, median and credible interval, and the
    interval's width over the prior's."""
    pct = f"{level:.0%}"
    heads = ["parameter", "prior", "scenario", "mean", "median", "credible", "width"]
    lines = [
        _row([_t(f"col_{h}", lang, level=pct) for h in heads]),
        "|---|---|---|---|---|---|---|",
    ]
    for r in posterior.table(level).itertuples():
        prior = _t("prior_range", lang, low=_num(r.prior_low), high=_num(r.prior_high))
        cells = [_parameter(r.parameter, lang), prior, _num(r.scenario_value), _num(r.mean)]
        cells += [_num(r.median), f"[{_num(r.low)}, {_num(r.high)}]", f"{r.shrinkage:.2f}"]
        lines.append(_row(cells))
    return "\n".join(lines)


def predictive_markdown(posterior: Any, level: float = LEVEL, lang: str | None = None) -> str:
    """The predictive check as Markdown: per figure its year, use, source value, the
    predictive mean with its interval, and whether the source lies inside."""
    table = posterior.predictive
    if table is None:
        return _t("no_predictive", lang)
    pct = f"{level:.0%}"
    heads = ["figure", "year", "use", "source", "predictive", "inside"]
    lines = [_row([_t(f"col_{h}", lang, level=pct) for h in heads]), "|---|---|---|---|---|---|"]
    for r in table.itertuples():
        figure = i18n.calibration_figure(r.outcome, int(r.year), str(r.figure), lang)
        interval = f"[{_num(r.predictive_low)}, {_num(r.predictive_high)}]"
        cells = [figure, str(r.calendar_year), use_word(r.use, lang), _num(r.source_value)]
        cells += [f"{_num(r.predictive_mean)} {interval}"]
        cells += [_t("inside_yes" if r.inside else "inside_no", lang)]
        lines.append(_row(cells))
    return "\n".join(lines)


def verdict_lines(posterior: Any, level: float = LEVEL, lang: str | None = None) -> list[str]:
    """Plain sentences on the result: parameters the figures hardly inform, and how
    many holdout figures lie in their predictive intervals: the later targets (not
    tests out of sample: the scenario's own values may have been set from them) apart
    from the untargeted figures (tests out of sample)."""
    out = []
    table = posterior.table(level)
    vague = [r.parameter for r in table.itertuples() if r.shrinkage >= PRIOR_LIKE]
    if vague:
        names = i18n.text("punctuation.list", lang).join(_parameter(n, lang) for n in vague)
        key = "vague_one" if len(vague) == 1 else "vague_many"
        out.append(_t(key, lang, share=f"{PRIOR_LIKE:.0%}", names=names))
    table = posterior.predictive
    if table is not None:
        role = table["role"] if "role" in table else pd.Series("target", index=table.index)
        untargeted = role == "untargeted"
        for key, mask in (
            ("holdout", (table["use"] == "holdout") & ~untargeted),
            ("holdout_untargeted", (table["use"] == "holdout") & untargeted),
            ("fitted", table["use"] == "fit"),
        ):
            part = table[mask]
            if len(part):
                inside = int(part["inside"].sum())
                out.append(_t(key, lang, inside=inside, n=len(part), level=f"{level:.0%}"))
    return out


def stop_text(stop: Mapping[str, Any], lang: str | None = None) -> str:
    """Why a run stopped, in ``lang``: ``stop`` holds the ``reason``, a key of the
    catalogue's ``bayes.stop_*`` texts, and their values."""
    values = {k: v for k, v in stop.items() if k != "reason"}
    return _t(f"stop_{stop['reason']}", lang, **values)


def stop_reason(settings: Mapping[str, Any], lang: str | None = None) -> str:
    """Why the run of these ``settings`` stopped, in ``lang`` (from ``stop``; the
    English ``stopped`` of settings made without it)."""
    stop = settings.get("stop")
    return stop_text(stop, lang) if stop else str(settings.get("stopped"))


def settings_line(posterior: Any, lang: str | None = None) -> str:
    """What ran: scenario, particles, generations, replications, seed, fit years, stop."""
    s = posterior.settings
    runs = int(s.get("replications") or 0)
    fitted = [f.key for f in posterior.figures if f.use == "fit"]
    return _t(
        "settings",
        lang,
        scenario=posterior.scenario.name,
        particles=_count("particle", int(s.get("population") or 0), lang),
        generations=_count("generation", len(posterior.generations), lang),
        stopped=stop_reason(s, lang),
        runs=i18n.text(f"cli.run_{'one' if runs == 1 else 'many'}", lang, n=runs),
        seed=s.get("seed"),
        years=s.get("years"),
        fit_until=s.get("fit_until"),
        fitted=i18n.text("punctuation.list", lang).join(fitted),
    )


def generations_markdown(posterior: Any, lang: str | None = None) -> str:
    """The generations as Markdown."""
    heads = ["generation", "epsilon", "accepted", "rate", "ess"]
    lines = [_row([_t(f"col_{h}", lang) for h in heads]), "|---|---|---|---|---|"]
    for r in posterior.generations.itertuples():
        lines.append(
            f"| {r.generation} | {r.epsilon:.4g} | {r.particles} / {r.evaluations} | "
            f"{r.acceptance_rate:.3f} | {r.ess:.0f} |"
        )
    return "\n".join(lines)


def markdown(posterior: Any, level: float = LEVEL, lang: str | None = None) -> str:
    """The whole report (``report.md``)."""
    stop = i18n.text("punctuation.stop", lang)
    parts = [
        f"# {_t('title', lang, scenario=posterior.scenario.name)}",
        "",
        settings_line(posterior, lang) + stop,
        "",
        _t("distance", lang),
        "",
        f"## {_t('posterior_heading', lang)}",
        "",
        posterior_markdown(posterior, level, lang),
        "",
        f"## {_t('predictive_heading', lang)}",
        "",
        predictive_markdown(posterior, level, lang),
        "",
        *[f"- {line}" for line in verdict_lines(posterior, level, lang)],
        "",
        f"## {_t('generations_heading', lang)}",
        "",
        generations_markdown(posterior, lang),
        "",
    ]
    return "\n".join(parts)


def write(
    posterior: Any, folder: str | Path, formats: Sequence[str] = ("png", "pdf")
) -> list[Path]:
    """Write the tables, the report and the figures into ``folder``, removing those of
    an earlier report that this one does not write; return the paths (see the module's
    docstring)."""
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
    _remove_stale(folder, written)
    return written


def _remove_stale(folder: Path, written: Sequence[Path]) -> None:
    """Remove what an earlier report in ``folder`` wrote and this one did not (a
    predictive check a resumed run no longer makes, figures in other formats): the
    folder then holds one report, not parts of two."""
    from simcontract.plots.export import IMAGE_FORMATS

    kept = {Path(p).name for p in written}
    owned = {"predictive.csv"} | {
        f"{stem}.{fmt}" for stem in ("posterior", "predictive") for fmt in IMAGE_FORMATS
    }
    for name in owned - kept:
        (folder / name).unlink(missing_ok=True)
