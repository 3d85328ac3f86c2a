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

The patterns' texts (arms, mechanisms, constructions) and the calibration figures are
English in ``patterns.toml`` and translated in the language catalogue
(:func:`simcontract.i18n.pattern_text`); the data table (``table.csv``) keeps them as
the patterns have them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from simcontract import i18n
from simcontract.experiment import storage
from simcontract.experiment.plan import code_record
from simcontract.experiment.report import WIDTH, code_text, decimals, format_number
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
    if name not in OUTCOMES:  # a comparable form: its label says per what, its unit not
        from simcontract.experiment.codebook import comparable_forms, comparable_label

        form = comparable_forms().get(name)
        if form is not None:
            label, unit = comparable_label(form, lang), i18n.unit(form.unit, lang)
            return i18n.text("punctuation.paren", lang, text=label, note=unit)
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


def _join(items: Sequence[Any], lang: str | None) -> str:
    """``items`` as a list in ``lang`` (``"1, 5"``; ``"1、5"`` in Chinese)."""
    return i18n.listed(items, lang)


def pattern_text(row: object, field: str, lang: str | None = None) -> str:
    """A text of a row's pattern in ``lang``: ``field`` ``"arm_a"``, ``"arm_b"``,
    ``"mechanism"``, ``"construction"`` or ``"claim"`` (:func:`simcontract.i18n.pattern_text`;
    ``""`` when the row has none)."""
    english = getattr(row, field, "")
    if not isinstance(english, str) or not english:
        return ""
    return i18n.pattern_text(str(row.id), field, english, lang)


def _arm_texts(frame: pd.DataFrame, lang: str | None) -> list[str]:
    texts = []
    clause = i18n.text("punctuation.clause", lang)
    for r in frame.itertuples():
        b, a = pattern_text(r, "arm_b", lang), pattern_text(r, "arm_a", lang)
        text = i18n.text("validation.arms", lang, id=r.id, b=b, a=a)
        if mechanism := pattern_text(r, "mechanism", lang):
            text += clause + i18n.text("validation.mechanism_is", lang, mechanism=mechanism)
        if why := pattern_text(r, "construction", lang):
            text += clause + i18n.text("validation.construction_is", lang, why=why)
        texts.append(text)
    return texts


def arms(frame: pd.DataFrame, lang: str | None = None) -> list[str]:
    """One line per pattern (wrapped): its arms b and a."""
    lines = [i18n.text("validation.arms_title", lang)]
    for text in _arm_texts(frame, lang):
        lines += _wrap(text, "  ")
    return lines


def _ids(frame: pd.DataFrame, mask: Any, lang: str | None) -> str:
    return _join(frame.loc[mask, "id"].astype(str), lang)


def evidence_lines(frame: pd.DataFrame, lang: str | None = None) -> list[str]:
    """What counts as evidence: patterns reproduced beyond their minimum effect whose
    effect vanishes without their mechanism, a mechanism a source supports; those
    reproduced whose effect does not vanish; those whose mechanism rests on an
    assumption alone; and those true by construction (reported, not counted)."""
    return [line for p in _evidence(frame, lang) for line in _wrap(p)]


def _evidence(frame: pd.DataFrame, lang: str | None) -> list[str]:
    """:func:`evidence_lines` as paragraphs, unwrapped."""
    if "evidence" not in frame:
        return []
    built = frame["construction"].astype(bool)
    tested = frame[~built]
    paragraphs: list[str] = []
    evidence = tested["evidence"]
    paragraphs.append(
        i18n.text(
            "validation.evidence",
            lang,
            n=int(evidence.sum()),
            total=len(tested),
            ids=_ids(tested, evidence, lang) or "–",
        )
    )
    remains = tested["ablation"].isin(["persists", "reverses", "weakened"])
    other = tested["reproduced"] & ~evidence & remains
    if other.any():
        ids = _ids(tested, other, lang)
        paragraphs.append(i18n.text("validation.not_vanishing", lang, ids=ids))
    assumed = tested.get("assumed", pd.Series("", index=tested.index)).fillna("").astype(str)
    unsourced = tested["reproduced"] & (tested["ablation"] == "vanishes") & (assumed != "")
    if unsourced.any():
        named = [
            i18n.text("punctuation.paren", lang, text=str(r.id), note=f"`{a}`")
            for r, a in zip(tested[unsourced].itertuples(), assumed[unsourced], strict=True)
        ]
        paragraphs.append(i18n.text("validation.assumed", lang, ids=_join(named, lang)))
    if built.any():
        paragraphs.append(i18n.text("validation.constructed", lang, ids=_ids(frame, built, lang)))
    return paragraphs


def resolution_lines(frame: pd.DataFrame, replications: int, lang: str | None = None) -> list[str]:
    """Warnings that the replications are too few for the CI asked for: fewer than
    :data:`FEW_REPLICATIONS` pairs (a t interval then leans on the differences being
    normal), or an ablation CI wider than the minimum effect (it could never show the
    effect vanish)."""
    return [line for p in _resolution(frame, replications, lang) for line in _wrap(p)]


def _resolution(frame: pd.DataFrame, replications: int, lang: str | None) -> list[str]:
    """:func:`resolution_lines` as paragraphs, unwrapped."""
    lines: list[str] = []
    few = [str(r.id) for r in frame.itertuples() if 2 <= r.n_pairs < FEW_REPLICATIONS]
    if few:
        lines.append(
            i18n.text(
                "validation.few",
                lang,
                ids=_join(few, lang),
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
        lines.append(
            i18n.text(
                "validation.coarse",
                lang,
                ids=_join(coarse, lang),
                replications=replications,
                suggested=max(suggested, DEFAULT_REPLICATIONS),
            )
        )
    return lines


def verdict_lines(frame: pd.DataFrame, replications: int, lang: str | None = None) -> list[str]:
    """The closing lines: every pattern reproduced, or which were not and why, with
    the replications to try when the CI was too wide (or missing)."""
    first, *rest = _verdicts(frame, replications, lang)
    return [first, *(line for p in rest for line in _wrap(p))]


def _verdicts(frame: pd.DataFrame, replications: int, lang: str | None) -> list[str]:
    """:func:`verdict_lines` as paragraphs, unwrapped (the first never is)."""
    why = {r.id: failure(r) for r in frame.itertuples()}
    failed = [i for i, w in why.items() if w]
    if not failed:
        return [i18n.text("validation.all", lang, n=len(frame))]
    lines = [i18n.text("validation.failed", lang, ids=_join(failed, lang))]
    no_ci = [i for i in failed if why[i] == "no_ci"]
    if no_ci:
        lines.append(
            i18n.text(
                "validation.hint_no_ci",
                lang,
                ids=_join(no_ci, lang),
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
        lines.append(
            i18n.text(
                f"validation.{key}",
                lang,
                ids=_join(wide["id"], lang),
                replications=replications,
                suggested=max(known, default=0),
            )
        )
    small = [i for i in failed if why[i] == "small"]
    if small:
        lines.append(i18n.text("validation.small", lang, ids=_join(small, lang)))
    opposite = [i for i in failed if why[i] == "opposite"]
    if opposite:
        lines.append(i18n.text("validation.opposite", lang, ids=_join(opposite, lang)))
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
    """The report as a Markdown document (``table.md``): what ran, under which
    simcontract version and model code, and the verdicts."""
    ran = _ran(frame, replications, seed, lang)
    code = code_text(code_record(), lang)  # the code running now
    lines = [ran, "", code, "", i18n.text("validation.explain", lang, level="95%")]
    lines += ["", table(frame, lang)]
    if "ablation" in frame:
        lines += ["", i18n.text("validation.explain_mechanisms", lang), ""]
        lines += [mechanism_table(frame, lang)]
    lines += ["", i18n.text("validation.arms_title", lang), ""]
    lines += [f"- {text}" for text in _arm_texts(frame, lang)]
    # Paragraphs as written, not wrapped and joined again: Chinese breaks between
    # characters, where joining with a space would put one into a word.
    closing = _verdicts(frame, replications, lang) + _resolution(frame, replications, lang)
    for paragraph in closing + _evidence(frame, lang):
        lines += ["", paragraph]
    return "\n".join([*lines, ""])


# --------------------------------------------------------------------------- calibration
def _num(x: float) -> str:
    if math.isnan(x):
        return "nan"
    if abs(x) >= 100:
        return f"{x:.0f}"
    return f"{x:.3g}"


_CALIBRATION_HEADERS = ("figure", "role", "year", "source", "model", "deviation", "within")


def calibration_table(table: pd.DataFrame, lang: str | None = None) -> str:
    """The calibration table of :func:`~simcontract.experiment.validation.calibrate` as
    Markdown, its figures in ``lang`` (:func:`simcontract.i18n.calibration_figure`)."""
    t = {k: i18n.text(f"calibration_report.{k}", lang) for k in _CALIBRATION_HEADERS}
    lines = [md_row([t[k] for k in _CALIBRATION_HEADERS])]
    lines.append("|---|---|---|---|---|---|---|")
    for r in table.itertuples():
        within = i18n.text(f"calibration_report.{'yes' if r.within_25pct else 'no'}", lang)
        figure = i18n.calibration_figure(r.outcome, r.year, r.figure, lang)
        lines.append(
            f"| {figure} | {i18n.text(f'calibration_report.role_{r.role}', lang)} "
            f"| {2009 + r.year} | {_num(r.source_value)} "
            f"| {_num(r.model_mean)} "
            f"[{_num(r.model_low)}, {_num(r.model_high)}] | {r.deviation:+.0%} | "
            f"{within} |"
        )
    return "\n".join(lines)


def calibration_parts(
    table: pd.DataFrame,
    replications: int,
    seed: int,
    lang: str | None = None,
    scenario: str = "guangzhou_ifsc",
) -> list[str]:
    """The calibration report in ``lang``: what ran, the table, how many figures the
    model meets."""
    from simcontract.experiment.validation import missed_figures
    from simcontract.sources import cite

    tested = int((table["role"] != "input").sum())
    outside = missed_figures(table)
    name = scenario
    if i18n.resolve(lang) != i18n.DEFAULT_LANGUAGE:  # English names the scenario alone
        title = i18n.scenario_title(scenario, lang)
        if title != scenario:
            name = i18n.text("punctuation.paren", lang, text=title, note=scenario)
    heading = i18n.text(
        "calibration_report.heading",
        lang,
        scenario=name,
        replications=replications,
        seed=seed,
        source=cite("guangzhou_ifsc_nd"),
    )
    # Inputs are set by the scenario's values: matching them is no evidence.
    summary = i18n.text(
        "calibration_report.summary",
        lang,
        within=tested - outside,
        tested=tested,
        inputs=len(table) - tested,
    )
    return [heading, calibration_table(table, lang), summary]


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
