"""A scenario decomposition as a reader sees it: Markdown with the gap, the method, the
rules' Shapley values beside their one-at-a-time effects, and the parameters that differ.

Texts come from the catalogue of :mod:`simcontract.i18n` (section ``decomposition``).
"""

from __future__ import annotations

import math
import textwrap
from typing import TYPE_CHECKING

from simcontract import i18n
from simcontract.experiment.codebook import variables
from simcontract.experiment.report import WIDTH, decimals, format_number
from simcontract.experiment.validation_report import outcome_heading

if TYPE_CHECKING:
    from simcontract.experiment.decomposition import Decomposition


def _t(key: str, lang: str | None, **values: object) -> str:
    return i18n.text(f"decomposition.{key}", lang, **values)


def _ci(mean: float, low: float, high: float, d: int) -> str:
    """``mean [low, high]`` with ``d`` decimals and signs (the mean alone without a CI)."""
    text = format_number(mean, d, sign=True)
    if math.isfinite(low) and math.isfinite(high):
        text += f" [{format_number(low, d, sign=True)}, {format_number(high, d, sign=True)}]"
    return text


def _share(x: float) -> str:
    if not math.isfinite(x):
        return "n/a"
    return "0%" if round(x * 100) == 0 else f"{x:+.0%}"


def _title(name: str, lang: str | None) -> str:
    title = i18n.scenario_title(name, lang)
    return name if title == name else i18n.text("punctuation.paren", lang, text=title, note=name)


def markdown(d: Decomposition, lang: str | None = None) -> str:
    """The decomposition ``d`` as Markdown (prose lines of at most 100 characters)."""
    total = d.total
    shapley = d.shapley.set_index("rule")
    alone = d.one_at_a_time.set_index("rule")
    halves = [*(shapley["high"] - shapley["value"]), total.high - total.mean]
    digits = decimals(halves, [*shapley["value"], total.mean])
    runs = d.n_coalitions * d.replications
    method = (
        _t("exact", lang, coalitions=f"{d.n_coalitions:,}", rules=len(d.rules), runs=f"{runs:,}")
        if d.method == "exact"
        else _t(
            "sampled",
            lang,
            orders=d.permutations,
            rules=len(d.rules),
            coalitions=f"{d.n_coalitions:,}",
            runs=f"{runs:,}",
        )
    )
    left_out = _t(
        "left_out",
        lang,
        missing=d.replications - total.n,
        replications=d.replications,
        n=total.n,
    )
    prose = [
        _t("scenarios", lang, a=_title(d.a.name, lang), b=_title(d.b.name, lang)),
        _t(
            "ran",
            lang,
            outcome=outcome_heading(d.outcome, lang),
            replications=d.replications,
            seed=d.seed,
        ),
        _t("gap", lang, gap=_ci(total.mean, total.low, total.high, digits)),
        *([left_out] if total.n < d.replications else []),
        method,
        _t("explain", lang),
    ]
    heading = _t("heading", lang, outcome=variables(lang)[d.outcome].label, a=d.a.name, b=d.b.name)
    lines = [f"### {heading}", ""]
    for paragraph in prose:
        lines += textwrap.wrap(paragraph, WIDTH, break_on_hyphens=False)
    sampled = d.method == "sampled"
    headers = ["rule", "shapley", *(["sampling"] if sampled else []), "share", "at_a", "at_b"]
    lines += ["", "| " + " | ".join(_t(f"col_{h}", lang) for h in headers) + " |"]
    lines.append("|---|" + "---:|" * (len(headers) - 1))
    order = shapley["value"].abs().fillna(-1.0).sort_values(ascending=False, kind="stable").index
    for name in order:
        s, o = shapley.loc[name], alone.loc[name]
        cells = [
            d.rules[name].label(lang),
            _ci(s["value"], s["low"], s["high"], digits),
            *([format_number(s["sampling_se"], digits)] if sampled else []),
            _share(s["share"]),
            _ci(o["at_a"], o["at_a_low"], o["at_a_high"], digits),
            _ci(o["at_b"], o["at_b_low"], o["at_b_high"], digits),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    cells = [f"**{_t('total', lang)}**", _ci(total.mean, total.low, total.high, digits)]
    cells += [""] * sampled + ["+100%" if total.mean else "n/a", "", ""]
    lines.append("| " + " | ".join(cells) + " |")
    lines += ["", *textwrap.wrap(_t("parameters", lang), WIDTH, break_on_hyphens=False), ""]
    lines.append(
        "| " + " | ".join(_t(f"col_{h}", lang) for h in ("rule", "parameter")) + " | a | b |"
    )
    lines.append("|---|---|---|---|")
    for row in d.rule_table(lang).itertuples():
        lines.append(f"| {row.label} | {row.parameter} | {row.a} | {row.b} |")
    return "\n".join(lines)
