"""What a student decides each year, and how a submitted form is checked.

An NGO head's year (:class:`NGOPlan`): which open tenders to bid for, the price and the
hours promised in every bid, whether to answer a purchaser's invitation, whether to
accept the extra duties officials order, how many workers to hire beyond what the
contracts need, how much of the evaluators' documentation to do, which official to
court and how much of the NGO's own time to give to advocacy. An official's decision
(:class:`AwardChoice`) is the winner of one tender, or no award.

A form that breaks a rule raises :class:`PlanError`, whose ``key`` and ``values`` name
the message in the language catalogue (``classroom.errors.*``); :meth:`Refusal.message`
says it in a language.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from simcontract import i18n

MAX_HIRES = 20
"""Most workers an NGO head may hire in one year beyond what its contracts need."""


class Refusal(ValueError):
    """A request refused: ``key`` names the message (``classroom.errors.<key>``),
    ``values`` fill it; the exception reads ``key: message`` in the language in use."""

    def __init__(self, key: str, **values: Any) -> None:
        self.key = key
        self.values = values
        super().__init__(f"{key}: {self.message()}")

    def message(self, lang: str | None = None) -> str:
        """What the student or the teacher is told, in ``lang`` (``None``: the language
        in use); a field is named by its label on the form."""
        values = dict(self.values)
        field = values.get("field")
        if self.key != "unknown_field" and field in FORM_LABELS:
            values["field"] = i18n.text(f"classroom.{FORM_LABELS[field]}", lang)
        return i18n.text(f"classroom.errors.{self.key}", lang, **values)


class PlanError(Refusal):
    """A decision that breaks a rule."""


@dataclass(frozen=True)
class Limits:
    """What an NGO head may choose this year.

    Attributes:
        tenders: Ids of the open tenders the NGO may bid for.
        officials: Ids of the purchasers whose official it may court.
        lowest_price: Lowest bid price, as a share of the ceiling (``1 - max_discount``).
        highest_promise: Most hours it may promise, as a share of the required hours
            (``1 + max_bid_inflation``).
        most_bids: Most open tenders it may bid for, as for a simulated NGO:
            ``bids_per_free_contract * min(free, free_contracts_counted)`` with ``free``
            the further contracts it has room for (writing bids takes time).
    """

    tenders: tuple[str, ...]
    officials: tuple[int, ...]
    lowest_price: float
    highest_promise: float
    most_bids: int


FORM_LABELS = {
    "bids": "bid_for",
    "price": "price",
    "promise": "promise",
    "invitations": "answer_invitations",
    "duties": "accept_duties",
    "documentation": "documentation",
    "hires": "hires",
    "court": "court",
    "advocacy": "advocacy",
}
"""The label (``classroom.<key>`` in the catalogue) of each field of :class:`NGOPlan` on
the student's form: a refusal names the field as the form does."""


@dataclass(frozen=True)
class NGOPlan:
    """An NGO head's decisions for one year.

    Attributes:
        bids: Ids of the open tenders it bids for.
        price: Bid price as a share of the ceiling price, in every competitive bid.
        promise: Promised hours as a share of the required hours, in every such bid.
        invitations: Whether it answers invitations to a shortlist or a direct award.
        duties: Whether it accepts the unpaid extra duties officials order.
        documentation: Share of the evaluators' documentation it does, in [0, 1].
        hires: Workers it hires beyond what its contracts need, 0 to ``MAX_HIRES``.
        court: The purchaser whose official its head courts, or ``None``.
        advocacy: Share of its own hours it gives to advocacy, in [0, 1].
    """

    bids: tuple[str, ...] = ()
    price: float = 1.0
    promise: float = 1.0
    invitations: bool = True
    duties: bool = True
    documentation: float = 1.0
    hires: int = 0
    court: int | None = None
    advocacy: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """The plan as JSON-ready values."""
        out = asdict(self)
        out["bids"] = list(self.bids)
        return out


@dataclass(frozen=True)
class AwardChoice:
    """An official's award of one tender: the winning NGO's id, or ``None`` (no award)."""

    tender: str
    winner: int | None


def _number(data: Mapping[str, Any], name: str, low: float, high: float) -> float:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PlanError("not_a_number", field=name)
    # An int is compared exactly (math.isfinite overflows on an int of 400 digits).
    if isinstance(value, float) and not math.isfinite(value):
        raise PlanError("not_a_number", field=name)
    if not low - 1e-9 <= value <= high + 1e-9:
        raise PlanError("out_of_range", field=name, low=round(low, 4), high=round(high, 4))
    return float(min(max(value, low), high))


def _flag(data: Mapping[str, Any], name: str) -> bool:
    value = data.get(name)
    if not isinstance(value, bool):
        raise PlanError("not_a_choice", field=name)
    return value


def parse_plan(data: Any, limits: Limits) -> NGOPlan:
    """Check a submitted form against this year's ``limits`` and make it a plan.

    Raises:
        PlanError: A missing or unknown field, a value out of its range, a tender the
            NGO may not bid for, an official it may not court.
    """
    if not isinstance(data, Mapping):
        raise PlanError("not_a_form")
    known = set(NGOPlan.__dataclass_fields__)
    unknown = sorted(set(data) - known)
    if unknown:
        raise PlanError("unknown_field", field=unknown[0])
    bids = data.get("bids")
    if not isinstance(bids, list) or not all(isinstance(b, str) for b in bids):
        raise PlanError("not_a_list", field="bids")
    for tender in bids:
        if tender not in limits.tenders:
            raise PlanError("no_such_tender", tender=tender)
    if len(set(bids)) > limits.most_bids:
        raise PlanError("too_many_bids", most=limits.most_bids)
    court = data.get("court")
    if court is not None and (
        isinstance(court, bool) or not isinstance(court, int) or court not in limits.officials
    ):
        raise PlanError("no_such_official", official=court)
    hires = data.get("hires")
    if isinstance(hires, bool) or not isinstance(hires, int) or not 0 <= hires <= MAX_HIRES:
        raise PlanError("out_of_range", field="hires", low=0, high=MAX_HIRES)
    return NGOPlan(
        bids=tuple(dict.fromkeys(bids)),
        price=_number(data, "price", limits.lowest_price, 1.0),
        promise=_number(data, "promise", 1.0, limits.highest_promise),
        invitations=_flag(data, "invitations"),
        duties=_flag(data, "duties"),
        documentation=_number(data, "documentation", 0.0, 1.0),
        hires=hires,
        court=court,
        advocacy=_number(data, "advocacy", 0.0, 1.0),
    )


def parse_award(data: Any, tender: str, bidders: tuple[int, ...]) -> AwardChoice:
    """Check an official's submitted award of ``tender`` among ``bidders``.

    Raises:
        PlanError: Not a form, another tender than the one open, or a winner who did
            not bid.
    """
    if not isinstance(data, Mapping):
        raise PlanError("not_a_form")
    if data.get("tender") != tender:
        # The message names no tender: the page shows a tender by its name, not its id.
        raise PlanError("not_this_tender")
    winner = data.get("winner")
    if winner is not None and (
        isinstance(winner, bool) or not isinstance(winner, int) or winner not in bidders
    ):
        raise PlanError("not_a_bidder", winner=winner)
    return AwardChoice(tender, winner)
