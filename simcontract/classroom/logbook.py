"""The session's log: every decision and every year's outcome, on disk, replayable.

A session folder holds:

- ``session.json``: the scenario (all values), the seed, the years and the seats (who
  played which NGO or official);
- ``decisions.parquet``: one row per decision a seat had to make: ``year``, ``seat``
  (join number), ``name``, ``role``, ``agent`` (NGO or purchaser id), ``kind``
  (``plan`` or ``award``), ``tender`` (for an award), ``source`` (``student``, or
  ``model`` when the model decided for an absent or late seat, or when the teacher
  moved on) and ``value`` (the decision as JSON: a student's plan as
  :meth:`~simcontract.classroom.plans.NGOPlan.as_dict` gives it; an award's ``tender``
  and ``winner``, the NGO awarded, the model's choice included, ``null`` for none; a
  plan the model made is ``{}``, its choices being drawn through the year as for a
  simulated NGO);
- ``ngos.parquet``: one row per NGO and year: ``year``, ``ngo``, ``seat`` (0 for a
  simulated NGO), ``origin``, ``alive``, ``exit_reason``, ``reserves``,
  ``revenue_gov``, ``revenue_other``, ``dependence``, ``reputation``, ``staff``,
  ``quits`` (workers who left it at the end of the year), ``contracts``, ``won``
  (contracts it won this year, those that ended or were terminated within the year
  included), ``bids`` (bids it made this year), ``price`` and
  ``promise`` (their mean price and promised hours, as shares of the ceiling price and
  of the required hours; empty without bids), ``advocacy`` (share of its own hours), ``cultivation``
  (hours courting an official) and ``documentation`` and ``extra`` (hours);
- ``series.parquet``: the market's outcomes per year (as ``model.series()``).

A run is a pure function of the scenario, the seed, the seats and the decisions, so
:func:`replay` runs a session again from its folder and gives the same tables. What is
wrong with a damaged log is said in the language in use (``errors.classroom_log.*`` of
the catalogue).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd

from simcontract import i18n
from simcontract.classroom.plans import AwardChoice, Limits, NGOPlan
from simcontract.classroom.players import Pending, Players
from simcontract.experiment.atomic import write_atomic, write_text
from simcontract.model import ContractingModel
from simcontract.params import error_text, listed
from simcontract.scenario import Scenario

SESSION_FILE = "session.json"
"""The file naming a session's scenario, seed, years and seats."""

LOG_FILES = (SESSION_FILE, "decisions.parquet", "ngos.parquet", "series.parquet")
"""The files of a session's log."""


def holds_log(folder: Path) -> bool:
    """Whether ``folder`` holds a session's log (any file of it), which a new session
    there would overwrite."""
    return any((folder / name).exists() for name in LOG_FILES)


@dataclass
class Logbook:
    """The rows of a session's log, kept as they happen.

    Attributes:
        decisions: Rows of ``decisions.parquet``.
        ngos: Rows of ``ngos.parquet``.
    """

    decisions: list[dict[str, Any]] = field(default_factory=list)
    ngos: list[dict[str, Any]] = field(default_factory=list)

    def decision(self, year: int, seat: Any, kind: str, value: Any, source: str) -> None:
        """Log one decision of ``seat`` (a :class:`~simcontract.classroom.session.Seat`)."""
        self.decisions.append(
            {
                "year": year,
                "seat": seat.number,
                "name": seat.name,
                "role": seat.role,
                "agent": seat.agent,
                "kind": kind,
                "tender": value.get("tender", "") if isinstance(value, dict) else "",
                "source": source,
                "value": json.dumps(value, sort_keys=True),
            }
        )

    def year_closed(self, model: ContractingModel, seats: dict[int, int], players: Players) -> None:
        """Log every NGO's state at the close of the year.

        Args:
            model: The model after the year's step.
            seats: Seat number of each seated NGO, by NGO id.
            players: The seats' record of the year: each NGO's workers during the year
                (to count those who quit at its end), its bids and the contracts it won
                (those that ended or were terminated within the year included).
        """
        staffed = players.staffed
        year = model.year
        for ngo in model.ngos:
            if ngo.exit_year is not None and ngo.exit_year < year:
                continue
            bids, price, promise = players.bids.get(ngo.unique_id, (0, 0.0, 0.0))
            self.ngos.append(
                {
                    "year": year,
                    "ngo": ngo.unique_id,
                    "seat": seats.get(ngo.unique_id, 0),
                    "origin": ngo.origin,
                    "alive": ngo.alive,
                    "exit_reason": ngo.exit_reason,
                    "reserves": float(ngo.reserves),
                    "revenue_gov": float(ngo.revenue_gov),
                    "revenue_other": float(ngo.revenue_other),
                    "dependence": float(ngo.dependence),
                    "reputation": float(ngo.reputation),
                    "staff": ngo.staff,
                    "quits": max(0, staffed.get(ngo.unique_id, 0) - ngo.staff) if ngo.alive else 0,
                    "contracts": len(ngo.contracts),
                    "won": players.won.get(ngo.unique_id, 0),
                    "bids": int(bids),
                    "price": price / bids if bids else float("nan"),
                    "promise": promise / bids if bids else float("nan"),
                    "advocacy": float(ngo.advocacy),
                    "cultivation": float(ngo.hours["cultivation"]),
                    "documentation": float(ngo.hours["documentation"]),
                    "extra": float(ngo.hours["extra"]),
                }
            )

    def save(self, folder: Path, meta: dict[str, Any], model: ContractingModel) -> None:
        """Write the log to ``folder`` (each file whole, or not at all)."""
        folder.mkdir(parents=True, exist_ok=True)
        write_text(folder / SESSION_FILE, json.dumps(meta, indent=2, ensure_ascii=False))
        for name, rows in (("decisions", self.decisions), ("ngos", self.ngos)):
            frame = pd.DataFrame(rows, columns=_columns(name))
            write_atomic(folder / f"{name}.parquet", lambda tmp, f=frame: f.to_parquet(tmp))
        series = model.series()
        write_atomic(folder / "series.parquet", lambda tmp: series.to_parquet(tmp, index=False))


def _columns(name: str) -> list[str]:
    if name == "decisions":
        return ["year", "seat", "name", "role", "agent", "kind", "tender", "source", "value"]
    return [
        "year", "ngo", "seat", "origin", "alive", "exit_reason", "reserves", "revenue_gov",
        "revenue_other", "dependence", "reputation", "staff", "quits", "contracts", "won",
        "bids", "price", "promise", "advocacy", "cultivation", "documentation", "extra",
    ]  # fmt: skip


_META_KEYS = ("scenario", "seed", "seats")


_said = partial(error_text, "classroom_log")


def _damaged(path: Path, key: str, **values: Any) -> ValueError:
    """``path`` is damaged: what ``classroom_log.<key>`` says is wrong with it."""
    return ValueError(_said("damaged", path=path, problem=_said(key, **values)))


def _unreadable(path: Path, err: OSError) -> OSError:
    """``path`` cannot be read, and the system's reason."""
    return OSError(_said("unreadable", path=path, reason=i18n.os_reason(err)))


def read_log(folder: str | Path) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame]:
    """A session folder's ``session.json``, decisions and NGO-years.

    Raises:
        FileNotFoundError: The folder holds no session log, or a file of it is missing.
        ValueError: A file of the log is damaged (each message names the file).
    """
    folder = Path(folder)
    if not (folder / SESSION_FILE).is_file():
        raise FileNotFoundError(_said("no_session", folder=folder, file=SESSION_FILE))
    held = folder / SESSION_FILE
    try:
        meta = json.loads(held.read_text(encoding="utf-8"))
    except OSError as err:
        raise _unreadable(held, err) from None
    except ValueError as err:
        raise _damaged(held, "not_json", reason=i18n.json_reason(err)) from None
    if not isinstance(meta, dict):
        raise ValueError(_said("not_object", path=held, kind=_json_kind(meta)))
    lacking = [key for key in _META_KEYS if key not in meta]
    if lacking:
        raise _damaged(held, "lacks", keys=listed(lacking))
    problem = _meta_problem(meta)
    if problem:
        raise ValueError(_said("damaged", path=held, problem=problem))
    return meta, _read_table(folder, "decisions"), _read_table(folder, "ngos")


_SEAT_KEYS = {"number": int, "role": str, "agent": int, "from_year": int}
"""What each seat of ``session.json`` holds, and of which JSON kind."""


def _meta_problem(meta: dict[str, Any]) -> str | None:
    """What is wrong with the values of a session's ``session.json``, or ``None``."""
    from simcontract.scenario import ScenarioError

    if not isinstance(meta["scenario"], dict):
        return _said("scenario_kind", kind=_json_kind(meta["scenario"]))
    try:
        Scenario.from_dict(meta["scenario"])
    except ScenarioError as err:
        return _said("scenario_error", reason=err)
    seed = meta["seed"]
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        return _said("bad_seed", seed=repr(seed))
    seats = meta["seats"]
    if not isinstance(seats, list):
        return _said("seats_kind", kind=_json_kind(seats))
    for i, seat in enumerate(seats):
        wrong = not isinstance(seat, dict) or any(
            not isinstance(seat.get(key), kind) or isinstance(seat.get(key), bool)
            for key, kind in _SEAT_KEYS.items()
        )
        if wrong or seat["role"] not in ("ngo", "official"):
            return _said("bad_seat", n=i + 1)
    return None


def _json_kind(value: Any) -> str:
    """What JSON calls ``value``'s kind (in English with its article)."""
    kinds = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}
    return _said(f"kind_{kinds.get(type(value), 'number')}")


def _read_table(folder: Path, name: str) -> pd.DataFrame:
    """``folder``'s ``<name>.parquet``, with the columns the log writes.

    Raises:
        FileNotFoundError: It is missing.
        ValueError: It is damaged.
    """
    path = folder / f"{name}.parquet"
    if not path.is_file():
        raise FileNotFoundError(
            _said("table_not_file" if path.exists() else "table_missing", path=path)
        )
    try:
        frame = pd.read_parquet(path)
    except OSError as err:
        raise _unreadable(path, err) from None
    except Exception as err:  # pyarrow's errors on a file that is not Parquet
        why = _one_line(err)
        if why.startswith("Could not open Parquet input source") and "': " in why:
            why = why.split("': ", 1)[1]  # the path is named already
        raise _damaged(path, "not_parquet", reason=why) from None
    lacking = [c for c in _columns(name) if c not in frame.columns]
    if lacking:
        raise _damaged(path, "lacks_columns", columns=listed(lacking))
    return frame


def _one_line(err: BaseException) -> str:
    """``err``'s message on one line."""
    return " ".join(str(err).split()) or type(err).__name__


class _LoggedDesk:
    """A desk that hands back the decisions of a logged session."""

    def __init__(self, decisions: pd.DataFrame) -> None:
        mine = decisions[decisions["source"] == "student"]
        self.plans: dict[int, dict[int, NGOPlan]] = {}
        self.awards: dict[tuple[int, str], AwardChoice] = {}
        for row in mine.itertuples(index=False):
            value = json.loads(row.value)
            if row.kind == "plan":
                value["bids"] = tuple(value["bids"])
                self.plans.setdefault(int(row.year), {})[int(row.agent)] = NGOPlan(**value)
            else:
                self.awards[(int(row.year), row.tender)] = AwardChoice(
                    value["tender"], value["winner"]
                )

    def collect_plans(self, year: int, limits: dict[int, Limits]) -> dict[int, NGOPlan]:
        return {k: v for k, v in self.plans.get(year, {}).items() if k in limits}

    def collect_award(self, year: int, pending: Pending) -> AwardChoice | None:
        return self.awards.get((year, pending.tender))


def build_model(meta: dict[str, Any], desk: Any) -> tuple[ContractingModel, Players]:
    """The session's model with its seats, deciding through ``desk``."""
    scenario = Scenario.from_dict(meta["scenario"])
    model = ContractingModel(scenario, rng=meta["seed"])
    players = Players(desk)
    model.cities[0].players = players
    return model, players


def seat_numbers(seats: list[dict[str, Any]], year: int) -> dict[int, int]:
    """The seat number of each NGO a person heads in ``year``, by NGO id."""
    return {s["agent"]: s["number"] for s in seats if s["role"] == "ngo" and s["from_year"] <= year}


def seat_players(players: Players, seats: list[dict[str, Any]], year: int) -> None:
    """Give ``players`` the seats taken by ``year`` (a seat counts from the year after it
    was taken while a year ran, so the log replays alike)."""
    for seat in seats:
        if seat["from_year"] <= year:
            (players.ngos if seat["role"] == "ngo" else players.officials).add(seat["agent"])


def replay(folder: str | Path) -> pd.DataFrame:
    """Run a logged session again with its seats and decisions.

    Returns:
        The replayed NGO-years, as ``ngos.parquet`` holds them (equal to the logged
        table when the log is whole and the model unchanged).
    """
    meta, decisions, logged = read_log(folder)
    model, players = build_model(meta, _LoggedDesk(decisions))
    book = Logbook()
    years = int(logged["year"].max()) if len(logged) else 0
    while model.year < years:
        seat_players(players, meta["seats"], model.year + 1)
        model.step()
        book.year_closed(model, seat_numbers(meta["seats"], model.year), players)
    return pd.DataFrame(book.ngos, columns=_columns("ngos"))
