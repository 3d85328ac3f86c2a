"""What a results folder holds for a reader besides the Parquet parts.

Every finished batch folder gets, next to ``manifest.json`` and the Parquet parts:

- ``table.csv``: mean and 95% CI of every outcome and comparable form per point, with
  its unit;
- ``runs.csv`` and ``runs.dta`` (Stata 14+): one row per run, identifiers, every
  parameter's value in model year 1, the dated rule changes that take effect in the run
  (``changes``: ``year 3: registration=direct; ...``, empty when none), and every
  outcome and comparable form, the ``.dta`` with variable labels from the codebook;
- ``codebook.md`` and ``codebook.json``: what every column of every table of the folder
  means, and every outcome in detail (:mod:`~simcontract.experiment.codebook`,
  :mod:`~simcontract.experiment.columns`).

:func:`write_folder` writes them all (each file atomically); the command line adds the
comparison's ``table.md`` and ``contrasts.csv``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from pathlib import Path
from typing import Any

import pandas as pd

from simcontract import i18n
from simcontract.experiment import atomic, codebook, columns, storage
from simcontract.params import PARAMETERS

RUNS_CSV = "runs.csv"
RUNS_DTA = "runs.dta"
CODEBOOK_MD = "codebook.md"
CODEBOOK_JSON = "codebook.json"
FILES = (storage.TABLE, RUNS_CSV, RUNS_DTA, CODEBOOK_MD, CODEBOOK_JSON)
"""The files :func:`write_folder` writes."""

STATA_LABEL = 80
"""Most characters of a Stata variable label."""

STATA_STR = 2045
"""Most bytes (UTF-8) of a Stata ``str#`` variable; a longer text needs a ``strL``."""


def level_table(results: Any) -> pd.DataFrame:
    """``table.csv``: :meth:`Results.table` of every outcome and comparable form, with
    a ``unit`` column after ``outcome``."""
    table = results.table(codebook.variable_list(None))
    units = {name: v.unit for name, v in codebook.variables("en").items()}
    table.insert(table.columns.get_loc("outcome") + 1, "unit", table["outcome"].map(units))
    return table


def runs_table(results: Any) -> pd.DataFrame:
    """One row per run (``runs.csv``): identifiers, parameters, the dated rule changes
    that take effect in the run (:data:`~simcontract.experiment.columns.CHANGES`, after
    the parameters), every outcome and comparable form."""
    runs = codebook.with_comparable(results.runs)
    changes = columns.changes_column(results.runs, results.manifest or {})
    runs.insert(runs.columns.get_loc(list(PARAMETERS)[-1]) + 1, columns.CHANGES, changes)
    return runs


def variable_labels(
    names: list[str], lang: str = "en", dated: Collection[str] = ()
) -> dict[str, str]:
    """A label of at most :data:`STATA_LABEL` characters for each column of the runs
    table: outcomes and comparable forms from the codebook, parameters from the
    registry (``Contract length, year 1 (years)`` for those of ``dated``, which a
    scenario changes in a later year), identifiers and ``changes`` from the catalogue."""
    described = codebook.variables(lang)
    labels = {}
    for c in names:
        if c in described:
            text = f"{described[c].label} ({described[c].unit})"
        elif c in PARAMETERS:
            unit = PARAMETERS[c].unit
            label = i18n.parameter_label(c, lang)
            if c in dated:
                label = i18n.text("columns.label_year_one", lang, label=label)
            text = label + (f" ({unit})" if unit else "")
        else:
            text = columns.column(storage.RUNS, c, lang).label
        labels[c] = text if len(text) <= STATA_LABEL else text[: STATA_LABEL - 1] + "…"
    return labels


def write_stata(
    runs: pd.DataFrame, target: Path, stamp: str | None = None, dated: Collection[str] = ()
) -> Path:
    """Write the runs table as a Stata ``.dta`` (format 118) with variable labels
    (:func:`variable_labels`, ``dated`` as there), time stamped ``stamp`` (ISO 8601, the
    batch's start) rather than the time of writing, so that the same runs give the same
    file."""
    frame = runs.copy()
    # Seeds use 63 bits; Stata's doubles hold 53.
    frame["seed"] = frame["seed"].astype(str)
    labels = variable_labels(list(frame.columns), dated=dated)
    names = codebook.stata_names(list(frame.columns))
    frame = frame.rename(columns=names)
    stata_labels = {names[c]: text for c, text in labels.items()}
    texts = [c for c in frame.columns if pd.api.types.is_string_dtype(frame[c])]
    long = [c for c in texts if frame[c].fillna("").str.encode("utf-8").str.len().max() > STATA_STR]

    def write(tmp: Path) -> None:
        frame.to_stata(
            tmp,
            write_index=False,
            version=118,
            variable_labels=stata_labels,
            time_stamp=dt.datetime.fromisoformat(stamp) if stamp else None,
            convert_strl=long,
        )

    return atomic.write_atomic(target, write)


def write_folder(results: Any) -> list[Path]:
    """Write :data:`FILES` into ``results.directory``; return their paths. The codebook
    is in the language in use (:func:`simcontract.i18n.use_language`); the data files
    keep the outcomes' and parameters' names, and English labels."""
    directory = Path(results.directory)
    runs = runs_table(results)
    dated = columns.dated_parameters(results.runs, results.manifest or {})
    varied = results.design.parameters if results.design is not None else ()
    lang = i18n.current()
    described = columns.tables(lang, varied, dated)
    stamp = (results.manifest or {}).get("started")
    written = [
        atomic.write_text(directory / storage.TABLE, level_table(results).to_csv(index=False)),
        atomic.write_text(directory / RUNS_CSV, runs.to_csv(index=False)),
        write_stata(runs, directory / RUNS_DTA, stamp, dated),
        atomic.write_text(directory / CODEBOOK_MD, codebook.markdown(lang, tables=described)),
        atomic.write_text(directory / CODEBOOK_JSON, codebook.to_json(lang, tables=described)),
    ]
    return written
