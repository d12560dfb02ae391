"""The review web application: an ASGI app (Starlette) over one run and its decisions.

Starlette because the app is a dozen routes over one SQLite file: it gives routing,
requests, responses, middleware and an in-process test client without FastAPI's schema
layer, which these few JSON bodies do not need; uvicorn serves it (see :mod:`.server`).

Pages are rendered on the server (Jinja2, autoescaped), so the article list, an article
with its flags and every decision already taken read without JavaScript; a small script
(served from the app itself, allowed by the Content-Security-Policy, nothing inline or
external) adds the keyboard, the buttons and text selection.

Security: every state-changing request carries the CSRF token of the page in a header
(``X-CSRF-Token``, which a cross-site form cannot set) and must come from the app's own
origin; the Host header must name the address the server listens on (DNS rebinding); with
an access token (required off loopback) every request needs it; bodies are bounded; every
decision is checked against the run before it is stored.
"""

from __future__ import annotations

import hmac
import json
import secrets
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup, escape
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from ..errors import InputError
from ..types import Category, Severity
from .decisions import Decision, DecisionError, DecisionStore
from .export import followed_decisions, review_records, tsv_text, wmt_rows
from .follow import follow
from .run import ReviewArticle, ReviewRun

MAX_BODY = 16 * 1024  # bytes: a decision is a few hundred
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
STATES = ("pending", "accepted", "rejected", "added")
TOKEN_COOKIE = "mtcheck_token"


@dataclass
class ReviewSettings:
    """How the app guards itself; the CSRF token is new for every server."""

    token: str | None = None
    allowed_hosts: Sequence[str] = ("127.0.0.1", "localhost")
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))


def create_app(run: ReviewRun, store: DecisionStore | None = None, settings: ReviewSettings | None = None) -> Starlette:
    """The review app for ``run``; decisions go to ``store`` (by default the run's own database)."""
    store = store or DecisionStore(run.database)
    settings = settings or ReviewSettings()
    handlers = _Handlers(run, store, settings)
    routes = [
        Route("/", handlers.article_list),
        Route("/article/{article_id:path}", handlers.article_page),
        Route("/report.html", handlers.report),
        Route("/static/{name}", handlers.static),
        Route("/favicon.ico", lambda request: Response(status_code=204)),  # browsers ask; nothing to show
        Route("/api/articles", handlers.api_articles),
        Route("/api/article/{article_id:path}", handlers.api_article),
        Route("/api/decide/{article_id:path}", handlers.decide, methods=["POST"]),
        Route("/api/add/{article_id:path}", handlers.add, methods=["POST"]),
        Route("/api/undo", handlers.undo, methods=["POST"]),
        Route("/export.jsonl", handlers.export_jsonl),
        Route("/export.tsv", handlers.export_tsv),
    ]
    middleware = [
        Middleware(TrustedHostMiddleware, allowed_hosts=list(settings.allowed_hosts)),
        Middleware(_Guard, settings=settings),
    ]
    return Starlette(routes=routes, middleware=middleware)


class _Guard(BaseHTTPMiddleware):
    """Access token, CSRF token and same origin on writes, security headers on every answer."""

    def __init__(self, app: Any, settings: ReviewSettings) -> None:
        super().__init__(app)
        self.settings = settings

    async def dispatch(self, request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        token = self.settings.token
        if token is not None:
            given = request.query_params.get("token")
            if given is not None and hmac.compare_digest(given, token):
                # A link with the token sets it as a cookie, then drops it from the address bar.
                target = request.url.remove_query_params("token")
                response: Response = RedirectResponse(str(target.path) + (f"?{target.query}" if target.query else ""), 303)
                response.set_cookie(TOKEN_COOKIE, token, httponly=True, samesite="strict")
                return _secured(response)
            bearer = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
            cookie = request.cookies.get(TOKEN_COOKIE, "")
            if not any(v and hmac.compare_digest(v, token) for v in (bearer, cookie)):
                return _secured(PlainTextResponse("this review server needs its access token "
                                                  "(open the address it printed, with ?token=…)", 401))
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            if not hmac.compare_digest(request.headers.get("x-csrf-token", ""), self.settings.csrf):
                return _secured(JSONResponse({"error": "missing or wrong CSRF token; reload the page"}, 403))
            origin = request.headers.get("origin")
            if origin is not None and origin.split("://", 1)[-1] != request.headers.get("host"):
                return _secured(JSONResponse({"error": f"request from another site ({origin}) refused"}, 403))
            length = request.headers.get("content-length")
            if length is not None and (not length.isdigit() or int(length) > MAX_BODY):
                return _secured(JSONResponse({"error": f"request body over {MAX_BODY} bytes"}, 413))
        return _secured(await call_next(request))


def _secured(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


class _BadRequest(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


async def _json_body(request: Request) -> dict[str, Any]:
    """The JSON object of a request, read no further than MAX_BODY bytes (chunked bodies too)."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY:
            raise _BadRequest(413, f"request body over {MAX_BODY} bytes")
    try:
        payload = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _BadRequest(400, "the request body must be a JSON object") from None
    if not isinstance(payload, dict):
        raise _BadRequest(400, "the request body must be a JSON object")
    return payload


def _error(exc: Exception, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": str(exc)}, getattr(exc, "status", status))


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("mtcheck.resources", "templates"), autoescape=True,
                              trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)


def item_state(decision: Decision | None) -> str:
    if decision is None:
        return "pending"
    if decision.added:
        return "added" if decision.verdict == "accept" else "rejected"
    return "accepted" if decision.verdict == "accept" else "rejected"


class _Handlers:
    def __init__(self, run: ReviewRun, store: DecisionStore, settings: ReviewSettings) -> None:
        self.store, self.settings = store, settings
        self._run, self._stamp = run, run.stamp()

    @property
    def run(self) -> ReviewRun:
        """The run as it is now: a batch checked again while the server runs is read anew, so
        that pages and decisions are about the articles' current text, never a stale copy."""
        stamp = self._run.stamp()
        if stamp != self._stamp:
            try:
                self._run = ReviewRun.open(self._run.source)
            except (InputError, OSError, ValueError):
                pass  # caught mid-write (a batch starting over): the last complete reading serves
            else:
                self._stamp = stamp
        return self._run

    # Pages -----------------------------------------------------------------------------------

    def article_list(self, request: Request) -> Response:
        filters = {k: request.query_params.get(k) or None for k in ("detector", "category", "severity", "state")}
        rows = self._article_rows(filters)
        page = _environment().get_template("review-list.html.j2").render(
            run=str(self.run.source), rows=rows, filters=filters, csrf=self.settings.csrf,
            detectors=sorted({f.detector for a in self.run.articles for f in a.flags}),
            categories=[c.value for c in Category], severities=[s.value for s in Severity], states=STATES,
            has_report=(self.run.source / "report.html").exists() if self.run.source.is_dir() else False)
        return HTMLResponse(page)

    def article_page(self, request: Request) -> Response:
        run = self.run  # one reading of the run for the whole page
        article = run.article(request.path_params["article_id"])
        if article is None:
            return HTMLResponse("<!DOCTYPE html><title>not found</title><p>No such article in this run.</p>", 404)
        followed = self.store.standing(article)
        items = self._items(article, followed.decisions)
        ids = [a.article_id for a in run.articles]
        here = ids.index(article.article_id)
        page = _environment().get_template("review-article.html.j2").render(
            article=article, text_html=article_markup(article, items), items=items, csrf=self.settings.csrf,
            stale=followed.stale,
            categories=[c.value for c in Category], severities=[s.value for s in Severity],
            previous=_article_url(ids[here - 1]) if here > 0 else None,
            next=_article_url(ids[here + 1]) if here + 1 < len(ids) else None,
            segments=[{"segment": s, "marked": [i for i in items if s.start <= i["start"] < s.end]}
                      for s in article.segments])
        return HTMLResponse(page)

    def report(self, request: Request) -> Response:
        from ..batch.report import batch_report_page
        from ..report.html import REPORT_CSP

        if not self.run.source.is_dir():
            return PlainTextResponse("a single report has no batch report", 404)
        response = HTMLResponse(batch_report_page(self.run.source, review_base="/article/"))
        response.headers["Content-Security-Policy"] = REPORT_CSP + "; frame-ancestors 'none'"
        return response

    def static(self, request: Request) -> Response:
        name = request.path_params["name"]
        kinds = {"review.js": "text/javascript", "review.css": "text/css"}
        if name not in kinds:
            return PlainTextResponse("not found", 404)
        body = resources.files("mtcheck.resources").joinpath("review", name).read_text(encoding="utf-8")
        return Response(body, media_type=kinds[name], headers={"Cache-Control": "no-cache"})

    # JSON ------------------------------------------------------------------------------------

    def api_articles(self, request: Request) -> Response:
        filters = {k: request.query_params.get(k) or None for k in ("detector", "category", "severity", "state")}
        return JSONResponse({"articles": self._article_rows(filters)})

    def api_article(self, request: Request) -> Response:
        article = self._article(request)
        if article is None:
            return JSONResponse({"error": "no such article in this run"}, 404)
        followed = self.store.standing(article)
        items = self._items(article, followed.decisions)
        return JSONResponse({"article_id": article.article_id, "text": article.text, "items": items,
                             "stale": [_decision_json(d) for d in followed.stale],
                             "segments": [{"index": s.index, "start": s.start, "end": s.end, "text": s.text,
                                           "back_translation": s.back_translation, "references": list(s.references)}
                                          for s in article.segments]})

    async def decide(self, request: Request) -> Response:
        return await self._write(request, lambda article, payload: self.store.decide(article, payload))

    async def add(self, request: Request) -> Response:
        return await self._write(request, lambda article, payload: self.store.add(article, payload))

    async def undo(self, request: Request) -> Response:
        try:
            payload = await _json_body(request)
            article_id = payload.get("article_id")
            if article_id is not None and self.run.article(str(article_id)) is None:
                raise _BadRequest(404, f"no article {article_id!r} in this run")
            undone = self.store.undo(payload.get("reviewer", ""), None if article_id is None else str(article_id))
        except (_BadRequest, DecisionError) as exc:
            return _error(exc)
        if undone is None:
            return JSONResponse({"undone": None})
        article = self.run.article(undone.article_id)
        assert article is not None
        # The undone decision may be older than the article's current text: its item is where it stands now.
        item = next(iter(follow(article, [undone]).decisions), None)
        if item is None:  # its words are gone from the article: nothing on the page changes
            return JSONResponse({"undone": _decision_json(undone), "item": None})
        current = self.store.standing(article).decisions
        return JSONResponse({"undone": _decision_json(undone),
                             "item": self._item_json(article, item, current.get(item))})

    def export_jsonl(self, request: Request) -> Response:
        from ..jsonl import dumps_line

        body = "".join(dumps_line(r) for r in review_records(self.run, self.store))
        return Response(body, media_type="application/x-ndjson",
                        headers={"Content-Disposition": 'attachment; filename="review.jsonl"'})

    def export_tsv(self, request: Request) -> Response:
        body = tsv_text(wmt_rows(self.run, review_records(self.run, self.store)))
        return Response(body, media_type="text/tab-separated-values",
                        headers={"Content-Disposition": 'attachment; filename="annotations.tsv"'})

    # Helpers ---------------------------------------------------------------------------------

    async def _write(self, request: Request, action: Callable[[ReviewArticle, Mapping[str, Any]], Decision]) -> Response:
        article = self._article(request)
        if article is None:
            return JSONResponse({"error": "no such article in this run"}, 404)
        try:
            decision = action(article, await _json_body(request))
        except (_BadRequest, DecisionError) as exc:
            return _error(exc)
        current = self.store.standing(article).decisions
        return JSONResponse({"decision": _decision_json(decision),
                             "item": self._item_json(article, decision.item, current.get(decision.item))})

    def _article(self, request: Request) -> ReviewArticle | None:
        return self.run.article(request.path_params["article_id"])

    def _items(self, article: ReviewArticle, decisions: Mapping[str, Decision]) -> list[dict[str, Any]]:
        """The run's flags and the spans reviewers added, in article order, each with its standing decision."""
        items = [self._item_json(article, f.id, decisions.get(f.id)) for f in article.flags]
        # Accepted errors stay in view: spans reviewers added, and flags accepted on an earlier
        # run that this one no longer raises (a detector turned off by calibration, say).
        items += [self._item_json(article, d.item, d) for d in decisions.values()
                  if d.verdict == "accept" and article.flag(d.item) is None]
        return sorted(items, key=lambda i: (i["start"], i["end"]))

    def _item_json(self, article: ReviewArticle, item: str, decision: Decision | None) -> dict[str, Any]:
        flag = article.flag(item)
        base: dict[str, Any]
        if flag is not None:
            segment = article.segment_at(flag.start)
            base = {"id": flag.id, "origin": "flag", "start": flag.start, "end": flag.end, "text": flag.text,
                    "detector": flag.detector, "message": flag.message, "flag_category": flag.category,
                    "flag_severity": flag.severity, "category": flag.category, "severity": flag.severity,
                    "suggestion": flag.suggestion, "note": "", "confidence": round(flag.confidence, 3),
                    "back_translation": segment.back_translation if segment else "",
                    "references": list(segment.references) if segment else [],
                    "evidence": dict(flag.evidence)}
        else:
            assert decision is not None
            segment = article.segment_at(decision.start)
            message = "added by a reviewer" if decision.added else \
                "accepted on an earlier run's flag, which this run no longer raises"
            # "earlier-flag": the reviewer did not add it, a detector raised it on an earlier run.
            base = {"id": item, "origin": "added" if decision.added else "earlier-flag",
                    "start": decision.start, "end": decision.end,
                    "text": decision.text, "detector": decision.flag_detector, "message": message,
                    "flag_category": decision.flag_category, "flag_severity": decision.flag_severity,
                    "confidence": None, "evidence": {},
                    "back_translation": segment.back_translation if segment else "",
                    "references": list(segment.references) if segment else []}
        if decision is not None:
            base.update(category=decision.category, severity=decision.severity, suggestion=decision.suggestion,
                        note=decision.note, reviewer=decision.reviewer, decided_at=decision.created_at)
        base["state"] = item_state(decision)
        return base

    def _article_rows(self, filters: Mapping[str, str | None]) -> list[dict[str, Any]]:
        """Articles worst first with review progress; with filters, those with a matching item."""
        rows = []
        for article, followed in followed_decisions(self.run, self.store):
            items = self._items(article, followed.decisions)
            matching = [i for i in items if _matches(i, filters)]
            if any(filters.values()) and not matching:
                continue
            flags = [i for i in items if i["origin"] == "flag"]
            states = Counter(i["state"] for i in items)
            rows.append({
                "article_id": article.article_id, "url": _article_url(article.article_id),
                "mqm_estimate": round(article.mqm_estimate, 2), "chrf": article.scores.get("chrf"),
                "flags": len(flags), "reviewed": sum(1 for i in flags if i["state"] != "pending"),
                "accepted": states["accepted"], "rejected": states["rejected"], "added": states["added"],
                "severities": dict(Counter(i["severity"] for i in flags)), "matching": len(matching),
                "stale": len(followed.stale),
            })
        return rows


def _matches(item: Mapping[str, Any], filters: Mapping[str, str | None]) -> bool:
    return ((filters.get("detector") is None or item.get("detector") == filters["detector"])
            and (filters.get("category") is None or item["category"] == filters["category"])
            and (filters.get("severity") is None or item["severity"] == filters["severity"])
            and (filters.get("state") is None or item["state"] == filters["state"]))


def _article_url(article_id: str) -> str:
    return "/article/" + quote(article_id, safe="")


def _decision_json(decision: Decision) -> dict[str, Any]:
    return {"id": decision.id, "article_id": decision.article_id, "item": decision.item,
            "verdict": decision.verdict, "start": decision.start, "end": decision.end, "category": decision.category,
            "severity": decision.severity, "suggestion": decision.suggestion, "note": decision.note,
            "reviewer": decision.reviewer, "created_at": decision.created_at}


def article_markup(article: ReviewArticle, items: Sequence[Mapping[str, Any]]) -> Markup:
    """The article cut at every item boundary; each piece knows its offset (``data-start``).

    The text inside the pieces is the article exactly (the page shows it with ``white-space:
    pre-wrap``), so a selection's offsets in the page are offsets into the article.
    """
    text = article.text
    cuts = sorted({0, len(text), *(i["start"] for i in items), *(i["end"] for i in items)})
    parts = []
    for start, end in zip(cuts, cuts[1:]):
        covering = [i for i in items if i["start"] <= start and end <= i["end"]]
        flag = next((i for i in covering if i["origin"] == "flag"), None)
        added = [i for i in covering if i["origin"] != "flag"]  # not among this run's flags
        classes = ["piece"]
        attributes = f' data-start="{start}"'
        if flag is not None:
            classes += ["flag", f"sev-{flag['severity']}", f"state-{flag['state']}"]
            attributes += f' data-flag="{escape(flag["id"])}"'
        if added:
            classes.append("added")
            attributes += f' data-added="{escape(" ".join(i["id"] for i in added))}"'
        parts.append(f'<span class="{" ".join(classes)}"{attributes}>{escape(text[start:end])}</span>')
    return Markup("".join(parts))

