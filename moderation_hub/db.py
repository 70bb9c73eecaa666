"""The database: declarative base, reusable column types, and one session per app context.

Services only ``flush()``; a request commits once (see ``_finish_request``), so it either
happens as a whole or not at all.
"""

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated, Any, TypeVar

from flask import Flask, Response, abort, current_app, g
from sqlalchemy import DateTime, MetaData, String, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, mapped_column, sessionmaker
from sqlalchemy.types import TypeDecorator
from werkzeug.routing import BaseConverter, IntegerConverter, Map

from moderation_hub.logs import logger
from moderation_hub.text_rules import PATH_SEGMENT

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Stores aware UTC datetimes; SQLite drops the zone, so it is put back on the way out."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use utcnow()")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime()}


int_pk = Annotated[int, mapped_column(primary_key=True)]
# Primary keys are 32-bit INTEGERs on PostgreSQL; a larger id in a URL or form is no row, not an error.
MAX_ROW_ID = 2**31 - 1
created_at = Annotated[dt.datetime, mapped_column(UTCDateTime(), default=utcnow)]
short_text = Annotated[str, mapped_column(String(200))]


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    """SQLite ignores foreign keys unless asked per connection; WAL lets readers run beside a writer;
    secure_delete zeroes what a change frees, so words a redaction removed leave no copy in the file.

    The driver's own transaction handling is switched off so that SQLAlchemy emits BEGIN itself,
    which makes SAVEPOINT work (SQLAlchemy's documented recipe for pysqlite).
    """
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.close()


def _begin_sqlite_transaction(connection: Any) -> None:
    # IMMEDIATE takes the write lock at the start, waiting up to busy_timeout for it. A deferred BEGIN
    # that reads and then writes fails at once ("database is locked") if another connection wrote in
    # between, which concurrent page views (each writes to the audit log) would hit all the time.
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def build_engine(url: str) -> Engine:
    # A statement's error message would otherwise list its parameters: pupils' commentary, rationales, emails.
    if url.startswith("sqlite"):
        engine = create_engine(url, hide_parameters=True)
        event.listen(engine, "connect", _configure_sqlite_connection)
        event.listen(engine, "begin", _begin_sqlite_transaction)
        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True)


class Database:
    """Holds the engine and session factory of one app; ``db.session`` is this app context's session."""

    def init_app(self, app: Flask) -> None:
        engine = build_engine(app.config["DATABASE_URL"])
        app.extensions["database"] = {"engine": engine, "sessionmaker": sessionmaker(bind=engine)}
        app.after_request(_finish_request)
        app.teardown_appcontext(_close_session)

    @property
    def engine(self) -> Engine:
        return current_app.extensions["database"]["engine"]

    @property
    def session(self) -> Session:
        if "db_session" not in g:
            g.db_session = current_app.extensions["database"]["sessionmaker"]()
        return g.db_session

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """For CLI commands and jobs: commit on success, roll back on any error."""
        session = self.session
        try:
            yield session
            session.commit()
        except BaseException:
            _rollback(session)
            raise

    def after_commit(self, callback: Callable[[], object]) -> None:
        """Run ``callback`` once this session's work is committed, e.g. to enqueue a job that reads it.

        Enqueued earlier, a worker could run before the rows it needs exist; on rollback it never runs.
        """
        self.session.info.setdefault(AFTER_COMMIT, []).append(callback)

    def checkpoint(self) -> None:
        """Call once a change that must leave no copy (a redaction) is committed: on SQLite, copy the write-ahead
        log into the database file, where secure_delete has zeroed the old rows, and empty the log.

        PostgreSQL keeps old row versions until VACUUM (see the README). A session bound to a connection is inside
        a transaction of its caller's (the tests'), so nothing is committed yet and there is nothing to copy.
        """
        bind = self.session.get_bind()
        if not isinstance(bind, Engine) or bind.dialect.name != "sqlite":
            return
        with bind.connect() as connection:
            # On the driver's connection: SQLAlchemy would open a transaction first, inside which SQLite cannot
            # checkpoint.
            busy, _frames, _copied = connection.connection.driver_connection.execute(
                "PRAGMA wal_checkpoint(TRUNCATE)"
            ).fetchone()
        if busy:
            logger.warning("database checkpoint incomplete: the write-ahead log may keep removed words a while")

    def after_rollback(self, callback: Callable[[], object]) -> None:
        """Run ``callback`` if this session's work is rolled back, e.g. to delete a stored file it wrote."""
        self.session.info.setdefault(AFTER_ROLLBACK, []).append(callback)


db = Database()


Row = TypeVar("Row", bound="Base")


def get_or_404(model: type[Row], row_id: int) -> Row:
    row = db.session.get(model, row_id)
    if row is None:
        abort(404)
    return row


class PathTextConverter(BaseConverter):
    """``<name>`` and ``<string:name>`` in every route: a segment with a control or invisible character (``%00``
    says NUL, which PostgreSQL refuses in a query's text) is a 404 at routing, before any view reads it."""

    regex = PATH_SEGMENT


class RowIdConverter(IntegerConverter):
    """``<int:...>`` in every route: ids past the database's INTEGER range are a 404 at routing."""

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, min=1, max=MAX_ROW_ID)


def _finish_request(response: Response) -> Response:
    """Commit the request's work as a whole when it succeeded; roll it back when it did not."""
    session: Session | None = g.get("db_session")
    if session is not None:
        if response.status_code < 400:
            session.commit()
        else:
            _rollback(session)
    return response


AFTER_COMMIT = "after_commit_callbacks"
AFTER_ROLLBACK = "after_rollback_callbacks"


def _rollback(session: Session) -> None:
    session.info.pop(AFTER_COMMIT, None)
    session.rollback()
    for callback in session.info.pop(AFTER_ROLLBACK, []):
        callback()


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the outer transaction may still roll back
    session.info.pop(AFTER_ROLLBACK, None)
    for callback in session.info.pop(AFTER_COMMIT, []):
        callback()


def _close_session(_exc: BaseException | None) -> None:
    session: Session | None = g.pop("db_session", None)
    if session is not None:
        if session.in_transaction():
            _rollback(session)  # work that was never committed must not leave stored files behind
        session.close()
