"""Alembic environment: migrates the database the caller passes (the app's, or a test's connection)."""

from collections.abc import Iterator
from contextlib import contextmanager

from alembic import context
from sqlalchemy import Connection

from moderation_hub.db import UTCDateTime, build_engine
from moderation_hub.models import Base, declared

target_metadata = Base.metadata


def render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Write our UTC column type as the plain DateTime it stores, so migrations never import the app."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_item=render_item,
        include_name=declared,
        render_as_batch=True,  # SQLite alters tables by copying them; batch mode does that for it
    )
    with context.begin_transaction():
        context.run_migrations()


@contextmanager
def foreign_keys_held_back(connection: Connection) -> Iterator[None]:
    """On SQLite, batch mode alters a table by copying it and dropping the original; with foreign keys on, the
    drop deletes every row that refers to it ON DELETE CASCADE (an exemplar's revisions and images, say). So they
    are switched off for the migration, which SQLite allows only outside a transaction (before SQLAlchemy's
    BEGIN), and every reference is checked before they are switched on again."""
    if connection.dialect.name != "sqlite":
        yield
        return
    driver = connection.connection.driver_connection
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
        broken = driver.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"the migration left {len(broken)} rows referring to rows that do not exist")
    finally:
        driver.execute("PRAGMA foreign_keys=ON")


def run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    engine = build_engine(context.config.get_main_option("sqlalchemy.url"))
    with engine.connect() as new_connection, foreign_keys_held_back(new_connection):
        run_migrations(new_connection)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported; run `flask db upgrade` against the database.")
run_online()
