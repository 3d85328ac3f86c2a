"""The seminar app's market view: who holds which contract, as Vega-Lite data.

Two ways to see one city's market:

* **each NGO** (:func:`detail_view`): purchasers in a row at the top of their district's
  column and NGOs below; a link from each funded slot to its provider (solid: the
  contract continues next year; dashed: ended, to be tendered), shaded by the tie
  between the purchaser's official and the NGO's head. Hovering shows an actor's
  state; clicking one inspects it (:func:`inspect`).
* **by district** (:func:`district_view`), for large markets: one mark per district's
  purchasers and per district and origin of NGOs, sized by their number; links carry
  the number of contracts and their mean tie. Clicking a district shows its NGOs.

Colours and names are those of :mod:`simcontract.plots.style` and the catalogue.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from simcontract import i18n
from simcontract.agents import NGO, Purchaser
from simcontract.appcontrols import show_number
from simcontract.model import ContractingModel
from simcontract.plots.style import EXITED_COLOUR, ORIGIN_COLOURS, PURCHASER_COLOURS

EXITED_SHOWN_YEARS = 3
"""Exited NGOs, when shown, stay on the view (grey) this many years after exit."""

MAX_LINKS = 60
"""Above this many links, or :data:`MAX_NGOS` NGOs, the view groups by district."""

MAX_NGOS = 150

NGO_ROW = 0.4
"""Height of the NGOs' axis label; purchasers sit at 1."""


@dataclass
class View:
    """The market view's datasets and what the page says about it.

    Attributes:
        mode: ``"detail"`` or ``"districts"``.
        datasets: Rows of ``links``, ``ngos`` and ``purchasers``.
        columns: District columns drawn (a district number each).
        counts: What the caption counts: active NGOs, purchasers, running contracts,
            slots to tender.
    """

    mode: str
    datasets: dict[str, list[dict[str, Any]]]
    columns: list[int]
    counts: dict[str, int] = field(default_factory=dict)


def shown_ngos(model: ContractingModel, city: int, hide_exited: bool) -> list[NGO]:
    """The city's active NGOs, and unless ``hide_exited`` those that left recently."""
    recent = model.year - EXITED_SHOWN_YEARS
    return [
        n
        for n in model.ngos
        if n.city == city
        and (n.alive or (not hide_exited and n.exit_year is not None and n.exit_year > recent))
    ]


def _slots(purchasers: list[Purchaser]) -> list[tuple[Purchaser, NGO | None, bool]]:
    """Each funded slot as (purchaser, provider or last provider, whether it runs on)."""
    out = []
    for pu in purchasers:
        for slot in pu.slots:
            contract = slot.contract
            ngo = contract.ngo if contract is not None else slot.last_provider
            out.append((pu, ngo, contract is not None))
    return out


def _tie(pu: Purchaser, ngo: NGO) -> float:
    return pu.cadre.tie(ngo) if pu.cadre is not None else 0.0


def _counts(ngos: list[NGO], purchasers: list[Purchaser], slots: list) -> dict[str, int]:
    return {
        "ngos": sum(n.alive for n in ngos),
        "purchasers": len(purchasers),
        "running": sum(running for _p, _n, running in slots),
        "gaps": sum(not running for _p, _n, running in slots),
    }


def too_big(model: ContractingModel, city: int = 0, hide_exited: bool = True) -> bool:
    """Whether the city's market is too large to draw each NGO and contract."""
    purchasers = model.city(city).purchasers
    links = sum(len(pu.slots) for pu in purchasers)
    return links > MAX_LINKS or len(shown_ngos(model, city, hide_exited)) > MAX_NGOS


# --------------------------------------------------------------------------- each NGO
def _grid(count: int, columns: int, aspect: float) -> tuple[int, int]:
    """Columns and rows of a grid for ``count`` markers per column, cells near square."""
    cols = min(max(count, 1), max(1, round(math.sqrt(max(count, 1) * aspect / columns))))
    return cols, math.ceil(max(count, 1) / cols)


def _ngo_row(ngo: NGO, x: float, y: float, lang: str) -> dict[str, Any]:
    status = i18n.text("app.active", lang) if ngo.alive else i18n.text("app.exited", lang)
    return {
        "kind": "ngo",
        "id": ngo.unique_id,
        "x": x,
        "y": y,
        "group": i18n.origin_name(ngo.origin, lang)
        if ngo.alive
        else i18n.text("app.exited_ngos", lang),
        "name": i18n.text("app.ngo_name", lang, id=ngo.unique_id),
        "status": status,
        "reserves": round(float(ngo.reserves)),
        "staff": int(ngo.staff),
        "contracts": len(ngo.contracts),
        "reputation": round(float(ngo.reputation), 2),
        "dependence": round(float(ngo.dependence), 2),
        "entered": int(ngo.entry_year),
    }


def _purchaser_row(pu: Purchaser, x: float, y: float, year: int, lang: str) -> dict[str, Any]:
    running = sum(s.contract is not None for s in pu.slots)
    return {
        "kind": "purchaser",
        "id": pu.unique_id,
        "x": x,
        "y": y,
        "group": i18n.purchaser_name(pu.kind, lang),
        "name": i18n.text("app.purchaser_name", lang, id=pu.unique_id),
        "sector": i18n.text(f"sectors.{pu.sector}", lang),
        "slots": len(pu.slots),
        "running": running,
        "official": pu.years_at_post(year) if pu.cadre is not None else 0,
        "mode": i18n.choice_label("tendering", pu.mode, lang),
    }


def detail_view(
    model: ContractingModel,
    city: int = 0,
    *,
    hide_exited: bool = True,
    district: int | None = None,
    lang: str = "en",
) -> View:
    """Each purchaser, NGO and funded slot of a city (or of one ``district``)."""
    purchasers = sorted(model.city(city).purchasers, key=lambda pu: pu.unique_id)
    ngos = shown_ngos(model, city, hide_exited)
    slots = _slots(purchasers)
    if district is not None:
        purchasers = [pu for pu in purchasers if pu.district == district]
        slots = [s for s in slots if s[0].district == district]
        served = {id(n) for _p, n, _r in slots if n is not None}
        ngos = [n for n in ngos if n.district == district or id(n) in served]
    columns = [district] if district is not None else list(range(model.p["districts_per_city"]))
    place = {d: k for k, d in enumerate(columns)}
    by_column: dict[int, list[NGO]] = defaultdict(list)
    for ngo in sorted(ngos, key=lambda n: n.unique_id):
        by_column[place.get(ngo.district, 0)].append(ngo)
    most = max((len(v) for v in by_column.values()), default=1)
    cols, rows = _grid(most, len(columns), aspect=2.2)
    npos: dict[int, tuple[float, float]] = {}
    ngo_rows = []
    for column, members in by_column.items():
        for k, ngo in enumerate(members):
            row, col = divmod(k, cols)
            x, y = column + (col + 0.5) / cols, 0.8 * (1.0 - (row + 0.5) / rows)
            npos[ngo.unique_id] = (x, y)
            ngo_rows.append(_ngo_row(ngo, x, y, lang))
    in_column: dict[int, list[Purchaser]] = defaultdict(list)
    for pu in purchasers:
        in_column[place.get(pu.district, 0)].append(pu)
    ppos: dict[int, tuple[float, float]] = {}
    purchaser_rows = []
    for column, members in in_column.items():
        stagger = len(members) * len(columns) > 24
        for k, pu in enumerate(members):
            x, y = column + (k + 0.5) / len(members), 1.0 - 0.07 * (k % 2) * stagger
            ppos[pu.unique_id] = (x, y)
            purchaser_rows.append(_purchaser_row(pu, x, y, model.year, lang))
    links = []
    for pu, ngo, running in slots:
        if ngo is not None and ngo.unique_id in npos:
            (x, y), (x2, y2) = ppos[pu.unique_id], npos[ngo.unique_id]
            links.append(
                {
                    "x": x,
                    "y": y,
                    "x2": x2,
                    "y2": y2,
                    "tie": round(_tie(pu, ngo), 3),
                    "ended": not running,
                    "purchaser": pu.unique_id,
                    "ngo": ngo.unique_id,
                }
            )
    datasets = {"links": links, "ngos": ngo_rows, "purchasers": purchaser_rows}
    return View("detail", datasets, columns, _counts(ngos, purchasers, slots))


# --------------------------------------------------------------------------- by district
def district_view(
    model: ContractingModel, city: int = 0, *, hide_exited: bool = True, lang: str = "en"
) -> View:
    """A city's market summed by district: purchasers, NGOs by origin, contracts."""
    districts = list(range(model.p["districts_per_city"]))
    purchasers = model.city(city).purchasers
    ngos = shown_ngos(model, city, hide_exited)
    slots = _slots(purchasers)
    origins = [*ORIGIN_COLOURS, "exited"]
    groups: dict[tuple[int, str], list[NGO]] = defaultdict(list)
    for ngo in ngos:
        groups[(ngo.district, ngo.origin if ngo.alive else "exited")].append(ngo)
    ngo_rows, gpos = [], {}
    for (district, origin), members in sorted(groups.items()):
        k = origins.index(origin) if origin in origins else len(origins) - 1
        x, y = district + (k + 0.5) / len(origins), 0.45 - 0.1 * (k % 2)
        gpos[(district, origin)] = (x, y)
        name = (
            i18n.origin_name(origin, lang)
            if origin != "exited"
            else i18n.text("app.exited_ngos", lang)
        )
        ngo_rows.append(
            {
                "kind": "district",
                "district": district,
                "x": x,
                "y": y,
                "group": name,
                "count": len(members),
                "contracts": sum(len(n.contracts) for n in members),
                "name": i18n.text("app.district", lang, n=district + 1),
            }
        )
    purchaser_rows = []
    for district in districts:
        here = [pu for pu in purchasers if pu.district == district]
        if here:
            purchaser_rows.append(
                {
                    "kind": "district",
                    "district": district,
                    "x": district + 0.5,
                    "y": 1.0,
                    "group": i18n.text("app.purchasers", lang),
                    "count": len(here),
                    "slots": sum(len(pu.slots) for pu in here),
                    "running": sum(s.contract is not None for pu in here for s in pu.slots),
                    "name": i18n.text("app.district", lang, n=district + 1),
                }
            )
    sums: dict[tuple[int, int, str], list[float]] = defaultdict(list)
    for pu, ngo, _running in slots:
        key = (ngo.district, ngo.origin if ngo.alive else "exited") if ngo is not None else None
        if key in gpos:
            sums[(pu.district, *key)].append(_tie(pu, ngo))
    links = []
    for (district, home, origin), ties in sums.items():
        x2, y2 = gpos[(home, origin)]
        links.append(
            {
                "x": district + 0.5,
                "y": 1.0,
                "x2": x2,
                "y2": y2,
                "count": len(ties),
                "tie": round(sum(ties) / len(ties), 3),
            }
        )
    datasets = {"links": links, "ngos": ngo_rows, "purchasers": purchaser_rows}
    return View("districts", datasets, districts, _counts(ngos, purchasers, slots))


# --------------------------------------------------------------------------- inspect
def _find(model: ContractingModel, kind: str, ident: int) -> Any:
    if kind == "ngo":
        return next((n for n in model.ngos if n.unique_id == ident), None)
    for city in model.cities:
        for pu in city.purchasers:
            if pu.unique_id == ident:
                return pu
    return None


def _say(lang: str, key: str, **values: Any) -> str:
    return i18n.text(f"app.{key}", lang, **values)


def _ngo_facts(ngo: NGO, lang: str) -> list[tuple[str, str]]:
    if ngo.alive:
        status = _say(lang, "active")
    else:
        reason = i18n.text(f"exit_reasons.{ngo.exit_reason}", lang)
        status = f"{_say(lang, 'exited_in', year=ngo.exit_year)} ({reason})"
    rows = [
        (_say(lang, "field_origin"), i18n.origin_name(ngo.origin, lang)),
        (_say(lang, "field_district"), _say(lang, "district", n=ngo.district + 1)),
        (_say(lang, "field_status"), status),
        (_say(lang, "field_entered"), str(ngo.entry_year)),
        (_say(lang, "field_reserves"), show_number(ngo.reserves, 0)),
        (_say(lang, "field_staff"), show_number(ngo.staff)),
        (_say(lang, "field_reputation"), show_number(ngo.reputation, 2)),
        (_say(lang, "field_dependence"), show_number(ngo.dependence, 2)),
    ]
    for c in ngo.contracts:
        pu = c.purchaser
        said = _say(
            lang, "contract_with", id=pu.unique_id, start=c.start, end=c.end, tie=_tie(pu, ngo)
        )
        rows.append((_say(lang, "field_contract"), said))
    return rows


def _purchaser_facts(pu: Purchaser, year: int, lang: str) -> list[tuple[str, str]]:
    rows = [
        (_say(lang, "field_kind"), i18n.purchaser_name(pu.kind, lang)),
        (_say(lang, "field_sector"), i18n.text(f"sectors.{pu.sector}", lang)),
        (_say(lang, "field_district"), _say(lang, "district", n=pu.district + 1)),
        (_say(lang, "field_mode"), i18n.choice_label("tendering", pu.mode, lang)),
        (_say(lang, "field_budget"), show_number(pu.budget, 0)),
        (_say(lang, "field_official"), _say(lang, "official_years", years=pu.years_at_post(year))),
    ]
    for slot in pu.slots:
        c = slot.contract
        if c is None:
            rows.append((_say(lang, "field_contract"), _say(lang, "slot_empty")))
            continue
        said = _say(
            lang, "contract_to", id=c.ngo.unique_id, start=c.start, end=c.end, tie=_tie(pu, c.ngo)
        )
        rows.append((_say(lang, "field_contract"), said))
    return rows


def inspect(model: ContractingModel, kind: str, ident: int, lang: str) -> list[tuple[str, str]]:
    """What the app shows of one NGO or purchaser: ``(label, value)`` rows (empty if it
    is not in the model)."""
    actor = _find(model, kind, ident)
    if actor is None:
        return []
    if kind == "ngo":
        return _ngo_facts(actor, lang)
    return _purchaser_facts(actor, model.year, lang)


def colours(lang: str) -> tuple[list[str], list[str]]:
    """Legend names and colours of NGO origins (and exited NGOs) and purchaser kinds."""
    names = [i18n.origin_name(o, lang) for o in ORIGIN_COLOURS]
    names += [i18n.text("app.exited_ngos", lang)]
    names += [i18n.purchaser_name(k, lang) for k in PURCHASER_COLOURS]
    return names, [*ORIGIN_COLOURS.values(), EXITED_COLOUR, *PURCHASER_COLOURS.values()]
