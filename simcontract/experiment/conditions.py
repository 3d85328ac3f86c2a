"""Conditions on a run's outcomes, as scenario discovery marks its cases of interest.

A condition is written the way a scholar says it: ``"service_coverage < 0.8"``,
``"ngo_survival <= 0.5 or staff_turnover > 0.3"``. Each clause is an outcome of
:data:`simcontract.outcomes.OUTCOMES`, one of ``<``, ``<=``, ``>``, ``>=``, and a number;
clauses join with ``and`` and ``or``, in any case (``and`` binds first, as in Python;
there are no parentheses). A run whose outcome in a clause is undefined (NaN) cannot be judged:
:meth:`Condition.defined` tells which runs can.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd

from simcontract import i18n
from simcontract.experiment import messages
from simcontract.experiment.codebook import variables
from simcontract.outcomes import OUTCOMES

OPERATORS: dict[str, Callable[[np.ndarray, float], np.ndarray]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "<": operator.lt,
    ">": operator.gt,
}
"""The comparisons a clause may use."""

_CLAUSE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=|<|>)\s*(\S+)\s*$")
_said = partial(messages.error, "conditions")


class ConditionError(ValueError):
    """A condition is malformed, or names an outcome that does not exist."""


@dataclass(frozen=True)
class Clause:
    """One comparison: ``outcome operator value``."""

    outcome: str
    operator: str
    value: float

    def __str__(self) -> str:
        return f"{self.outcome} {self.operator} {self.value:g}"


@dataclass(frozen=True)
class Condition:
    """A parsed condition: a disjunction (``or``) of conjunctions (``and``) of clauses.

    Build one with :func:`parse_condition`.
    """

    text: str
    terms: tuple[tuple[Clause, ...], ...]

    @property
    def outcomes(self) -> list[str]:
        """The outcomes the condition reads, each once, in order of appearance."""
        return list(dict.fromkeys(c.outcome for term in self.terms for c in term))

    def __str__(self) -> str:
        return " or ".join(" and ".join(str(c) for c in term) for term in self.terms)

    def in_words(self, lang: str | None = None) -> str:
        """The condition for a reader of ``lang``: in English as written
        (``service_coverage < 0.8``, what ``--where`` takes), in another language each
        outcome by its label and ``and``/``or`` in words (``服务覆盖率 < 0.8``)."""
        code = i18n.resolve(lang)
        if code == i18n.DEFAULT_LANGUAGE:
            return str(self)
        labels = variables(code)
        joins = {word: i18n.text(f"discovery.{word}", code) for word in ("and", "or")}

        def clause(c: Clause) -> str:
            return f"{labels[c.outcome].label} {c.operator} {c.value:g}"

        return joins["or"].join(joins["and"].join(map(clause, term)) for term in self.terms)

    def defined(self, runs: pd.DataFrame) -> np.ndarray:
        """Whether each run has a value for every outcome the condition reads."""
        values = runs[self.outcomes].to_numpy(dtype=float)
        return ~np.isnan(values).any(axis=1)

    def holds(self, runs: pd.DataFrame) -> np.ndarray:
        """Whether the condition holds in each run (False where it is undefined)."""
        result = np.zeros(len(runs), dtype=bool)
        for term in self.terms:
            met = np.ones(len(runs), dtype=bool)
            for clause in term:
                values = runs[clause.outcome].to_numpy(dtype=float)
                with np.errstate(invalid="ignore"):
                    met &= OPERATORS[clause.operator](values, clause.value)
            result |= met
        return result & self.defined(runs)


def parse_condition(text: str, known: set[str] | None = None) -> Condition:
    """Parse a condition such as ``"service_coverage < 0.8"``.

    Args:
        text: The condition (see the module's description).
        known: Outcome names allowed (default: :data:`~simcontract.outcomes.OUTCOMES`).

    Raises:
        ConditionError: An empty or malformed clause, an unknown outcome, or a value
            that is not a finite number.
    """
    if not isinstance(text, str) or not text.strip():
        raise ConditionError(_said("empty", example=_said("example")))
    known = set(OUTCOMES) if known is None else known
    terms = []
    # ``AND``/``OR`` as in SQL or Stata mean the same: no outcome is named so.
    for term_text in re.split(r"\s+or\s+", text.strip(), flags=re.IGNORECASE):
        clauses = []
        for clause_text in re.split(r"\s+and\s+", term_text, flags=re.IGNORECASE):
            clauses.append(_clause(clause_text, known))
        terms.append(tuple(clauses))
    return Condition(text.strip(), tuple(terms))


def _clause(text: str, known: set[str]) -> Clause:
    match = _CLAUSE.match(text)
    if match is None:
        brackets = _said("brackets") if "(" in text or ")" in text else ""
        said = {"text": repr(text.strip()), "brackets": brackets, "example": _said("example")}
        operators = messages.listed(sorted(OPERATORS))
        raise ConditionError(_said("unreadable", **said, operators=operators))
    name, op, number = match.groups()
    if name not in known:
        from difflib import get_close_matches

        close = get_close_matches(name, sorted(known), n=1)
        hint = _said("did_you_mean", name=repr(close[0])) if close else ""
        raise ConditionError(_said("not_outcome", name=repr(name), hint=hint))
    try:
        value = float(number)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        said = {"text": repr(text.strip()), "number": repr(number)}
        raise ConditionError(_said("not_finite", **said))
    return Clause(name, op, value)
