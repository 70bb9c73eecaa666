"""JSON-lines logging with UTC time, request id and user id.

Log lines carry identifiers and route patterns, never form data, tokens or pupil data: the access
line logs ``request.url_rule`` (``/reset-password/<token>``), not the requested path, and an exception is
written as its types and frames without its message.
"""

import logging
import re
import sys
import time
import uuid
from types import TracebackType

from flask import Flask, Response, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter
from sqlalchemy import inspect

from moderation_hub.tracebacks import value_free_traceback

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


ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None] | tuple[None, None, None]


class ValueFreeJsonFormatter(JsonFormatter):
    """Writes an exception as the types and frames of its chain, never its message: a message can quote what
    a person typed (a driver's DataError quotes the value, an IntegrityError the row, a ValueError its input)."""

    def formatException(self, ei: ExcInfo) -> str:  # type: ignore[override]  # noqa: N802 - logging's name
        return value_free_traceback(ei[1]) if ei[1] is not None else ""


def log_unhandled_error(error: BaseException) -> None:
    """The one line for an error no handler expected: its type and route, so it can be found, and no values."""
    logger.error(
        "unhandled error",
        exc_info=(type(error), error, error.__traceback__),
        extra={
            "error_type": f"{type(error).__module__}.{type(error).__qualname__}",
            "method": request.method if has_request_context() else None,
            "route": request.url_rule.rule if has_request_context() and request.url_rule else None,
        },
    )


def configure_logging(app: Flask) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        # timestamp= adds the record's creation time as an ISO 8601 string in UTC.
        ValueFreeJsonFormatter(
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
    # Flask-Limiter's "exceeded" line names the throttled key, for sign-in the email typed; the access line's 429
    # records the refusal instead.
    logging.getLogger("flask_limiter").setLevel(logging.WARNING)
    # Flask's own line for an unhandled error carries the path (which may hold a token) and the exception's
    # message; errors.py writes the one line for it, through log_unhandled_error.
    app.logger.disabled = True
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
