"""What each browser of a classroom session is shown, as JSON-ready dictionaries.

The market is read while its year thread waits (:func:`market_snapshot`, taken by the
session when a year stops for decisions or closes); the views then read only that
snapshot and the session's own state, so a browser never sees a half-run year. Texts
come from the language catalogue (``classroom.*``).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from simcontract import i18n

if TYPE_CHECKING:
    from simcontract.agents import NGO, Purchaser
    from simcontract.classroom.session import Seat, Session


def _say(key: str, lang: str, **values: Any) -> str:
    return i18n.text(f"classroom.{key}", lang, **values)


def _ngo(ngo: NGO, year: int) -> dict[str, Any]:
    contracts = [
        {
            "purchaser": c.slot.purchaser.unique_id,
            "price": c.price / 1e4,
            "start": c.start,
            "end": c.end,
            "promised": c.promised_hours / c.required_hours,
            "staff": c.staff,
            "score": None if c.score != c.score else round(c.score, 3),
            "duties": "refused" if c.refused_duties else "done",
        }
        for c in ngo.contracts
    ]
    return {
        "id": ngo.unique_id,
        "origin": ngo.origin,
        "district": ngo.district + 1,
        "citywide": ngo.multi_district,
        "sector": ngo.sector,
        "alive": ngo.alive,
        "exit_reason": ngo.exit_reason,
        "exit_year": ngo.exit_year,
        "reserves": ngo.reserves / 1e4,
        "revenue_gov": ngo.revenue_gov / 1e4,
        "revenue_other": ngo.revenue_other / 1e4,
        "dependence": ngo.dependence,
        "reputation": ngo.reputation,
        "staff": ngo.staff,
        "track_record": ngo.track_record,
        "contracts": contracts,
        "hours": {k: round(v) for k, v in ngo.hours.items()},
        "year": year,
    }


def _purchaser(pu: Purchaser) -> dict[str, Any]:
    cadre = pu.cadre
    ties = sorted((cadre.ties.items() if cadre else ()), key=lambda kv: -kv[1])[:6]
    return {
        "id": pu.unique_id,
        "kind": pu.kind,
        "district": pu.district + 1,
        "sector": pu.sector,
        "mode": pu.mode,
        "budget": pu.budget / 1e4,
        "slots": [
            {
                "provider": None if s.contract is None else s.contract.ngo.unique_id,
                "end": None if s.contract is None else s.contract.end,
                "score": round(s.last_score, 3),
            }
            for s in pu.slots
        ],
        "official_since": cadre.arrived if cadre else None,
        "ties": [{"ngo": k, "tie": round(v, 3)} for k, v in ties],
    }


def market_snapshot(session: Session) -> dict[str, Any]:
    """The market as the seats see it now (read while the year thread waits)."""
    model, city = session.model, session.city
    seats = list(session.seats.values())
    every = {n.unique_id: n for n in model.ngos}
    purchasers = {p.unique_id: p for p in city.purchasers}
    ties: dict[int, list[dict[str, Any]]] = {}
    for pu in city.purchasers:
        for uid, tie in pu.cadre.ties.items() if pu.cadre else ():
            ties.setdefault(uid, []).append({"purchaser": pu.unique_id, "tie": round(tie, 3)})
    ngos = {}
    for s in seats:
        if s.role == "ngo" and s.agent in every:
            ngos[s.agent] = _ngo(every[s.agent], model.year) | {"ties": ties.get(s.agent, [])}
    records = model.records
    last = records[-1] if records else None
    return {
        "year": model.year,
        "ngos": ngos,
        "officials": {
            s.agent: _purchaser(purchasers[s.agent]) for s in seats if s.role == "official"
        },
        "origins": {uid: n.origin for uid, n in every.items()},
        "purchasers": {
            uid: {"kind": p.kind, "district": p.district + 1, "sector": p.sector}
            for uid, p in purchasers.items()
        },
        "market": {
            "active": len(city.ngos),
            # The year the counts below are of: the last one closed (None: none yet).
            "year": last.year if last else None,
            # The year's own count: once it closes, the contracts that ended are gone.
            "slots": last.slots_funded if last else None,
            "served": last.slots_served if last else None,
            "tenders": last.tenders if last else 0,
            "failed": last.failed if last else 0,
            "history": [
                {
                    "year": r.year,
                    "active": r.active_ngos,
                    "providers": r.providers,
                    "tenders": r.tenders,
                    "failed": r.failed,
                }
                for r in records
            ],
        },
    }


def ngo_name(session: Session, uid: int | None, lang: str) -> str:
    """An NGO's name: its head's, for a student's NGO."""
    if uid is None:
        return "—"
    for s in session.seats.values():
        if s.role == "ngo" and s.agent == uid:
            return _say("ngo_seated", lang, name=s.name)
    origin = session.snapshot["origins"].get(uid, "general")
    return _say("ngo_simulated", lang, id=uid, origin=_say(f"origin.{origin}", lang))


def purchaser_name(session: Session, uid: int, lang: str) -> str:
    """A purchaser's name: kind, district and sector."""
    p = session.snapshot["purchasers"].get(uid)
    if p is None:
        return str(uid)
    sector = i18n.text(f"sectors.{p['sector']}", lang) if p["sector"] else ""
    kind = _say(f"kind.{p['kind']}", lang)
    return _say("purchaser", lang, kind=kind, district=p["district"], sector=sector)


def tender_name(session: Session, tender: str, lang: str) -> str:
    """A tender's name: its purchaser's and the slot's number."""
    purchaser, slot = tender.split("-")
    name = purchaser_name(session, int(purchaser), lang)
    return _say("tender", lang, purchaser=name, n=int(slot) + 1)


def _percent(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.0f}%"


def story(session: Session, seat: Seat, lang: str) -> list[str]:
    """What happened to the seat's NGO or official in the year last closed
    (:attr:`~simcontract.classroom.session.Session.closed_year`), in words."""
    lines = []
    for key, v in session.stories.get(seat.agent, []):
        values = dict(v)
        if not values.pop("acceptable", True) and key in ("bid_lost", "bid_failed"):
            key = f"{key}_unacceptable"
        if key == "quits" and not values["n"]:
            key = "quits_none"
        if key.startswith(("awarded", "no_award")) and values["bids"] == 1:
            key = f"{key}_one"
        if "tender" in values:
            values["tender"] = tender_name(session, values["tender"], lang)
        for k in ("winner",):
            if k in values:
                values[k] = ngo_name(session, values[k], lang)
        for k in ("price", "promise"):
            if k in values:
                values[k] = _percent(values[k])
        for k in ("score", "winner_score", "tie", "quality"):
            if k in values and values[k] is not None:
                values[k] = "—" if values[k] != values[k] else f"{values[k]:.2f}"
        for k in ("before", "after", "gov", "other"):
            if k in values:
                values[k] = f"{values[k]:,.1f}"
        if "reason" in values:
            values["reason"] = i18n.text(f"exit_reasons.{values['reason']}", lang)
        if "purchaser" in values:
            values["purchaser"] = purchaser_name(session, values["purchaser"], lang)
        lines.append(_say(f"story.{key}", lang, **values))
    return lines


def _clock(session: Session) -> dict[str, Any]:
    if session.paused_left is not None:
        return {"paused": True, "left": max(0.0, session.paused_left)}
    if session.deadline is None:
        return {"paused": False, "left": None}
    return {"paused": False, "left": max(0.0, session.deadline - time.monotonic())}


def student_view(session: Session, seat: Seat, lang: str) -> dict[str, Any]:
    """Everything a student's browser shows."""
    snap = session.snapshot
    out: dict[str, Any] = {
        "version": session.version,
        "phase": session.phase,
        "year": max(1, snap["year"]),
        "years": session.years,
        "clock": _clock(session),
        "seat": {"name": seat.name, "role": seat.role, "from_year": seat.from_year},
        "story": story(session, seat, lang),
        "story_year": session.closed_year,
        "error": bool(session.error),
    }
    if seat.role == "ngo":
        org = snap["ngos"].get(seat.agent)
        out["organisation"] = _organisation(session, org, lang) if org else None
        out["form"] = _form(session, seat, lang)
    else:
        out["post"] = _post(session, seat, lang)
        out["pending"] = _pending_view(session, seat, lang)
    return out


def _organisation(session: Session, org: dict[str, Any], lang: str) -> dict[str, Any]:
    org = dict(org)
    org["title"] = ngo_name(session, org["id"], lang)
    org["origin_name"] = _say(f"origin.{org['origin']}", lang)
    org["place"] = (
        _say("citywide", lang) if org["citywide"] else _say("district", lang, n=org["district"])
    )
    org["sector_name"] = i18n.text(f"sectors.{org['sector']}", lang) if org["sector"] else ""
    org["contracts"] = [
        c | {"purchaser_name": purchaser_name(session, c["purchaser"], lang)}
        for c in org["contracts"]
    ]
    org["ties"] = [
        t | {"purchaser_name": purchaser_name(session, t["purchaser"], lang)} for t in org["ties"]
    ]
    # Its money is of the last year settled, which is closed: named by its number, as
    # during that year's results "last year" would be the year before.
    # A closed organisation's money is of the year it closed.
    org["money_year"] = session.closed_year if org["alive"] else org["exit_year"]
    if org["exit_reason"]:
        org["exit_name"] = i18n.text(f"exit_reasons.{org['exit_reason']}", lang)
    return org


def _form(session: Session, seat: Seat, lang: str) -> dict[str, Any] | None:
    """The planning form: options, limits and starting values (``None`` outside it)."""
    limits = session.limits.get(seat.agent)
    if session.phase != "planning" or limits is None:
        return None
    start = seat.plan.as_dict() if seat.plan is not None else session.defaults[seat.agent]
    if not limits.tenders:  # no room for a new contract, or no open tender it serves
        notes = [_say("no_tenders" if limits.most_bids else "no_room", lang)]
    else:  # the model draws its own tenders later in the year: none is ticked at first
        notes = [_say("most_bids", lang, most=limits.most_bids), _say("none_ticked", lang)]
    return {
        "tenders": [{"id": t, "name": tender_name(session, t, lang)} for t in limits.tenders],
        "officials": [
            {"id": o, "name": purchaser_name(session, o, lang)} for o in limits.officials
        ],
        "lowest_price": limits.lowest_price,
        "highest_promise": limits.highest_promise,
        "most_bids": limits.most_bids,
        "notes": notes,
        "values": start,
        "submitted": seat.plan is not None,
        "year": session.model.year,
    }


def _post(session: Session, seat: Seat, lang: str) -> dict[str, Any] | None:
    post = session.snapshot["officials"].get(seat.agent)
    if post is None:
        return None
    post = dict(post)
    post["title"] = purchaser_name(session, post["id"], lang)
    post["mode_name"] = i18n.choice_label("tendering", post["mode"], lang)
    post["slots"] = [
        s | {"provider_name": ngo_name(session, s["provider"], lang) if s["provider"] else ""}
        for s in post["slots"]
    ]
    post["ties"] = [t | {"ngo_name": ngo_name(session, t["ngo"], lang)} for t in post["ties"]]
    return post


def _pending_view(session: Session, seat: Seat, lang: str) -> dict[str, Any] | None:
    pending = session.pending
    if session.phase != "awarding" or pending is None or pending.purchaser != seat.agent:
        return None
    return {
        "tender": pending.tender,
        "name": tender_name(session, pending.tender, lang),
        "proposed": pending.proposed,
        "submitted": seat.award is not None,
        "bids": [b | {"name": ngo_name(session, b["ngo"], lang)} for b in pending.bids],
    }


def presence(session: Session, now: float | None = None) -> str:
    """The numbers of the seats present at ``now`` (default: this moment), joined by dots.

    The teacher's page sends back the one it drew: a student who comes or goes changes no
    version of the session, yet the seat table must be drawn anew.
    """
    now = time.monotonic() if now is None else now
    return ".".join(str(s.number) for s in session.seats.values() if s.present(now))


def teacher_view(session: Session, lang: str) -> dict[str, Any]:
    """Everything the teacher's dashboard shows."""
    now = time.monotonic()
    snap = session.snapshot
    seats = sorted(session.seats.values(), key=lambda s: s.number)
    waiting = None
    if session.phase == "awarding" and session.pending is not None:
        waiting = purchaser_name(session, session.pending.purchaser, lang)
    return {
        "version": session.version,
        "presence": presence(session, now),
        "phase": session.phase,
        "step": session.step,
        "year": max(1, snap["year"]),
        "years": session.years,
        "code": session.code,
        "clock": _clock(session),
        "timers": session.timers,
        "waiting_for": waiting,
        "error": session.error,
        "market": snap["market"],
        "seats": [
            {
                "number": s.number,
                "name": s.name,
                "role": s.role,
                "present": s.present(now),
                # An official has decided when the student awarded every tender of the
                # year so far; ``awards`` counts them (the model made the others).
                "decided": (s.plan is not None)
                if s.role == "ngo"
                else (0 < s.awaited == s.awarded),
                "awards": None if s.role == "ngo" else {"made": s.awarded, "awaited": s.awaited},
                "agent": (
                    ngo_name(session, s.agent, lang)
                    if s.role == "ngo"
                    else purchaser_name(session, s.agent, lang)
                ),
                "rejoin": s.rejoin,
                "alive": snap["ngos"].get(s.agent, {}).get("alive", True)
                if s.role == "ngo"
                else True,
            }
            for s in seats
        ],
    }
