"""JSON-lines logging with UTC time, request id and user id.

Log lines carry identifiers and route patterns, never form data, tokens or pupil data: the access
line logs ``request.url_rule`` (``/reset-password/<token>``), not the requested path.
"""

import logging
import re
import sys
import time
import uuid

from flask import Flask, Response, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter
from sqlalchemy import inspect

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
logger = logging.getLogger("moderation_hub")


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id") if has_request_context() else None
        record.user_id = _current_user_id()
        return True


def _current_user_id() -> int | None:
    """The signed-in user's id, read from the identity map: loading an attribute here could log again."""
    if not has_request_context():
        return None
    user = g.get("_login_user")
    state = inspect(user, raiseerr=False) if user is not None else None
    return state.identity[0] if state is not None and state.identity else None


def configure_logging(app: Flask) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        # timestamp= adds the record's creation time as an ISO 8601 string in UTC.
        JsonFormatter(
            "{levelname}{name}{message}",
            style="{",
            timestamp="time",
            rename_fields={"levelname": "level", "name": "logger"},
        )
    )
    handler.addFilter(RequestContextFilter())
    for name in ("moderation_hub", "flask_limiter"):
        named = logging.getLogger(name)
        named.handlers = [handler]
        named.setLevel(app.config["LOG_LEVEL"])
        named.propagate = False
    # Werkzeug's own access line prints the full path, which may hold a token: ours logs the route instead.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app.before_request(_assign_request_id)
    app.after_request(_log_access)


def _assign_request_id() -> None:
    offered = request.headers.get("X-Request-ID", "")
    g.request_id = offered if _REQUEST_ID.match(offered) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _log_access(response: Response) -> Response:
    response.headers["X-Request-ID"] = g.get("request_id", "")
    if request.endpoint != "static":
        logger.info(
            "request",
            extra={
                "method": request.method,
                "route": request.url_rule.rule if request.url_rule else None,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000, 1),
            },
        )
    return response
