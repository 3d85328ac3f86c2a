"""The validation as a reader sees it: per pattern the paired difference it judges, with
its unit and 95 % CI, the standardised effect, the verdict, and why a pattern failed.

A pattern can fail for three reasons, told apart by :func:`failure`:

* ``"no_ci"``: fewer than two replications have a value in both arms, so there is no
  t interval;
* ``"wide"``: the mean difference lies on the expected side beyond the minimum effect
  but its CI reaches back across it: the replications are too few to tell;
* ``"small"``: the mean difference lies on the expected side but short of the minimum
  effect: the model shows the direction, not an effect that matters;
* ``"opposite"``: the mean difference is 0 or on the other side: the model does not
  show the fact.

For ``"wide"`` the report suggests the replications :func:`replications_needed` finds
(those that would give a CI clear of the minimum effect if the mean and the spread of
the differences stayed as observed), but never fewer than the default
:data:`DEFAULT_REPLICATIONS`. A pattern true by construction (an outcome bounded or set
by the arms' parameters) is reported but is not evidence; a pattern's mechanism is
switched off in an ablation, and the report says whether the effect vanishes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from simcontract import i18n
from simcontract.experiment import storage
from simcontract.experiment.report import WIDTH, decimals, format_number
from simcontract.experiment.stats import t_quantile
from simcontract.outcomes import OUTCOMES
from simcontract.textwidth import wrap

DEFAULT_REPLICATIONS = 30
"""Replications per arm of ``simcontract validate``; suggested when there is no CI."""

FEW_REPLICATIONS = 10
"""Below this many paired replications the report warns that its t intervals lean on
the differences being normally distributed."""

SUGGESTION_STEP = 10
"""Suggested replications are rounded up to a multiple of this."""

MAX_SUGGESTED = 100_000
"""Most replications :func:`replications_needed` searches."""


def failure(row: object) -> str:
    """Why a pattern is not reproduced: ``""`` (it is), ``"no_ci"``, ``"wide"``,
    ``"small"`` or ``"opposite"`` (see the module's description)."""
    if row.reproduced:
        return ""
    if row.n_pairs < 2 or math.isnan(row.diff_low) or math.isnan(row.diff_high):
        return "no_ci"
    expected_side = row.diff > 0 if row.expect == "higher" else row.diff < 0
    if not expected_side:
        return "opposite"
    return "wide" if abs(row.diff) >= _minimum(row) else "small"


def _minimum(row: object) -> float:
    return float(getattr(row, "minimum_effect", 0.0) or 0.0)


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
    if not unit or unit.lower() in label.lower():
        return label
    return i18n.text("punctuation.paren", lang, text=label, note=unit)


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


def _verdict_text(row: object, lang: str | None) -> str:
    why = failure(row)
    key = "reproduced" if not why else ("too_small" if why == "small" else "not_reproduced")
    if getattr(row, "construction", "") and not why:
        return i18n.text("validation.by_construction", lang)
    return i18n.text(f"validation.{key}", lang)


def expected(row: object) -> str:
    """The expected difference with the minimum effect: ``"> +0.02"`` (b above a by at
    least 0.02), ``"< -0.5"``, or ``"> 0"`` without a minimum effect."""
    m = _minimum(row)
    if row.expect == "higher":
        return f"> +{m:g}" if m else "> 0"
    return f"< -{m:g}" if m else "< 0"


def table(frame: pd.DataFrame, lang: str | None = None) -> str:
    """The validation table as Markdown: pattern, outcome (unit), the expected
    difference ``b - a`` with its minimum effect (:func:`expected`), the paired
    difference with its 95 % CI, standardised d and verdict."""
    t = {k: i18n.text(f"validation.{k}", lang) for k in _HEADERS}
    lines = [md_row([t[k] for k in _HEADERS]), "|---|---|---|---:|---:|---|"]
    for r in frame.itertuples():
        lines.append(
            md_row(
                [
                    str(r.id),
                    outcome_heading(r.outcome, lang),
                    expected(r),
                    _difference(r),
                    _effect(r.effect_size),
                    _verdict_text(r, lang),
                ]
            )
        )
    return "\n".join(lines)


def _ablation_difference(row: object) -> str:
    if not math.isfinite(row.ablation_low):
        return "–"
    half = (row.ablation_high - row.ablation_low) / 2
    d = decimals([half], [row.ablation_diff])
    low, high = (format_number(x, d, sign=True) for x in (row.ablation_low, row.ablation_high))
    return f"{format_number(row.ablation_diff, d, sign=True)} [{low}, {high}]"


def _share(row: object) -> str:
    share = getattr(row, "robustness_share", math.nan)
    if not math.isfinite(share):
        return "–"
    return f"{share:.0%} [{row.robustness_low:.0%}, {row.robustness_high:.0%}]"


def mechanism_table(frame: pd.DataFrame, lang: str | None = None) -> str:
    """Per pattern: the paired difference with its mechanism switched off (and its CI),
    what became of the effect, and the share of the assumptions' plausible region where
    the pattern holds (with its 95 % CI), as Markdown."""
    t = {k: i18n.text(f"validation.{k}", lang) for k in _MECHANISM_HEADERS}
    lines = [md_row([t[k] for k in _MECHANISM_HEADERS]), "|---|---:|---|---:|"]
    for r in frame.itertuples():
        ablation = r.ablation or "none"
        lines.append(
            md_row(
                [
                    str(r.id),
                    _ablation_difference(r),
                    i18n.text(f"validation.ablation_{ablation.replace(' ', '_')}", lang),
                    _share(r),
                ]
            )
        )
    return "\n".join(lines)


_HEADERS = ("pattern", "outcome", "expected", "difference", "effect", "verdict")
_MECHANISM_HEADERS = ("pattern", "ablated", "ablation", "robustness")


def _wrap(text: str, indent: str = "") -> list[str]:
    return wrap(text, WIDTH, indent, indent + "  ")


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


def explain_text(lang: str | None = None) -> str:
    """How to read the pattern table, as one paragraph."""
    return i18n.text("validation.explain", lang, level="95%")


def explain_mechanisms_text(lang: str | None = None) -> str:
    """How to read the mechanism table, as one paragraph."""
    return i18n.text("validation.explain_mechanisms", lang)


def _arm_texts(frame: pd.DataFrame, lang: str | None) -> list[str]:
    texts = []
    for r in frame.itertuples():
        text = i18n.text("validation.arms", lang, id=r.id, b=r.arm_b, a=r.arm_a)
        if getattr(r, "mechanism", ""):
            text += "; " + i18n.text("validation.mechanism_is", lang, mechanism=r.mechanism)
        if getattr(r, "construction", ""):
            text += "; " + i18n.text("validation.construction_is", lang, why=r.construction)
        texts.append(text)
    return texts


def arms(frame: pd.DataFrame, lang: str | None = None) -> list[str]:
    """One line per pattern (wrapped): its arms b and a."""
    lines = [i18n.text("validation.arms_title", lang)]
    for text in _arm_texts(frame, lang):
        lines += _wrap(text, "  ")
    return lines


def _ids(frame: pd.DataFrame, mask: Any) -> str:
    return ", ".join(frame.loc[mask, "id"].astype(str))


def evidence_lines(frame: pd.DataFrame, lang: str | None = None) -> list[str]:
    """What counts as evidence: patterns reproduced beyond their minimum effect whose
    effect vanishes without their mechanism; those reproduced whose effect does not
    vanish; and those true by construction (reported, not counted)."""
    if "evidence" not in frame:
        return []
    built = frame["construction"].astype(bool)
    tested = frame[~built]
    lines: list[str] = []
    evidence = tested["evidence"]
    lines += _wrap(
        i18n.text(
            "validation.evidence",
            lang,
            n=int(evidence.sum()),
            total=len(tested),
            ids=_ids(tested, evidence) or "–",
        )
    )
    remains = tested["ablation"].isin(["persists", "reverses", "weakened"])
    other = tested["reproduced"] & ~evidence & remains
    if other.any():
        lines += _wrap(i18n.text("validation.not_vanishing", lang, ids=_ids(tested, other)))
    if built.any():
        lines += _wrap(i18n.text("validation.constructed", lang, ids=_ids(frame, built)))
    return lines


def resolution_lines(frame: pd.DataFrame, replications: int, lang: str | None = None) -> list[str]:
    """Warnings that the replications are too few for the CI asked for: fewer than
    :data:`FEW_REPLICATIONS` pairs (a t interval then leans on the differences being
    normal), or an ablation CI wider than the minimum effect (it could never show the
    effect vanish)."""
    lines: list[str] = []
    few = [str(r.id) for r in frame.itertuples() if 2 <= r.n_pairs < FEW_REPLICATIONS]
    if few:
        lines += _wrap(
            i18n.text(
                "validation.few",
                lang,
                ids=", ".join(few),
                n=FEW_REPLICATIONS,
                replications=replications,
            )
        )
    coarse, needed = [], []
    for r in frame.itertuples():
        low, high = getattr(r, "ablation_low", math.nan), getattr(r, "ablation_high", math.nan)
        half = (high - low) / 2
        if _minimum(r) > 0 and math.isfinite(half) and half >= _minimum(r):
            coarse.append(str(r.id))
            sd = half / t_quantile(max(r.n_pairs - 1, 1), 0.95) * math.sqrt(r.n_pairs)
            needed.append(replications_needed(_minimum(r), sd, replications))
    if coarse:
        suggested = max([n for n in needed if n is not None], default=0)
        lines += _wrap(
            i18n.text(
                "validation.coarse",
                lang,
                ids=", ".join(coarse),
                replications=replications,
                suggested=max(suggested, DEFAULT_REPLICATIONS),
            )
        )
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
        needed = [
            replications_needed(abs(r.diff) - _minimum(r), r.diff_sd, replications)
            for r in wide.itertuples()
        ]
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
    small = [i for i in failed if why[i] == "small"]
    if small:
        lines += _wrap(i18n.text("validation.small", lang, ids=", ".join(small)))
    opposite = [i for i in failed if why[i] == "opposite"]
    if opposite:
        lines += _wrap(i18n.text("validation.opposite", lang, ids=", ".join(opposite)))
    return lines


def failed_evidence(frame: pd.DataFrame) -> bool:
    """Whether a pattern that is not true by construction is not reproduced (the exit
    status of ``simcontract validate``)."""
    built = frame.get("construction", pd.Series("", index=frame.index)).astype(bool)
    return bool((~frame["reproduced"] & ~built).any())


def terminal(frame: pd.DataFrame, replications: int, seed: int, lang: str | None = None) -> str:
    """The whole report as ``simcontract validate`` prints it."""
    lines = heading(frame, replications, seed, lang)
    lines += ["", table(frame, lang), ""]
    if "ablation" in frame:
        lines += [*_wrap(i18n.text("validation.explain_mechanisms", lang)), ""]
        lines += [mechanism_table(frame, lang), ""]
    lines += [*arms(frame, lang), ""]
    lines += verdict_lines(frame, replications, lang)
    lines += resolution_lines(frame, replications, lang)
    lines += evidence_lines(frame, lang)
    return "\n".join(lines)


def markdown(frame: pd.DataFrame, replications: int, seed: int, lang: str | None = None) -> str:
    """The report as a Markdown document (``table.md``)."""
    ran = _ran(frame, replications, seed, lang)
    lines = [ran, "", i18n.text("validation.explain", lang, level="95%"), "", table(frame, lang)]
    if "ablation" in frame:
        lines += ["", i18n.text("validation.explain_mechanisms", lang), ""]
        lines += [mechanism_table(frame, lang)]
    lines += ["", i18n.text("validation.arms_title", lang), ""]
    lines += [f"- {text}" for text in _arm_texts(frame, lang)]
    closing = verdict_lines(frame, replications, lang) + resolution_lines(frame, replications, lang)
    for paragraph in _paragraphs(closing + evidence_lines(frame, lang)):
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


FILES = ("table.md", "table.csv")
"""What :func:`write` writes: a folder holding anything else is another's results."""


def write(
    directory: Path, frame: pd.DataFrame, replications: int, seed: int, lang: str | None = None
) -> list[Path]:
    """Write the report as ``table.md`` and the validation table as ``table.csv`` into
    ``directory`` (created; each file written whole); return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = [directory / name for name in FILES]
    storage.write_text(paths[0], markdown(frame, replications, seed, lang))
    storage.write_text(paths[1], frame.to_csv(index=False))
    return paths
