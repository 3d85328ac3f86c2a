"""The classroom market: students play NGO heads and officials in one shared market.

``simcontract classroom`` serves a :class:`~simcontract.classroom.session.Session` to
the students' browsers (:mod:`~simcontract.classroom.server`). The modules:
:mod:`~simcontract.classroom.plans` (what a student decides, checked),
:mod:`~simcontract.classroom.players` (where the model hands decisions to people),
:mod:`~simcontract.classroom.session` (seats, the year's stops, the teacher's controls),
:mod:`~simcontract.classroom.views` (what each browser is shown),
:mod:`~simcontract.classroom.logbook` (the session's Parquet log and its replay) and
:mod:`~simcontract.classroom.debrief` (students' against simulated NGOs). The teacher's
guide is ``docs/CLASSROOM.md``.
"""

from simcontract.classroom.logbook import read_log, replay
from simcontract.classroom.session import Session

__all__ = ["Session", "read_log", "replay"]
