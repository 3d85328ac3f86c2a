"""The classroom session's web server: the teacher's dashboard and the students' pages.

One process holds the session (:class:`~simcontract.classroom.session.Session`); every
browser asks it for news about once a second over plain HTTP (``/api/me``,
``/api/teacher``) and sends decisions as JSON. A student's seat is a cookie holding a
secret token, so a reload or a dropped connection returns the student to the seat.
The teacher's page needs the teacher's key (printed when the session starts). Requests
from outside the local network (any address that is not loopback, private or
link-local) are refused, and the pages load nothing from elsewhere: scripts, styles,
the QR code and the debrief charts are all served by this process. A page speaks the
language it asks for (its language menu), else the session's, else its browser's.
"""

from __future__ import annotations

import html
import io
import ipaddress
import json
import socket
from importlib import resources
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from simcontract import i18n
from simcontract.classroom import debrief
from simcontract.classroom.plans import PlanError, Refusal
from simcontract.classroom.session import Refused, Seat, Session
from simcontract.classroom.views import presence, student_view, teacher_view

SEAT_COOKIE = "simcontract_seat"
"""Cookie holding a student's seat token."""

TEACHER_COOKIE = "simcontract_teacher"
"""Cookie holding the teacher's key."""

MAX_BODY = 16_384
"""Largest request body taken (bytes)."""

_PAGES = ("join.html", "play.html", "teacher.html", "classroom.js", "classroom.css")


def _static(name: str) -> str:
    return resources.files("simcontract.classroom").joinpath("static", name).read_text("utf-8")


def local_client(host: str | None) -> bool:
    """Whether a client address belongs to this machine or the local network."""
    if not host:
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host in ("testclient", "localhost")
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return address.is_loopback or address.is_private or address.is_link_local


def lan_address() -> str:
    """This machine's address on the local network, as others reach it (or 127.0.0.1).

    Opens a UDP socket towards a private address to learn the outgoing interface; no
    packet is sent.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("10.255.255.255", 1))
            return probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def _lang(request: Request, session_lang: str | None = None) -> str:
    """The language of a page: the one it asks for (``?lang=``, the page's language
    menu), else the session's (the command's ``--lang``), else the browser's."""
    asked = request.query_params.get("lang") or session_lang or ""
    try:
        return (
            i18n.resolve(asked)
            if asked
            else i18n.from_accept_language(request.headers.get("accept-language", ""))
        )
    except ValueError:
        return i18n.DEFAULT_LANGUAGE


def _error(key: str, lang: str, status: int = 400, **values: Any) -> JSONResponse:
    message = Refusal(key, **values).message(lang)
    return JSONResponse({"error": message, "key": key}, status_code=status)


def _refused_page(key: str, lang: str) -> HTMLResponse:
    """A page refused (403) that says only why, in ``lang``."""
    said = html.escape(i18n.text(f"classroom.errors.{key}", lang))
    page = (
        f'<!doctype html><html lang="{i18n.html_lang(lang)}"><head><meta charset="utf-8">'
        f"<title>{said}</title></head><body><p>{said}</p></body></html>"
    )
    return HTMLResponse(page, status_code=403)


async def _body(request: Request) -> Any:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise PlanError("too_long")
    try:
        return json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError):
        raise PlanError("not_a_form") from None


class _Pages:
    """The server's answers to each address, for one session."""

    def __init__(self, session: Session, join_url: str) -> None:
        self.session = session
        self.join_url = join_url

    def seat_of(self, request: Request) -> Seat | None:
        return self.session.seat(request.cookies.get(SEAT_COOKIE))

    def is_teacher(self, request: Request) -> bool:
        return request.cookies.get(TEACHER_COOKIE) == self.session.teacher_key

    def lang(self, request: Request) -> str:
        return _lang(request, self.session.lang)

    async def page(self, request: Request) -> Response:
        name = request.path_params.get("name", "join.html")
        if name not in _PAGES:
            return Response(status_code=404)
        kind = {"js": "text/javascript", "css": "text/css"}.get(name.rsplit(".", 1)[1])
        return Response(_static(name), media_type=kind or "text/html")

    async def font(self, request: Request) -> Response:
        """The Chinese web font of the seminar app, for devices without a CJK font."""
        from starlette.concurrency import run_in_threadpool

        from simcontract import appfont

        css = await run_in_threadpool(appfont.font_face)
        return Response(css, media_type="text/css", headers={"cache-control": "max-age=86400"})

    async def join_page(self, request: Request) -> Response:
        if self.seat_of(request) is not None:
            return RedirectResponse("/play", status_code=303)
        return HTMLResponse(_static("join.html"))

    async def play_page(self, request: Request) -> Response:
        if self.seat_of(request) is None:
            return RedirectResponse("/", status_code=303)
        return HTMLResponse(_static("play.html"))

    async def teacher_page(self, request: Request) -> Response:
        key = request.query_params.get("key")
        if key is not None:
            if key != self.session.teacher_key:
                return _refused_page("teacher_key", self.lang(request))
            response = RedirectResponse("/teacher", status_code=303)
            response.set_cookie(TEACHER_COOKIE, key, httponly=True, samesite="strict")
            return response
        if not self.is_teacher(request):
            return _refused_page("teacher_key", self.lang(request))
        return HTMLResponse(_static("teacher.html"))

    async def texts(self, request: Request) -> Response:
        lang = self.lang(request)
        return JSONResponse(
            {
                "lang": lang,
                "languages": i18n.LANGUAGES,
                "texts": i18n.catalogue(lang).get("classroom", {}),
                "fallback": i18n.catalogue(i18n.DEFAULT_LANGUAGE).get("classroom", {}),
                "join_url": self.join_url,
            }
        )

    async def join(self, request: Request) -> Response:
        lang = self.lang(request)
        try:
            data = await _body(request)
            if not isinstance(data, dict):
                raise PlanError("not_a_form")
            seat = self.session.join(data.get("code", ""), data.get("name", ""))
        except (Refused, PlanError) as refused:
            return _error(refused.key, lang, **refused.values)
        response = JSONResponse({"ok": True, "role": seat.role})
        response.set_cookie(
            SEAT_COOKIE, seat.token, httponly=True, samesite="strict", max_age=12 * 3600
        )
        return response

    async def me(self, request: Request) -> Response:
        lang = self.lang(request)
        seat = self.seat_of(request)
        if seat is None:
            return _error("no_seat", lang, status=401)
        with self.session.lock:
            if request.query_params.get("since") == str(self.session.version):
                return JSONResponse({"same": True, "version": self.session.version})
            return JSONResponse(student_view(self.session, seat, lang))

    async def decide(self, request: Request) -> Response:
        lang = self.lang(request)
        seat = self.seat_of(request)
        if seat is None:
            return _error("no_seat", lang, status=401)
        what = request.path_params["what"]
        # The browser's own token, not the seat's: while the body arrives, a rejoin
        # may give the seat a new one, which this browser no longer holds.
        token = request.cookies.get(SEAT_COOKIE, "")
        try:
            data = await _body(request)
            if what == "plan":
                self.session.submit_plan(token, data)
            elif what == "award":
                self.session.submit_award(token, data)
            elif what == "reseat":
                self.session.reseat(token)
            else:
                return Response(status_code=404)
        except (Refused, PlanError) as refused:
            return _error(refused.key, lang, **refused.values)
        return JSONResponse({"ok": True})

    async def teacher(self, request: Request) -> Response:
        lang = self.lang(request)
        if not self.is_teacher(request):
            return _error("not_teacher", lang, status=403)
        drawn = (request.query_params.get("since"), request.query_params.get("presence"))
        with self.session.lock:
            if drawn == (str(self.session.version), presence(self.session)):
                return JSONResponse({"same": True, "version": self.session.version})
            return JSONResponse(teacher_view(self.session, lang))

    async def control(self, request: Request) -> Response:
        lang = self.lang(request)
        if not self.is_teacher(request):
            return _error("not_teacher", lang, status=403)
        action = request.path_params["action"]
        try:
            data = await _body(request)
            _act(self.session, action, data)
        except (Refused, PlanError) as refused:
            status = 409 if refused.key == "moved_on" else 400
            return _error(refused.key, lang, status, **refused.values)
        return JSONResponse({"ok": True})

    async def qr(self, request: Request) -> Response:
        import segno

        out = io.BytesIO()
        segno.make(self.join_url, error="m").save(out, kind="svg", scale=8, border=2)
        return Response(out.getvalue(), media_type="image/svg+xml")

    async def figure(self, request: Request) -> Response:
        lang = self.lang(request)
        if not self.is_teacher(request):
            return _error("not_teacher", lang, status=403)
        name = request.path_params["name"]
        if name not in debrief.FIGURES:
            return Response(status_code=404)
        with self.session.lock:
            ngos = debrief.ngo_years(self.session.book)
        return Response(debrief.figure_png(name, ngos, lang), media_type="image/png")

    async def debrief_table(self, request: Request) -> Response:
        lang = self.lang(request)
        if not self.is_teacher(request):
            return _error("not_teacher", lang, status=403)
        with self.session.lock:
            ngos = debrief.ngo_years(self.session.book)
        return JSONResponse(debrief.comparison_rows(ngos, lang))


def make_app(session: Session, join_url: str) -> Starlette:
    """The web application serving ``session``; students join at ``join_url``."""
    h = _Pages(session, join_url)
    routes = [
        Route("/", h.join_page),
        Route("/play", h.play_page),
        Route("/teacher", h.teacher_page),
        Route("/static/font.css", h.font),
        Route("/static/{name}", h.page),
        Route("/qr.svg", h.qr),
        Route("/api/texts", h.texts),
        Route("/api/join", h.join, methods=["POST"]),
        Route("/api/me", h.me),
        Route("/api/{what}", h.decide, methods=["POST"]),
        Route("/api/teacher", h.teacher),
        Route("/api/teacher/{action}", h.control, methods=["POST"]),
        Route("/debrief/{name}.png", h.figure),
        Route("/api/debrief", h.debrief_table),
    ]
    app = Starlette(routes=routes)
    app.add_middleware(_LocalOnly, lang=session.lang)
    return app


def _act(session: Session, action: str, data: Any) -> None:
    """Do the teacher's ``action``.

    *Start* and *Next* must name the session's step the dashboard showed
    (``{"step": n}``): a double click would otherwise close the next stop too.
    """
    if action in ("start", "advance"):
        step = data.get("step") if isinstance(data, dict) else None
        if isinstance(step, bool) or not isinstance(step, int):
            raise Refused("no_step")
        (session.start if action == "start" else session.advance)(step)
    elif action == "pause":
        session.pause()
    elif action == "resume":
        session.resume()
    elif action == "end":
        session.end()
    elif action == "rejoin":
        if not isinstance(data, dict) or "seat" not in data:
            raise PlanError("not_a_form")
        number, allow = data["seat"], data.get("allow", True)
        if isinstance(number, bool) or not isinstance(number, int):
            raise Refused("no_such_seat", number=str(number)[:20])
        if not isinstance(allow, bool):
            raise PlanError("not_a_choice", field="allow")
        session.let_rejoin(number, allow)
    elif action == "timer":
        if not isinstance(data, dict):
            raise PlanError("not_a_form")
        seconds = data.get("seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            raise Refused("bad_timer")
        if not 0 <= seconds <= 3600:  # before float(): a huge int overflows it
            raise Refused("bad_timer")
        session.set_timer(str(data.get("phase")), float(seconds))
    else:
        raise Refused("not_now")


class _LocalOnly:
    """Refuse any request from outside this machine and its local network."""

    def __init__(self, app: Any, lang: str | None = None) -> None:
        self.app = app
        self.lang = lang

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            client = scope.get("client") or (None, None)
            if not local_client(client[0]):
                response = Response(
                    i18n.text("classroom.errors.local_only", _lang(Request(scope), self.lang)),
                    status_code=403,
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def serve(session: Session, host: str, port: int) -> int:
    """Serve ``session`` on ``host:port`` until Ctrl-C; print how to join and teach.

    Returns:
        0 after Ctrl-C; 3 when the server could not start (e.g. the port is in use).
    """
    import uvicorn

    from simcontract import appfont

    appfont.prepare_in_background()  # the Chinese font is cut once, while the class joins
    config = uvicorn.Config(
        make_app(session, join_link(host, port, session.code)),
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        server_header=False,
    )
    server = uvicorn.Server(config)
    server.run()
    return 0 if server.started else 3


def join_link(host: str, port: int, code: str) -> str:
    """The address students open: this machine's network address when it listens on
    every interface, with the join code filled in."""
    shown = lan_address() if host in ("0.0.0.0", "::") else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}/?code={code}"
