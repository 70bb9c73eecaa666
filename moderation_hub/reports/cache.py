"""Computed report figures and charts, kept in the database for every app process, and in memory in each.

A report page and each of its charts are separate requests that need the same figures (a page with five
charts needs them six times), computing them reads every judgement in the scope, and drawing a chart takes
about a second. Each is kept in the ``report_figures`` table under a key naming the report (its kind, scope
and framework; a chart adds its table) with the *version* it was computed from: a SHA-256 of the data
version (``data.version``, which changes with any write the figures could show) and of the code that
computed it (this package's sources and the versions of the libraries that compute and draw). A value is
read only under the version asked for, so it is never served stale, only computed again when asked for after
a change; computing it again replaces the row, so a write costs exactly the reports that read what it
changed, and the table holds one row per report and chart.

Every app process (and every server on one database) reads what another computed. Each also keeps the last
few values it used in memory, under the same key and version, so a page's charts unpickle its figures once.

Values are pickled, and the row carries an HMAC (SHA-256, keyed by ``SECRET_KEY``) of its key, version and
payload, checked before unpickling: someone able to write a row but without the app's secret cannot make
the app unpickle (run) anything, nor move one report's figures under another's key. A row that fails the
check is computed again and replaced.

The row is written in a savepoint of the request's own transaction, as an upsert (``INSERT ... ON CONFLICT
DO UPDATE``, on SQLite and PostgreSQL), so two processes computing one report at once both succeed, the
last one's row stays, and the request's own work is neither committed early nor lost to a failed write. It
is kept only once the request commits. It keeps computed figures, never pages: each request still loads and
authorises its object before asking, and a key names one scope, so no one is served figures they could not
compute themselves.
"""

import functools
import hashlib
import hmac
import importlib.metadata
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, Generic, TypeVar

from flask import current_app
from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from moderation_hub.db import db, utcnow
from moderation_hub.logs import logger
from moderation_hub.reports.models import ReportFigures

# In each process. An authority's figures over 300 schools and 300 moderators take about 0.7 MB; most far less,
# and a chart's SVG tens of kilobytes.
MAX_KEPT = 32

# The libraries whose versions can change a figure or a chart.
LIBRARIES = ("numpy", "scipy", "altair", "vl-convert-python")

Value = TypeVar("Value")


class LruCache(Generic[Value]):
    """At most ``max_size`` values, the least recently used dropped first; safe to share between threads."""

    def __init__(self, max_size: int) -> None:
        self.max_size = max_size
        self._values: OrderedDict[Hashable, Value] = OrderedDict()
        self._lock = threading.Lock()

    def get_or_compute(self, key: Hashable, compute: Callable[[], Value]) -> Value:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        # Computed outside the lock: two threads missing the same key at once both compute it (the same
        # figures), rather than every other report waiting for one slow computation.
        value = compute()
        with self._lock:
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self.max_size:
                self._values.popitem(last=False)
        return value


def version_of(data_version: tuple[object, ...]) -> str:
    """The version values are kept under: the data's (``data.version``) and the code's, as 64 hex digits."""
    return hashlib.sha256(repr((code_version(), data_version)).encode()).hexdigest()


@functools.cache
def code_version() -> str:
    """A SHA-256 of this package's Python sources and of the versions of ``LIBRARIES``: values computed by other
    code (before a deploy, or by a server not yet updated) are never read, so each report is computed again
    once after a deploy, never shown in a shape its template no longer expects."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]
    for path in sorted(package.rglob("*.py")):
        digest.update(f"{path.relative_to(package).as_posix()}\0".encode())
        digest.update(path.read_bytes())
    for library in LIBRARIES:
        digest.update(f"\0{library}={importlib.metadata.version(library)}".encode())
    return digest.hexdigest()


def computed(key: str, version: str, compute: Callable[[], Value]) -> Value:
    """The value kept under ``key`` at ``version``: from this process's memory, else from the database, else
    computed and kept in both."""
    local: LruCache[Value] = current_app.extensions.setdefault("report_figures", LruCache(MAX_KEPT))
    return local.get_or_compute((key, version), lambda: _shared(db.session, key, version, compute))


def _shared(session: Session, key: str, version: str, compute: Callable[[], Value]) -> Value:
    kept = read(session, key, version)
    if kept is not None:
        return kept[0]
    value = compute()
    store(session, key, version, value)
    return value


def read(session: Session, key: str, version: str) -> tuple[Any] | None:
    """The value kept under ``key`` at ``version``, in a 1-tuple; None when there is none, or its signature fails."""
    statement = select(ReportFigures.payload, ReportFigures.signature).where(
        ReportFigures.key == key, ReportFigures.version == version
    )
    row = session.execute(statement).one_or_none()
    if row is None:
        return None
    if not hmac.compare_digest(row.signature, _signature(key, version, row.payload)):
        logger.warning("kept report figures failed their signature check: computed again", extra={"key": key})
        return None
    return (pickle.loads(row.payload),)  # noqa: S301 - signed above with the app's secret: written by this app


def store(session: Session, key: str, version: str, value: object) -> None:
    """Keep ``value`` under ``key`` at ``version``, replacing what was kept there, in a savepoint of the session's
    transaction. A failed write is logged and leaves the transaction as it was: the value is still served."""
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    values = {
        "key": key,
        "version": version,
        "payload": payload,
        "signature": _signature(key, version, payload),
        "computed_at": utcnow(),
    }
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[session.get_bind().dialect.name]
    statement = insert(ReportFigures).values(values)
    statement = statement.on_conflict_do_update(
        index_elements=[ReportFigures.key], set_={name: statement.excluded[name] for name in values if name != "key"}
    )
    try:
        with session.begin_nested():
            session.execute(statement)
    except SQLAlchemyError:
        logger.warning("report figures not kept: computed again when next asked for", exc_info=True, extra={"key": key})


def _signature(key: str, version: str, payload: bytes) -> str:
    secret = current_app.config["SECRET_KEY"]
    secret = secret if isinstance(secret, bytes) else secret.encode()
    # A separator neither the key nor the version can hold, so no two rows' messages are the same.
    message = b"report-figures\0" + key.encode() + b"\0" + version.encode() + b"\0" + payload
    return hmac.new(secret, message, hashlib.sha256).hexdigest()
