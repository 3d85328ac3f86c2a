"""The validation as a reader sees it: per pattern the paired difference it judges, with
its unit and 95 % CI, the standardised effect, the verdict, and why a pattern failed.

A pattern can fail for three reasons, told apart by :func:`failure`:

* ``"no_ci"``: fewer than two replications have a value in both arms, so there is no
  t interval;
* ``"wide"``: the mean difference lies on the expected side of 0 but its CI reaches
  across 0: the replications are too few to tell;
* ``"opposite"``: the mean difference is 0 or on the other side: the model does not
  show the fact.

For ``"wide"`` the report suggests the replications :func:`replications_needed` finds
(those that would give a CI clear of 0 if the mean and the spread of the differences
stayed as observed), but never fewer than the default :data:`DEFAULT_REPLICATIONS`.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from simcontract import i18n
from simcontract.experiment import storage
from simcontract.experiment.report import WIDTH, decimals, format_number
from simcontract.experiment.stats import t_quantile
from simcontract.outcomes import OUTCOMES

DEFAULT_REPLICATIONS = 30
"""Replications per arm of ``simcontract validate``; suggested when there is no CI."""

SUGGESTION_STEP = 10
"""Suggested replications are rounded up to a multiple of this."""

MAX_SUGGESTED = 100_000
"""Most replications :func:`replications_needed` searches."""


def failure(row: object) -> str:
    """Why a pattern is not reproduced: ``""`` (it is), ``"no_ci"``, ``"wide"`` or
    ``"opposite"`` (see the module's description)."""
    if row.reproduced:
        return ""
    if row.n_pairs < 2 or math.isnan(row.diff_low) or math.isnan(row.diff_high):
        return "no_ci"
    expected_side = row.diff > 0 if row.expect == "higher" else row.diff < 0
    return "wide" if expected_side else "opposite"


def replications_needed(mean: float, sd: float, start: int, level: float = 0.95) -> int | None:
    """The fewest replications above ``start`` whose t interval, with the observed
    standard deviation ``sd`` of the paired differences, is narrower than ``|mean|``
    (so it would not reach 0), rounded up to a multiple of :data:`SUGGESTION_STEP`;
    ``None`` when more than :data:`MAX_SUGGESTED` would be needed."""
    if not (math.isfinite(mean) and math.isfinite(sd)) or mean == 0:
        return None
    n = max(start + 1, 2, math.ceil((1.96 * sd / abs(mean)) ** 2))
    while n <= MAX_SUGGESTED:
        if t_quantile(n - 1, level) * sd / math.sqrt(n) < abs(mean):
            return math.ceil(n / SUGGESTION_STEP) * SUGGESTION_STEP
        n += 1
    return None


def outcome_heading(name: str, lang: str | None = None) -> str:
    """An outcome's label with its unit, e.g. ``"Staff turnover (share)"`` (the unit left
    out when the label says it)."""
    label = i18n.outcome_label(name, lang)
    unit = i18n.unit(OUTCOMES[name].unit, lang) if name in OUTCOMES else ""
    return label if not unit or unit.lower() in label.lower() else f"{label} ({unit})"


def _effect(d: float) -> str:
    """A standardised effect with two significant digits (all digits left of the point)."""
    if not math.isfinite(d):
        return "n/a"
    places = 1 - math.floor(math.log10(abs(d))) if d else 0
    return format_number(d, max(0, places))


def _difference(row: object) -> str:
    half = (row.diff_high - row.diff_low) / 2
    d = decimals([half], [row.diff])
    if not math.isfinite(half):
        return format_number(row.diff, d, sign=True)
    low, high = (format_number(x, d, sign=True) for x in (row.diff_low, row.diff_high))
    return f"{format_number(row.diff, d, sign=True)} [{low}, {high}]"


def md_row(cells: Sequence[Any]) -> str:
    """A Markdown table row of ``cells`` (``|`` inside a cell escaped)."""
    return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"


def table(frame: pd.DataFrame, lang: str | None = None) -> str:
    """The validation table as Markdown: pattern, outcome (unit), expected direction,
    paired difference ``b - a`` with its 95 % CI, standardised d and verdict."""
    t = {k: i18n.text(f"validation.{k}", lang) for k in _HEADERS}
    lines = [md_row([t[k] for k in _HEADERS]), "|---|---|---|---:|---:|---|"]
    for r in frame.itertuples():
        verdict = "reproduced" if r.reproduced else "not_reproduced"
        lines.append(
            md_row(
                [
                    str(r.id),
                    outcome_heading(r.outcome, lang),
                    "b > a" if r.expect == "higher" else "b < a",
                    _difference(r),
                    _effect(r.effect_size),
                    i18n.text(f"validation.{verdict}", lang),
                ]
            )
        )
    return "\n".join(lines)


_HEADERS = ("pattern", "outcome", "expected", "difference", "effect", "verdict")


def _wrap(text: str, indent: str = "") -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent + "  ")


def _ran(frame: pd.DataFrame, replications: int, seed: int, lang: str | None) -> str:
    return i18n.text(
        "validation.ran",
        lang,
        patterns=len(frame),
        facts=frame["fact"].nunique(),
        replications=replications,
        seed=seed,
    )


def heading(
    frame: pd.DataFrame, replications: int, seed: int, lang: str | None = None
) -> list[str]:
    """The lines above the table: what ran, and how to read the columns."""
    said = _ran(frame, replications, seed, lang)
    return [*_wrap(said), *_wrap(i18n.text("validation.explain", lang, level="95%"))]


def _arm_texts(frame: pd.DataFrame, lang: str | None) -> list[str]:
    return [
        i18n.text("validation.arms", lang, id=r.id, b=r.arm_b, a=r.arm_a)
        for r in frame.itertuples()
    ]


def arms(frame: pd.DataFrame, lang: str | None = None) -> list[str]:
    """One line per pattern (wrapped): its arms b and a."""
    lines = [i18n.text("validation.arms_title", lang)]
    for text in _arm_texts(frame, lang):
        lines += _wrap(text, "  ")
    return lines


def verdict_lines(frame: pd.DataFrame, replications: int, lang: str | None = None) -> list[str]:
    """The closing lines: every pattern reproduced, or which were not and why, with
    the replications to try when the CI was too wide (or missing)."""
    why = {r.id: failure(r) for r in frame.itertuples()}
    failed = [i for i, w in why.items() if w]
    if not failed:
        return [i18n.text("validation.all", lang, n=len(frame))]
    lines = [i18n.text("validation.failed", lang, ids=", ".join(failed))]
    no_ci = [i for i in failed if why[i] == "no_ci"]
    if no_ci:
        lines += _wrap(
            i18n.text(
                "validation.hint_no_ci",
                lang,
                ids=", ".join(no_ci),
                replications=replications,
                suggested=max(DEFAULT_REPLICATIONS, replications + 1),
            )
        )
    wide = frame[[why[i] == "wide" for i in frame["id"]]]
    if len(wide):
        needed = [replications_needed(r.diff, r.diff_sd, replications) for r in wide.itertuples()]
        known = [max(n, DEFAULT_REPLICATIONS) for n in needed if n is not None]
        key = "hint_wide" if len(known) == len(needed) else "hint_wide_unknown"
        lines += _wrap(
            i18n.text(
                f"validation.{key}",
                lang,
                ids=", ".join(wide["id"]),
                replications=replications,
                suggested=max(known, default=0),
            )
        )
    opposite = [i for i in failed if why[i] == "opposite"]
    if opposite:
        lines += _wrap(i18n.text("validation.opposite", lang, ids=", ".join(opposite)))
    return lines


def terminal(frame: pd.DataFrame, replications: int, seed: int, lang: str | None = None) -> str:
    """The whole report as ``simcontract validate`` prints it."""
    lines = heading(frame, replications, seed, lang)
    lines += [
        "",
        table(frame, lang),
        "",
        *arms(frame, lang),
        "",
        *verdict_lines(frame, replications, lang),
    ]
    return "\n".join(lines)


def markdown(frame: pd.DataFrame, replications: int, seed: int, lang: str | None = None) -> str:
    """The report as a Markdown document (``table.md``)."""
    ran = _ran(frame, replications, seed, lang)
    lines = [ran, "", i18n.text("validation.explain", lang, level="95%"), "", table(frame, lang)]
    lines += ["", i18n.text("validation.arms_title", lang), ""]
    lines += [f"- {text}" for text in _arm_texts(frame, lang)]
    for paragraph in _paragraphs(verdict_lines(frame, replications, lang)):
        lines += ["", paragraph]
    return "\n".join([*lines, ""])


def _paragraphs(lines: list[str]) -> list[str]:
    """Wrapped lines joined back into one line per paragraph."""
    out: list[str] = []
    for line in lines:
        if line.startswith("  ") and out:
            out[-1] += " " + line.strip()
        else:
            out.append(line)
    return out


def write(
    directory: Path, frame: pd.DataFrame, replications: int, seed: int, lang: str | None = None
) -> list[Path]:
    """Write the report as ``table.md`` and the validation table as ``table.csv`` into
    ``directory`` (created; each file written whole); return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / "table.md", directory / "table.csv"]
    storage.write_text(paths[0], markdown(frame, replications, seed, lang))
    storage.write_text(paths[1], frame.to_csv(index=False))
    return paths
