"""The comparison as a reader sees it: numbers with consistent digits, tables that fit
the terminal, and the Markdown report of a results folder.

Numbers: every value of one outcome (a column) gets the same number of decimals, chosen
so that the typical CI half-width shows two significant digits (three significant
digits of the largest value when there is no interval); see :func:`decimals`.

Tables have a row per scenario and a column per outcome; columns that do not fit the
width go to a further block below (:func:`layout`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from simcontract import i18n
from simcontract.experiment import codebook, columns, comparison
from simcontract.experiment.plan import recorded_code
from simcontract.experiment.stats import cut_table
from simcontract.textwidth import WIDTH, display_width, pad, shorten, words, wrap

MAX_DECIMALS = 6
"""Most decimals a number is printed with."""

_ROW_LABEL = 22
"""Most characters of a row label (a scenario's name) before it is shortened."""

_TITLE = 40
"""Most characters of a scenario's title in the terminal."""

_MIN_COLUMN = 8
"""Fewest characters of a column (headers wrap at this width at least)."""

Column = tuple[str, list[str]] | tuple[str, list[str], str]
"""A table column: header, cells and optionally ``"<"`` (left-aligned)."""


def _finite(values: Iterable[float]) -> np.ndarray:
    v = np.asarray(list(values), dtype=float)
    return v[np.isfinite(v)]


def decimals(half_widths: Iterable[float], values: Iterable[float] = ()) -> int:
    """Decimals for a column: two significant digits of its median CI half-width.

    Half-widths of 0 (every run the same) and NaN (fewer than two runs) are left out;
    with none left, three significant digits of the largest absolute value.
    """
    halves = _finite(half_widths)
    halves = halves[halves > 0]
    if len(halves):
        d = 1 - math.floor(math.log10(float(np.median(halves))))
    else:
        v = np.abs(_finite(values))
        v = v[v > 0]
        d = 2 - math.floor(math.log10(float(v.max()))) if len(v) else 0
    return max(0, min(MAX_DECIMALS, d))


def format_number(x: float, d: int, sign: bool = False) -> str:
    """``x`` with ``d`` decimals and thousands separators (``+`` in front with
    ``sign``); ``n/a`` for NaN; never ``-0``."""
    if x is None or not math.isfinite(x):
        return "n/a"
    text = f"{x:{'+' if sign else ''},.{d}f}"
    if float(text.replace(",", "")) == 0:
        text = f"{0:.{d}f}"
    return text


def format_cell(mean: float, half: float, d: int, sign: bool = False) -> str:
    """``mean ±half`` with ``d`` decimals each (the mean alone without an interval)."""
    if mean is None or not math.isfinite(mean):
        return "n/a"
    if half is None or not math.isfinite(half):
        return format_number(mean, d, sign)
    return f"{format_number(mean, d, sign)} ±{format_number(half, d)}"


def format_interval(mean: float, low: float, high: float, d: int, sign: bool = False) -> str:
    """``mean [low, high]`` with ``d`` decimals each (``+`` in front of the mean with
    ``sign``)."""
    return f"{format_number(mean, d, sign)} [{format_number(low, d)}, {format_number(high, d)}]"


# --------------------------------------------------------------------------- tables
def _shorten(text: str, width: int) -> str:
    return shorten(text, width)


def column_width(header: str, cells: Sequence[str]) -> int:
    """Width :func:`layout` gives a column: its widest cell or header word, at least
    :data:`_MIN_COLUMN`."""
    longest_word = max((display_width(w) for w in words(header)), default=0)
    return max(longest_word, *(display_width(c) for c in cells), _MIN_COLUMN)


def _block(labels: Sequence[str], label_header: str, columns: Sequence[Column]) -> str:
    lw = max(display_width(label_header), *(display_width(x) for x in labels))
    widths = [column_width(c[0], c[1]) for c in columns]
    heads = [wrap(c[0], w) or [""] for c, w in zip(columns, widths, strict=True)]
    depth = max(len(h) for h in heads)
    lines = []
    for i in range(depth):
        first = label_header if i == depth - 1 else ""
        parts = [pad(first, lw)]
        parts += [
            pad(h[i - depth + len(h)] if i >= depth - len(h) else "", w)
            for h, w in zip(heads, widths, strict=True)
        ]
        lines.append("  ".join(parts).rstrip())
    lines.append("  ".join("-" * w for w in (lw, *widths)))
    for r, label in enumerate(labels):
        parts = [pad(label, lw)]
        parts += [
            pad(c[1][r], w, "<" if c[2:] == ("<",) else ">")
            for c, w in zip(columns, widths, strict=True)
        ]
        lines.append("  ".join(parts).rstrip())
    return "\n".join(lines)


def layout(
    labels: Sequence[str],
    columns: Sequence[Column],
    label_header: str = "",
    width: int = WIDTH,
) -> str:
    """A table with a row per label and the given ``(header, cells)`` columns (cells
    right-aligned; ``(header, cells, "<")`` left-aligned), split into blocks of columns
    (balanced in number) that each fit ``width`` characters.

    Headers wrap at spaces; labels longer than :data:`_ROW_LABEL` are shortened.
    """
    labels = [_shorten(x, _ROW_LABEL) for x in labels]
    lw = max(display_width(label_header), *(display_width(x) for x in labels), 1)
    widths = [column_width(c[0], c[1]) + 2 for c in columns]
    # The fewest blocks that fit, then columns spread evenly over them.
    for n_blocks in range(1, len(columns) + 1):
        size = math.ceil(len(columns) / n_blocks)
        chunks = [list(range(i, min(i + size, len(columns)))) for i in range(0, len(columns), size)]
        if all(lw + sum(widths[j] for j in chunk) <= width for chunk in chunks):
            break
    return "\n\n".join(
        _block(labels, label_header, [columns[j] for j in chunk]) for chunk in chunks
    )


def _wrap(text: str, width: int = WIDTH, indent: str = "") -> list[str]:
    return wrap(text, width, indent, indent + "  ")


def _label(name: str, lang: str | None) -> str:
    return codebook.variables(lang)[name].label


def facts_table(facts: pd.DataFrame, lang: str | None = None) -> str:
    """One row per scenario: its title, horizon and size."""
    t = {
        k: i18n.text(f"report.{k}", lang)
        for k in ("scenario", "title", "years", "ngos", "purchasers")
    }
    columns = [
        (
            t["title"],
            [_shorten(i18n.scenario_title(s, lang), _TITLE) for s in facts["scenario"]],
            "<",
        ),
        (t["years"], [str(y) for y in facts["years"]]),
        (t["ngos"], [f"{n:,}" for n in facts["ngos"]]),
        (t["purchasers"], [f"{n:,}" for n in facts["purchasers"]]),
    ]
    return layout(list(facts["scenario"].astype(str)), columns, t["scenario"])


def unlike_note(facts: pd.DataFrame, lang: str | None = None) -> list[str]:
    """Lines saying how the scenarios differ in horizon and size, and which outcomes
    depend on that (empty when they are alike)."""
    text = _unlike_text(facts, lang)
    return _wrap(text) if text else []


def _unlike_text(facts: pd.DataFrame, lang: str | None) -> str:
    """The note of :func:`unlike_note` in one paragraph (empty when alike)."""
    differ = comparison.unlike(facts)
    if not differ:
        return ""
    said = [
        i18n.text(f"report.differ_{k}", lang, low=f"{lo:,}", high=f"{hi:,}")
        for k, (lo, hi) in differ.items()
    ]
    described = codebook.variables(lang)
    horizon = "years" in differ
    size = "ngos" in differ or "purchasers" in differ
    hit = [
        n
        for n, v in described.items()
        if v.pooling != "comparable" and ((horizon and v.horizon) or (size and v.size))
    ]
    text = i18n.text(
        "report.unlike",
        lang,
        differences=i18n.text("punctuation.clause", lang).join(said),
        outcomes=i18n.text("punctuation.list", lang).join(hit),
    )
    if horizon:
        text += _sentence_gap(text) + i18n.text("report.unlike_years", lang)
    return text


def _sentence_gap(text: str) -> str:
    """A space between two sentences, none after a Chinese full stop."""
    return "" if text.endswith(("。", "！", "？")) else " "


def _cells(sub: pd.DataFrame, value: str, sign: bool) -> tuple[list[str], int]:
    """``value ±half`` per row, or ``value [low, high]`` where the interval is cut at
    the ends of the values the outcome (or a difference, for ``sign``) can take; a row
    over fewer runs than the table's most (the outcome undefined in the others) says
    how many: ``(n = 2)``."""
    half = (sub["high"] - sub["low"]) / 2
    d = decimals(half, sub[value])
    shown = cut_table(sub, difference=sign)
    cells = [
        format_interval(m, lo, hi, d, sign) if was_cut else format_cell(m, h, d, sign)
        for m, h, lo, hi, was_cut in zip(
            sub[value], half, shown["low"], shown["high"], shown["cut"], strict=True
        )
    ]
    full = sub.attrs.get("replications", 0)
    return [
        f"{cell} (n = {n})" if 0 < n < full and cell != "n/a" else cell
        for cell, n in zip(cells, sub["n"].astype(int), strict=True)
    ], d


def _outcome_rows(table: pd.DataFrame, name: str) -> pd.DataFrame:
    """The rows of ``name`` in point order, knowing the replications of the table."""
    sub = table[table["outcome"] == name].sort_values("point")
    sub.attrs["replications"] = int(table["n"].max()) if len(table) else 0
    return sub


def fewer_runs_note(tables: Sequence[pd.DataFrame], lang: str | None = None) -> list[str]:
    """The note on cells over fewer runs than the others, if a table has one."""
    if not _fewer(tables):
        return []
    return _wrap(i18n.text("report.fewer_runs", lang))


def _fewer(tables: Sequence[pd.DataFrame]) -> bool:
    return any(len(t) and (t["n"] < t["n"].max()).any() for t in tables)


def cut_note(
    tables: Sequence[tuple[pd.DataFrame, bool]], lang: str | None = None, bracketed: bool = True
) -> str:
    """The note on intervals cut at the ends of the values an outcome can take, if any
    of ``tables`` (each with whether it holds differences) has one, else ``""``.

    Args:
        tables: Tables of intervals, each with whether its rows are differences.
        lang: Language.
        bracketed: Say that a cut interval is shown as ``[low, high]`` (where the
            others show ``±half-width``).
    """
    if not any(cut_table(t, difference)["cut"].any() for t, difference in tables if len(t)):
        return ""
    return i18n.text("report.cut_shown" if bracketed else "report.cut", lang)


def _scenario_table(
    table: pd.DataFrame, names: Sequence[str], value: str, sign: bool, lang: str | None
) -> str:
    labels = list(table.drop_duplicates("point").sort_values("point")["scenario"].astype(str))
    columns = []
    for name in names:
        columns.append((_label(name, lang), _cells(_outcome_rows(table, name), value, sign)[0]))
    return layout(labels, columns, i18n.text("report.scenario", lang))


def levels_table(table: pd.DataFrame, names: Sequence[str], lang: str | None = None) -> str:
    """Levels: a row per scenario, a column per outcome, ``mean ±half-width`` (with
    ``(n = k)`` where fewer runs have a value than in other cells)."""
    return _scenario_table(table, names, "mean", False, lang)


def contrasts_table(table: pd.DataFrame, names: Sequence[str], lang: str | None = None) -> str:
    """Contrasts: a row per scenario but the reference, ``difference ±half-width``
    (with ``(n = k)`` where fewer pairs have a value than in other cells)."""
    return _scenario_table(table, names, "difference", True, lang)


def legend(names: Sequence[str], lang: str | None = None) -> list[str]:
    """One line (wrapped) per outcome shown: label, unit and what a run's value counts."""
    described = codebook.variables(lang)
    lines = []
    for name in names:
        v = described[name]
        said = _field(_paren(v.label, v.unit, lang), _definition(v, lang), lang)
        lines += _wrap(said, indent="  ")
    return lines


def _paren(text: str, note: str, lang: str | None) -> str:
    return i18n.text("punctuation.paren", lang, text=text, note=note)


def _field(name: str, value: str, lang: str | None) -> str:
    return i18n.text("punctuation.field", lang, name=name, value=value)


def _definition(v: codebook.Variable, lang: str | None = None) -> str:
    """What a run's value counts in one sentence that stands alone."""
    if v.pooling in ("pooled", "mean") and not v.cumulative:
        said = _paren(v.yearly.rstrip(".。"), v.kind, lang)
        return said + i18n.text("punctuation.stop", lang)
    return v.definition


_RAN = {
    (False, False): "",
    (True, False): "_one",
    (True, True): "_one_one",
    (False, True): "_many_one",
}
"""The key's ending of :func:`ran_line` by (one scenario, one replication)."""


def ran_line(manifest: Any, lang: str | None = None) -> str:
    """What a comparison ran: ``2 scenarios x 30 replications, seed 0`` (in the
    singular where there is one)."""
    points, replications = manifest["n_points"], manifest["replications"]
    key = "report.ran" + _RAN[points == 1, replications == 1]
    return i18n.text(key, lang, points=points, replications=replications, seed=manifest["seed"])


def version_line(manifest: Any, lang: str | None = None) -> str:
    """The version and the fingerprint of the code that made a batch's runs, as its
    manifest records them (:func:`~simcontract.experiment.plan.recorded_code`), in a
    line: ``simcontract 0.2.0``, model code ``sha256:…`` (each in backticks); empty for
    a manifest without them."""
    code = recorded_code(manifest or {})
    return "" if code is None else code_text(code, lang)


def code_text(code: Mapping[str, str], lang: str | None = None) -> str:
    """A code record (``simcontract_version``, ``model_code``) in a line:
    ``simcontract 0.2.0``, model code ``sha256:…`` (each in backticks)."""
    said = {"version": code["simcontract_version"], "code": code["model_code"]}
    return i18n.text("report.version", lang, **said)


def header(
    results: Any,
    reference: str,
    settings: Sequence[str],
    window: int | None,
    level: float = 0.95,
    lang: str | None = None,
) -> list[str]:
    """The lines above the tables: what ran, under which simcontract version and model
    code, with which settings, against what."""
    m = results.manifest
    lines = [ran_line(m, lang)]
    version = version_line(m, lang)
    lines += [version] if version else []
    sets = " ".join(f"--set {s}" for s in settings)
    lines += _wrap(
        i18n.text("report.settings", lang, settings=sets or i18n.text("report.no_settings", lang))
    )
    if window is not None:
        lines += _wrap(i18n.text("report.window", lang, years=window))
    lines += _wrap(i18n.text("report.paired", lang, reference=reference, level=f"{level:.0%}"))
    return lines


def terminal(
    results: Any,
    names: Sequence[str],
    reference: str | int | None = None,
    settings: Sequence[str] = (),
    window: int | None = None,
    level: float = 0.95,
    lang: str | None = None,
) -> str:
    """The whole comparison as the command line prints it, every line at most
    :data:`WIDTH` characters."""
    ref = comparison.reference_point(results, reference)
    facts = comparison.scenario_facts(results)
    ref_name = str(facts.loc[facts["point"] == ref, "scenario"].iloc[0])
    lines = header(results, ref_name, settings, window, level, lang)
    lines += ["", facts_table(facts, lang)]
    note = unlike_note(facts, lang)
    if note:
        lines += ["", *note]
    level_rows = comparison.levels(results, names, level)
    lines += ["", *_wrap(i18n.text("report.levels", lang, level=f"{level:.0%}"))]
    lines += [levels_table(level_rows, names, lang)]
    shown = [level_rows]
    if len(facts) > 1:
        diffs = comparison.contrasts(results, ref, names, level)
        shown.append(diffs)
        lines += [
            "",
            *_wrap(i18n.text("report.contrasts", lang, reference=ref_name, level=f"{level:.0%}")),
        ]
        lines += [contrasts_table(diffs, names, lang)]
    fewer = fewer_runs_note(shown, lang)
    lines += ["", *fewer] if fewer else []
    cut = cut_note(list(zip(shown, (False, True), strict=False)), lang)
    lines += ["", *_wrap(cut)] if cut else []
    lines += ["", *_wrap(i18n.text("report.legend", lang)), *legend(names, lang)]
    return "\n".join(lines)


def markdown(
    results: Any, reference: str | int | None = None, level: float = 0.95, lang: str | None = None
) -> str:
    """The comparison as Markdown (``table.md``): what ran, under which simcontract
    version and model code, the scenarios with their horizon, size and dated rule
    changes, then levels and contrasts of every outcome and comparable form, with
    units."""
    ref = comparison.reference_point(results, reference)
    facts = comparison.scenario_facts(results)
    ref_name = str(facts.loc[facts["point"] == ref, "scenario"].iloc[0])
    names = codebook.variable_list(None)
    m = results.manifest
    ci = f"{level:.0%}"
    lines = [f"# {i18n.text('report.md_title', lang)}", ""]
    lines.append(ran_line(m, lang))
    version = version_line(m, lang)
    lines += ["", version] if version else []
    if m.get("command"):
        lines += ["", f"`{' '.join(m['command'])}`"]
    lines += ["", i18n.text("report.paired", lang, reference=ref_name, level=ci), ""]
    lines += _md_facts(facts, m, lang)
    note = _unlike_text(facts, lang)
    if note:
        lines += ["", note]
    scenarios = list(facts["scenario"].astype(str))
    lines += ["", f"## {i18n.text('report.levels', lang, level=ci)}", ""]
    lines += _md_outcomes(comparison.levels(results, names, level), "mean", names, scenarios, lang)
    if len(facts) > 1:
        others = [s for p, s in zip(facts["point"], scenarios, strict=True) if p != ref]
        title = i18n.text("report.contrasts", lang, reference=ref_name, level=ci)
        diffs = comparison.contrasts(results, ref, names, level)
        lines += ["", f"## {title}", ""]
        lines += _md_outcomes(diffs, "difference", names, others, lang)
    lines += ["", i18n.text("report.md_codebook", lang), ""]
    return "\n".join(lines)


def _md_row(cells: Iterable[Any]) -> str:
    return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"


def _md_facts(facts: pd.DataFrame, manifest: Any, lang: str | None) -> list[str]:
    """One row per scenario: title, horizon, size and the dated rule changes that take
    effect in its runs (the parameter values of the tables are those of model year 1)."""
    keys = ("scenario", "title", "years", "ngos", "purchasers", "changes")
    lines = [_md_row(i18n.text(f"report.{k}", lang) for k in keys), "|---|---|---:|---:|---:|---|"]
    for r in facts.itertuples():
        title = i18n.scenario_title(str(r.scenario), lang)
        dated = columns.point_changes(manifest or {}, int(r.point))
        changes = columns.changes_text(dated, lang, int(r.years))
        changes = changes or i18n.text("report.no_changes", lang)
        cells = [r.scenario, title, r.years, f"{r.ngos:,}", f"{r.purchasers:,}", changes]
        lines.append(_md_row(cells))
    return lines


def _md_outcomes(
    table: pd.DataFrame, value: str, names: Sequence[str], columns: Sequence[str], lang: str | None
) -> list[str]:
    described = codebook.variables(lang)
    heads = [i18n.text("report.outcome", lang), i18n.text("report.unit", lang), *columns]
    lines = [_md_row(heads), "|---|---|" + "---:|" * len(columns)]
    for name in names:
        cells, _ = _cells(_outcome_rows(table, name), value, value == "difference")
        v = described[name]
        lines.append(_md_row([_paren(v.label, f"`{name}`", lang), v.unit, *cells]))
    if _fewer([table]):
        lines += ["", i18n.text("report.fewer_runs", lang)]
    cut = cut_note([(table, value == "difference")], lang)
    return [*lines, "", cut] if cut else lines
