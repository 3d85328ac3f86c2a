"""Every column of every table a results folder holds, described for a reader.

A results folder holds the runs table (``runs/``, ``runs.csv``, ``runs.dta``), with
``--series`` the tables ``series/``, ``ngos/`` and ``contracts/``, and the summaries
``table.csv``, ``contrasts.csv`` (comparisons) and ``indices.csv`` (Sobol and Morris
sweeps). :func:`tables` describes each column of each: label, unit, meaning, and the
meaning of each value of a column of named values (``exit_reason``, ``origin``). The
texts come from the catalogue (``columns.*``); a parameter's from the parameter
registry, an outcome's from the codebook (:mod:`~simcontract.experiment.codebook`, which
writes them into ``codebook.md`` and ``codebook.json``).

A parameter's column holds its value in model year 1. A scenario's dated rule changes
(``[[changes]]``) are those its manifest records (``scenarios[i].changes``);
:func:`changes_column` writes the ones that take effect in each run as the runs
table's column ``changes`` (``year 3: registration=direct; year 9: contract_years=5``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from simcontract import i18n
from simcontract.experiment import storage
from simcontract.params import ORIGINS, PARAMETERS

CHANGES = "changes"
"""Column of ``runs.csv`` and ``runs.dta`` with the dated rule changes of each run."""

EXPORTS = ("runs.csv", "runs.dta")
"""The files of the runs table that add the comparable forms and :data:`CHANGES`."""

TABLE_FILES: dict[str, tuple[str, ...]] = {
    storage.RUNS: (f"{storage.RUNS}/", *EXPORTS),
    storage.SERIES: (f"{storage.SERIES}/",),
    storage.NGOS: (f"{storage.NGOS}/",),
    storage.CONTRACTS: (f"{storage.CONTRACTS}/",),
    "table": (storage.TABLE,),
    "contrasts": ("contrasts.csv",),
    "indices": (storage.INDICES,),
}
"""Every table of a results folder, by name, with the files (or folders) that hold it."""

_UNITS = {
    "year": "model year",
    "entry_year": "model year",
    "exit_year": "model year",
    "reserves": "CNY",
    "reputation": "index",
    "dependence": "share",
    "staff": "workers",
    "contracts": "contracts",
    "price": "CNY/year",
    "start": "model year",
    "end": "model year",
    "tie": "index",
}
"""Unit of each column of the detail tables that has one (as the registries name units)."""

_OF_OUTCOME = ("mean", "sd", "low", "high", "reference_mean", "difference")
"""Columns of the summaries in the unit of the row's outcome."""

_INDEX_VALUES = ("S1", "ST", "S2", "mu_star", "mu", "sigma")
"""The values of ``indices.csv``'s column ``index``."""


@dataclass(frozen=True)
class Column:
    """One column of a table of a results folder.

    Attributes:
        name: Column name.
        label: Short label in plain language.
        unit: Unit (empty when none).
        meaning: What a value of the column says.
        kind: ``"identifier"``, ``"parameter"``, ``"changes"``, ``"outcome"``,
            ``"comparable"`` (a comparable form of an outcome) or ``"column"``.
        values: The meaning of each value of a column of named values (else empty).
        files: The only files of the table that hold the column (empty: all of them).
        dated: For a parameter, whether a scenario of the batch changes it in a later
            model year (its column holds the value of year 1).
    """

    name: str
    label: str
    unit: str
    meaning: str
    kind: str = "column"
    values: dict[str, str] = field(default_factory=dict)
    files: tuple[str, ...] = ()
    dated: bool = False


@dataclass(frozen=True)
class Table:
    """One table of a results folder.

    Attributes:
        name: Its name: ``runs``, ``series``, ``ngos``, ``contracts``, ``table``,
            ``contrasts`` or ``indices``.
        files: The files (and folders of Parquet parts) that hold it.
        rows: What a row is, and when a folder holds the table.
        columns: Its columns, in order.
    """

    name: str
    files: tuple[str, ...]
    rows: str
    columns: tuple[Column, ...]


# --------------------------------------------------------------------------- changes
def change_value(value: Any) -> str:
    """A parameter's value as the column ``changes`` writes it: ``direct``, ``5``,
    ``0.03``, ``2400000`` (a whole float without ``.0``)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def changes_text(
    changes: Iterable[Mapping[str, Any]], lang: str | None = None, years: int | None = None
) -> str:
    """Dated rule changes in a line, e.g. ``year 3: registration=direct; year 9:
    contract_years=5, contract_value=2400000`` (empty when there are none).

    Args:
        changes: Changes as a manifest records them (a scenario's ``changes``: mappings
            with a ``year`` and the values it sets).
        lang: Language of the words (the runs table's is English).
        years: Leave out the changes after this model year (the run's last year): they
            never take effect.
    """
    parts = []
    for change in sorted(changes, key=lambda c: c["year"]):
        if years is not None and change["year"] > years:
            continue
        values = i18n.text("punctuation.list", lang).join(
            f"{k}={change_value(v)}" for k, v in change.items() if k != "year"
        )
        parts.append(i18n.text("columns.change_year", lang, year=change["year"], values=values))
    return i18n.text("punctuation.clause", lang).join(parts)


def point_changes(manifest: Mapping[str, Any], point: int) -> list[dict[str, Any]]:
    """The dated rule changes of design point ``point`` as the manifest records them: a
    comparison's ``point``-th scenario's, or a sweep's base scenario's (a design's
    values change a parameter's value in year 1, not the dated changes)."""
    scenarios = manifest.get("scenarios") or []
    index = point if manifest.get("design") is None else 0
    if not 0 <= index < len(scenarios):
        return []
    return [dict(c) for c in scenarios[index].get("changes") or []]


def changes_column(runs: pd.DataFrame, manifest: Mapping[str, Any]) -> pd.Series:
    """The column :data:`CHANGES` of a runs table (English): each run's dated rule
    changes of the model years it runs (up to its ``years``), those that take effect."""
    said: dict[tuple[int, int], str] = {}
    cells = []
    for point, years in zip(runs["point"], runs["years"], strict=True):
        key = (int(point), int(years))
        if key not in said:
            said[key] = changes_text(point_changes(manifest, key[0]), "en", key[1])
        cells.append(said[key])
    return pd.Series(cells, index=runs.index, name=CHANGES, dtype=str)


def dated_parameters(runs: pd.DataFrame, manifest: Mapping[str, Any]) -> list[str]:
    """The parameters a dated rule change after year 1 sets in some run of the batch
    (in the registry's order): their columns hold the value of model year 1 only (one
    of year 1 is in that value)."""
    found: set[str] = set()
    for point, years in runs[["point", "years"]].drop_duplicates().itertuples(index=False):
        for change in point_changes(manifest, int(point)):
            if 1 < change["year"] <= years:
                found |= {k for k in change if k != "year"}
    return [name for name in PARAMETERS if name in found]


# --------------------------------------------------------------------------- columns
def _text(table: str, name: str, lang: str | None) -> tuple[str, str]:
    """Label and meaning of a column from the catalogue: ``columns.<table>.<name>``, or
    the identifiers' and summaries' shared ``columns.shared.<name>``."""
    for where in (table, "shared"):
        label = i18n.text(f"columns.{where}.{name}.label", lang)
        if label != f"columns.{where}.{name}.label":
            return label, i18n.text(f"columns.{where}.{name}.meaning", lang)
    return i18n.words(name), ""


def _values(name: str, lang: str | None) -> dict[str, str]:
    """The meaning of each value of a column of named values."""
    if name == "origin":
        return {o: i18n.origin_name(o, lang) for o in ORIGINS}
    if name == "purchaser_kind":
        kinds = i18n.catalogue(i18n.DEFAULT_LANGUAGE)["purchasers"]
        return {k: i18n.purchaser_name(k, lang) for k in kinds}
    if name == "exit_reason":
        reasons = i18n.catalogue(i18n.DEFAULT_LANGUAGE)["exit_reasons"]
        return {r: i18n.text(f"exit_reasons.{r}", lang) for r in reasons}
    if name == "index":
        return {v: i18n.text(f"columns.indices.index.values.{v}", lang) for v in _INDEX_VALUES}
    return {}


def column(table: str, name: str, lang: str | None = None, unit: str = "") -> Column:
    """Column ``name`` of table ``table`` (not a parameter's or an outcome's): label and
    meaning from the catalogue, unit, and the meaning of each value it takes."""
    label, meaning = _text(table, name, lang)
    kind = "identifier" if name in storage.ID_COLUMNS else "column"
    if not unit and name in _UNITS:
        unit = i18n.unit(_UNITS[name], lang)
    return Column(name, label, unit, meaning, kind, _values(name, lang))


def parameter_column(name: str, lang: str | None = None, dated: bool = False) -> Column:
    """A parameter's column: label, unit and meaning from the registry; a parameter a
    scenario changes in a later year (``dated``) says that it holds year 1's value."""
    unit = PARAMETERS[name].unit
    meaning = i18n.parameter_meaning(name, lang)
    if dated:
        meaning += sentence_gap(meaning) + i18n.text("columns.year_one", lang)
    label, unit = i18n.parameter_label(name, lang), i18n.unit(unit, lang) if unit else ""
    return Column(name, label, unit, meaning, "parameter", dated=dated)


def sentence_gap(text: str) -> str:
    """A space to put between ``text`` and a sentence after it: none after a Chinese
    full stop, nor after no text."""
    return "" if not text or text.endswith(("。", "！", "？")) else " "


def _outcome_columns(series: bool, lang: str | None) -> list[Column]:
    """The outcomes' columns of the runs table (with the comparable forms, which only
    runs.csv and runs.dta hold) or of the series table."""
    from simcontract.experiment import codebook

    out = []
    for name, v in codebook.variables(lang).items():
        form = v.pooling == "comparable"
        if series and form:
            continue
        meaning = v.yearly if series else v.definition
        files = EXPORTS if form else ()
        kind = "comparable" if form else "outcome"
        out.append(Column(name, v.label, v.unit, meaning, kind, files=files))
    return out


def _ids(lang: str | None) -> list[Column]:
    return [column("shared", name, lang) for name in storage.ID_COLUMNS]


def _detail(table: str, lang: str | None) -> list[Column]:
    """The columns of a detail table after its identifiers, from its schema."""
    names = storage.SCHEMAS[table]().names[len(storage.ID_COLUMNS) :]
    return [column(table, name, lang) for name in names]


def _summary(table: str, names: Sequence[str], lang: str | None) -> list[Column]:
    """Columns of a summary; those in the outcome's or the index's unit say so."""
    out = []
    for name in names:
        unit = ""
        if table == "indices" and name in ("value", "conf", "low", "high"):
            unit = i18n.text("columns.index_unit", lang)
        elif name in _OF_OUTCOME:
            unit = i18n.text("columns.outcome_unit", lang)
        out.append(column(table, name, lang, unit))
    return out


def tables(
    lang: str | None = None, varied: Sequence[str] = (), dated: Collection[str] = ()
) -> list[Table]:
    """Every table a results folder can hold, with every column (see
    :data:`TABLE_FILES`).

    Args:
        lang: Language of the labels and meanings (default: the one in use).
        varied: The parameters a sweep's design varies (columns of ``table.csv``).
        dated: The parameters a scenario of the batch changes in a later year
            (:func:`dated_parameters`).
    """
    from simcontract.experiment.comparison import CONTRAST_COLUMNS
    from simcontract.experiment.designs import INDEX_COLUMNS

    params = [parameter_column(name, lang, name in dated) for name in PARAMETERS]
    label, meaning = _text(storage.RUNS, CHANGES, lang)
    changes = Column(CHANGES, label, "", meaning, "changes", files=EXPORTS)
    summary = ["n", "mean", "sd", "low", "high"]
    table = [
        *_summary("table", ["point", "scenario"], lang),
        *(parameter_column(name, lang, name in dated) for name in varied),
        *_summary("table", ["outcome", "unit", *summary], lang),
    ]
    columns = {
        storage.RUNS: [*_ids(lang), *params, changes, *_outcome_columns(False, lang)],
        storage.SERIES: [*_ids(lang), column("series", "year", lang)],
        storage.NGOS: [*_ids(lang), *_detail(storage.NGOS, lang)],
        storage.CONTRACTS: [*_ids(lang), *_detail(storage.CONTRACTS, lang)],
        "table": table,
        "contrasts": _summary("contrasts", CONTRAST_COLUMNS, lang),
        "indices": _summary("indices", INDEX_COLUMNS, lang),
    }
    columns[storage.SERIES] += _outcome_columns(True, lang)
    return [
        Table(name, TABLE_FILES[name], i18n.text(f"columns.rows.{name}", lang), tuple(found))
        for name, found in columns.items()
    ]
