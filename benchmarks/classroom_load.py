"""A classroom session under load: simulated students on loopback, as a class would use it.

Usage: ``python benchmarks/classroom_load.py [--clients 40] [--years 2] [--think 0.5,4]``.
Serves a ``baseline`` session in this process (uvicorn, loopback) and starts
``--clients`` students, each a thread with its own HTTP connection that joins, asks for
news once a second (as the page does), plans each year after a random thinking time
(seconds, uniform in ``--think``) and awards its tenders when it plays an official. A
teacher thread starts each year once the last one's results are in. Prints, per year:
the time to plan (start of planning to the last plan in), the time to close the year
(last plan in to results shown, which includes the officials' awards) and the latency
of the news requests (median, 95th percentile) over the whole session.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import socket
import statistics
import threading
import time

import uvicorn

from simcontract.classroom.server import make_app
from simcontract.classroom.session import Session


class Client:
    """One browser: a kept-alive HTTP connection with the seat's cookie."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = ""
        self.latencies: list[float] = []

    def call(self, path: str, body: object = None) -> tuple[int, dict]:
        """GET (or POST ``body`` as JSON) and read the JSON answer."""
        headers = {"cookie": self.cookie} if self.cookie else {}
        if body is not None:
            headers["content-type"] = "application/json"
        start = time.perf_counter()
        data = None if body is None else json.dumps(body)
        self.conn.request("GET" if body is None else "POST", path, data, headers)
        response = self.conn.getresponse()
        payload = response.read()
        self.latencies.append(time.perf_counter() - start)
        cookie = response.getheader("set-cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response.status, json.loads(payload or b"{}")


def student(port: int, code: str, number: int, think: tuple[float, float], out: dict) -> None:
    """Join, then plan each year and award each pending tender, until the end."""
    rng = random.Random(number)
    me = Client(port)
    status, _ = me.call("/api/join", {"code": code, "name": f"student {number}"})
    assert status == 200
    planned, version = set(), ""
    while True:
        status, view = me.call(f"/api/me?since={version}")
        if not view.get("same"):
            version = str(view["version"])
            if view["phase"] == "ended":
                break
            form = view.get("form")
            if form and view["year"] not in planned and not form["submitted"]:
                time.sleep(rng.uniform(*think))
                values = dict(form["values"])
                values["bids"] = [t["id"] for t in form["tenders"]][: form["most_bids"]]
                values["price"] = round(rng.uniform(form["lowest_price"], 1.0), 3)
                if me.call("/api/plan", values)[0] == 200:
                    planned.add(view["year"])
                    out["last_plan"][view["year"]] = time.monotonic()
            pending = view.get("pending")
            if pending and not pending["submitted"]:
                winner = rng.choice([b["ngo"] for b in pending["bids"]])
                me.call("/api/award", {"tender": pending["tender"], "winner": winner})
        time.sleep(1.0)
    out["latencies"].extend(me.latencies)


def teacher(session: Session, out: dict) -> None:
    """Start each year once the last one's results are in; note the phases' times."""
    for year in range(1, session.years + 1):
        session.start()
        session.wait_for(("planning",), 120)
        out["planning"][year] = time.monotonic()
        session.wait_for(("results", "ended"), 600)
        out["closed"][year] = time.monotonic()


def bound_socket() -> socket.socket:
    """A socket bound to a free port of loopback, for the server to listen on (bound
    here, so that no other socket takes the port before the server serves on it)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=40)
    parser.add_argument("--years", type=int, default=2)
    parser.add_argument("--think", default="0.5,4", help="thinking time range, seconds")
    args = parser.parse_args()
    think = tuple(float(x) for x in args.think.split(","))
    session = Session("baseline", seed=1, years=args.years, plan_seconds=0, award_seconds=0)
    sock = bound_socket()
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(make_app(session, ""), log_level="error"))
    serving = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    serving.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if not serving.is_alive() or time.monotonic() > deadline:
            raise SystemExit(f"the classroom server did not start on port {port}")
        time.sleep(0.05)
    out = {"planning": {}, "closed": {}, "last_plan": {}, "latencies": []}
    students = [
        threading.Thread(target=student, args=(port, session.code, i + 1, think, out))
        for i in range(args.clients)
    ]
    for t in students:
        t.start()
    while len(session.seats) < args.clients:
        time.sleep(0.05)
    teacher(session, out)
    for t in students:
        t.join(timeout=30)
    server.should_exit = True
    roles = [s.role for s in session.seats.values()]
    print(
        f"{args.clients} clients on loopback ({roles.count('ngo')} NGO heads, "
        f"{roles.count('official')} officials), {args.years} years, think {args.think} s"
    )
    print("year  time to plan (s)  time to close the year (s)")
    for year in range(1, args.years + 1):
        last = out["last_plan"].get(year, out["planning"][year])
        print(
            f"{year:>4}  {last - out['planning'][year]:>16.1f}  {out['closed'][year] - last:>26.1f}"
        )
    lat = sorted(out["latencies"])
    p95 = lat[int(0.95 * (len(lat) - 1))]
    print(
        f"news requests: {len(lat)}, latency median {1e3 * statistics.median(lat):.1f} ms, "
        f"95th percentile {1e3 * p95:.1f} ms"
    )


if __name__ == "__main__":
    main()
