"""The codebook: what every column of a results folder means, every outcome and its
comparable forms in detail.

Every outcome of :data:`simcontract.outcomes.OUTCOMES` is a *variable* of the runs table;
so is the comparable form of an outcome whose value depends on the run's length or the
market's size by construction (:attr:`~simcontract.outcomes.Outcome.per`), e.g.
``public_spend_per_purchaser_year``. :func:`variables` lists them with label, unit and
definition in a language of the catalogue; :func:`markdown` and :func:`to_json` write
them as ``codebook.md`` and ``codebook.json``, a results folder's with every column of
every table it holds (:func:`simcontract.experiment.columns.tables`) before them;
:func:`with_comparable` adds the comparable forms to a runs table.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from simcontract import i18n
from simcontract.experiment import messages
from simcontract.experiment.runner import ExperimentError
from simcontract.outcomes import OUTCOMES, Count, Outcome

if TYPE_CHECKING:
    from simcontract.experiment import columns

STATA_NAME = 32
"""Most characters of a Stata variable name."""
_STATA_WORD = 4
"""Characters a long word of a variable name is cut to when the name is too long."""


@dataclass(frozen=True)
class Variable:
    """One outcome variable of the runs table, described for a reader.

    Attributes:
        name: Column name (an outcome's name, or the name of its comparable form).
        label: Short label in plain language.
        unit: Unit.
        definition: What a run's value counts.
        yearly: What the value of one year counts (in the yearly series); empty for a
            comparable form.
        pooling: ``"pooled"``, ``"mean"`` or ``"last"`` (see
            :data:`simcontract.outcomes.POOLINGS`); ``"comparable"`` for a comparable form.
        kind: Per year or cumulative, in words.
        pooling_text: How a run's value is formed from its years, in a sentence.
        cumulative: Whether a run's value is a total over its years.
        undefined: When the value is undefined (empty when it always has a value).
        horizon: Whether the value depends on the run's length by construction.
        size: Whether the value depends on the market's size by construction.
        comparable: Name of the outcome's comparable form (empty when none), or, for a
            comparable form, the outcome it is made from.
    """

    name: str
    label: str
    unit: str
    definition: str
    yearly: str
    pooling: str
    kind: str
    pooling_text: str
    cumulative: bool
    undefined: str
    horizon: bool
    size: bool
    comparable: str


def _pooling_key(outcome: Outcome) -> str:
    if outcome.pooling == "pooled":
        return "cumulative" if isinstance(outcome.measure, Count) else "pooled"
    return outcome.pooling


def _outcome_variable(outcome: Outcome, lang: str | None) -> Variable:
    key = _pooling_key(outcome)
    return Variable(
        name=outcome.name,
        label=i18n.outcome_label(outcome.name, lang),
        unit=i18n.unit(outcome.unit, lang),
        definition=i18n.outcome_meaning(outcome.name, lang, summary=True),
        yearly=i18n.outcome_meaning(outcome.name, lang),
        pooling=outcome.pooling,
        kind=i18n.text(f"report.kind_{key}", lang),
        pooling_text=i18n.text(f"report.pooling_{key}", lang),
        cumulative=key == "cumulative",
        undefined=i18n.outcome_undefined(outcome.name, lang),
        horizon=outcome.horizon,
        size=outcome.size,
        comparable=outcome.comparable_name,
    )


def comparable_label(outcome: Outcome, lang: str | None = None) -> str:
    """Label of an outcome's comparable form, e.g. ``"Public spend per purchaser per
    year"``."""
    label = i18n.outcome_label(outcome.name, lang)
    if outcome.compounds:
        return i18n.text("report.label_annual", lang, label=label)
    return i18n.text(f"report.label_per_{'_'.join(outcome.per)}", lang, label=label)


def comparable_unit(outcome: Outcome, lang: str | None = None) -> str:
    """Unit of an outcome's comparable form, e.g. ``"CNY per purchaser per year"``."""
    unit = i18n.unit(outcome.unit, lang)
    if outcome.compounds:
        return unit
    for per in outcome.per:
        unit = i18n.text(f"report.unit_per_{per}", lang, unit=unit)
    return unit


def _comparable_variable(outcome: Outcome, lang: str | None) -> Variable:
    source = _outcome_variable(outcome, lang)
    pooling = source.pooling_text
    if outcome.compounds:
        how, kind = i18n.text("report.form_annual", lang), "annual"
        pooling = i18n.text("report.pooling_annual", lang)
    else:
        parts = [i18n.text(f"report.form_per_{per}", lang) for per in outcome.per]
        how = i18n.text("report.form_and", lang).join(parts) + i18n.text("report.form_end", lang)
        kind = "per_year" if "year" in outcome.per else "per_purchaser"
        if "year" in outcome.per:
            key = "per_purchaser_year" if "purchaser" in outcome.per else "per_year"
            pooling = i18n.text(f"report.pooling_{key}", lang)
    label = i18n.outcome_label(outcome.name, lang)
    return Variable(
        name=outcome.comparable_name,
        label=comparable_label(outcome, lang),
        unit=comparable_unit(outcome, lang),
        definition=i18n.text("report.form_of", lang, label=label, how=how),
        yearly="",
        pooling="comparable",
        kind=i18n.text(f"report.kind_{kind}", lang),
        pooling_text=pooling,
        cumulative=False,
        undefined=source.undefined,
        # A mean per year or an annual rate still covers the run's own years.
        horizon=outcome.horizon,
        size=outcome.size and "purchaser" not in outcome.per,
        comparable=outcome.name,
    )


def variables(lang: str | None = None) -> dict[str, Variable]:
    """Every outcome and comparable form by name, each outcome followed by its form.

    Args:
        lang: Language of the labels and definitions (default: the one in use).
    """
    out: dict[str, Variable] = {}
    for outcome in OUTCOMES.values():
        out[outcome.name] = _outcome_variable(outcome, lang)
        if outcome.per:
            out[outcome.comparable_name] = _comparable_variable(outcome, lang)
    return out


def variable_list(names: Sequence[str] | str | None) -> list[str]:
    """Outcome names and names of comparable forms as a list (``None``: all of them).

    Raises:
        ExperimentError: A name that is neither.
    """
    known = list(variables())
    if names is None:
        return known
    if isinstance(names, str):
        names = [names]
    unknown = [n for n in names if n not in known]
    if unknown:
        said = {"outcomes": messages.listed(OUTCOMES), "forms": messages.listed(comparable_forms())}
        raise ExperimentError(
            messages.error("codebook", "unknown_outcome", name=repr(unknown[0]), **said)
        )
    return list(names)


def stata_names(names: list[str]) -> dict[str, str]:
    """Each column name as a valid, unique Stata name of at most :data:`STATA_NAME`
    characters (long words cut first, e.g. ``early_terminations_per_purchaser_year``
    to ``early_term_per_purchaser_year``)."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:
        short = re.sub(r"\W", "_", name)
        words = short.split("_")
        while len(short) > STATA_NAME and max(map(len, words)) > _STATA_WORD:
            longest = max(range(len(words)), key=lambda i: len(words[i]))
            words[longest] = words[longest][:_STATA_WORD]
            short = "_".join(words)
        short = short[:STATA_NAME]
        stem, k = short, 1
        while short in taken:
            suffix = f"_{k}"
            short, k = stem[: STATA_NAME - len(suffix)] + suffix, k + 1
        taken.add(short)
        out[name] = short
    return out


def names_forms(names: object) -> bool:
    """Whether ``names`` is a list naming at least one comparable form."""
    if isinstance(names, str) or not isinstance(names, Sequence):
        return names in comparable_forms() if isinstance(names, str) else False
    return any(isinstance(n, str) and n in comparable_forms() for n in names)


def comparable_forms() -> dict[str, Outcome]:
    """The outcome of every comparable form, by the form's name."""
    return {o.comparable_name: o for o in OUTCOMES.values() if o.per}


def purchasers(frame: pd.DataFrame) -> pd.Series:
    """Purchasers of each run's market (bureaux and mass organisations of every city),
    from the parameter columns of a runs table."""
    return frame["n_cities"] * (frame["n_bureaux"] + frame["n_mass_orgs"])


def with_comparable(runs: pd.DataFrame, forms: Sequence[str] | None = None) -> pd.DataFrame:
    """``runs`` with a column for every comparable form (NaN where a market has no
    purchaser), each after the columns it is made from.

    Args:
        runs: A runs table: its outcomes and the parameters ``years``, ``n_cities``,
            ``n_bureaux`` and ``n_mass_orgs``.
        forms: Only these comparable forms (default: every one).
    """
    years = runs["years"].astype(float)
    buyers = purchasers(runs).astype(float).where(lambda s: s > 0, np.nan)
    added = {
        name: outcome.comparable(runs[outcome.name].astype(float), years, buyers)
        for name, outcome in comparable_forms().items()
        if forms is None or name in forms
    }
    return pd.concat([runs, pd.DataFrame(added, index=runs.index)], axis=1)


def entries(lang: str | None = None) -> list[dict[str, object]]:
    """The outcomes of the codebook as a list of plain dicts (``codebook.json``'s
    ``variables``)."""
    return [asdict(v) for v in variables(lang).values()]


def to_json(lang: str | None = None, tables: Sequence[columns.Table] | None = None) -> str:
    """The codebook as JSON text: ``{"language": ..., "variables": [...]}``, with
    ``tables`` (:func:`~simcontract.experiment.columns.tables`) also ``"tables": [...]``,
    each with its ``name``, ``files``, ``rows`` and ``columns``."""
    body: dict[str, object] = {"language": i18n.resolve(lang), "variables": entries(lang)}
    if tables is not None:
        body["tables"] = [asdict(t) for t in tables]
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown(
    lang: str | None = None,
    names: Sequence[str] | None = None,
    tables: Sequence[columns.Table] | None = None,
) -> str:
    """The codebook as a Markdown document (what ``codebook.md`` holds).

    Args:
        lang: Language (default: the one in use).
        names: Only these variables (default: all).
        tables: The tables of a results folder to describe column by column before
            the outcomes (:func:`~simcontract.experiment.columns.tables`), or ``None``
            for the outcomes alone.
    """
    chosen = variables(lang)
    stata = stata_names(list(chosen))
    t = {k: i18n.text(f"report.codebook_{k}", lang) for k in _HEADINGS}
    if tables is None:
        lines = [f"# {t['title']}", "", t["intro"], ""]
    else:
        title, intro = (i18n.text(f"columns.{k}", lang) for k in ("title", "intro"))
        outcomes = i18n.text("columns.outcomes", lang)
        lines = [f"# {title}", "", intro, "", *_table_lines(tables, lang)]
        lines += [f"## {outcomes}", "", t["intro"], ""]
    # Under the folder's tables, the outcomes are one section of the page.
    level = "##" if tables is None else "###"
    for name, v in chosen.items():
        if names is not None and name not in names:
            continue
        fields = _fields(v, lang)
        if stata[name] != name:
            fields.append(("stata", f"`{stata[name]}`"))
        lines += [f"{level} " + _field(f"`{name}`", v.label, lang), ""]
        lines += ["- " + _field(f"**{t[key]}**", value, lang) for key, value in fields]
        lines.append("")
    return "\n".join(lines)


def _table_lines(tables: Sequence[columns.Table], lang: str | None) -> list[str]:
    """A section per table: its files, what a row is, and a row per column."""
    heads = [i18n.text(f"columns.{k}", lang) for k in ("column", "label", "unit", "meaning")]
    lines = []
    for table in tables:
        files = i18n.text("punctuation.list", lang).join(f"`{f}`" for f in table.files)
        lines += [f"## {files}", "", table.rows, ""]
        lines += ["| " + " | ".join(heads) + " |", "|---|---|---|---|"]
        for c in table.columns:
            cells = [f"`{c.name}`", c.label, c.unit, _column_meaning(c, table.name, lang)]
            lines.append("| " + " | ".join(_cell(x) for x in cells) + " |")
        lines.append("")
    return lines


def _column_meaning(c: columns.Column, table: str, lang: str | None) -> str:
    """A column's meaning in a table row: an outcome's points to its section below; a
    column of named values says what each means; one only some files hold names them."""
    # Here, not at the top: the tables read the stores' schemas (pyarrow), which a
    # single run and the outcomes' definitions do not need.
    from simcontract.experiment import columns

    if c.kind in ("outcome", "comparable"):
        said = i18n.text(f"columns.see_outcome{'_year' if table == 'series' else ''}", lang)
    else:
        said = c.meaning
    if c.values:
        values = i18n.text("punctuation.clause", lang).join(
            _field(f"`{k}`", v, lang) for k, v in c.values.items()
        )
        said += columns.sentence_gap(said) + i18n.text("columns.values", lang, values=values)
    if c.files:
        files = i18n.text("punctuation.list", lang).join(c.files)
        said += columns.sentence_gap(said) + i18n.text("columns.only_in", lang, files=files)
    return said


def _field(name: str, value: str, lang: str | None) -> str:
    return i18n.text("punctuation.field", lang, name=name, value=value)


def _fields(v: Variable, lang: str | None) -> list[tuple[str, str]]:
    """The described fields of a variable in order: heading key of :data:`_HEADINGS`
    and value (the comparable form or its source in backticks)."""
    depends = [i18n.text(f"report.depends_{k}", lang) for k in ("horizon", "size") if getattr(v, k)]
    said = i18n.text("punctuation.list", lang).join(depends)
    fields = [("unit", v.unit)]
    if v.yearly:  # first: a run's value often says only how it is made from the years'
        fields.append(("yearly", v.yearly))
    fields.append(("definition", v.definition))
    fields.append(
        ("kind", i18n.text("report.kind_pooling", lang, kind=v.kind, pooling=v.pooling_text))
    )
    if v.undefined:
        fields.append(("undefined", v.undefined))
    fields.append(("depends", said or i18n.text("report.codebook_nothing", lang)))
    if v.comparable:
        which = "source" if v.pooling == "comparable" else "comparable"
        fields.append((which, f"`{v.comparable}`"))
    return fields


_HEADINGS = (
    "title",
    "intro",
    "unit",
    "definition",
    "yearly",
    "kind",
    "undefined",
    "depends",
    "nothing",
    "comparable",
    "source",
    "stata",
)


def table(lang: str | None = None) -> pd.DataFrame:
    """The codebook as a DataFrame, one row per variable (for CSV)."""
    return pd.DataFrame(entries(lang))


FORMATS = ("text", "md", "csv", "json")
"""Formats :func:`render` writes."""


def text(lang: str | None = None, width: int = 100) -> str:
    """The codebook as plain text for a terminal: per variable its name, unit and kind,
    then its label, what a year's value counts (an outcome's run value often says only
    how it is made from the years'), what a run's value counts and when it is undefined,
    indented, every line at most ``width`` columns (a Chinese character takes two)."""
    from simcontract.textwidth import wrap

    year, run, undefined = (
        i18n.text(f"report.codebook_{k}", lang) for k in ("yearly", "definition", "undefined")
    )
    lines = []
    for name, v in variables(lang).items():
        lines.append(
            i18n.text("report.codebook_text_head", lang, name=name, unit=v.unit, kind=v.kind)
        )
        said = [v.label]
        if v.yearly:
            said += [_field(year, v.yearly, lang), _field(run, v.definition, lang)]
        else:
            said.append(v.definition)
        if v.undefined:
            said.append(_field(undefined, v.undefined, lang))
        for part in said:
            lines += wrap(part, width, "    ", "      ")
    return "\n".join(lines) + "\n"


def render(fmt: str, lang: str | None = None) -> str:
    """The codebook in a format of :data:`FORMATS`."""
    if fmt == "md":
        return markdown(lang)
    if fmt == "json":
        return to_json(lang)
    if fmt == "csv":
        return table(lang).to_csv(index=False)
    if fmt == "text":
        return text(lang)
    formats = messages.listed(FORMATS)
    raise ValueError(messages.error("types", "codebook_format", formats=formats, given=repr(fmt)))
