"""Alembic environment: migrates the database the caller passes (the app's, or a test's connection)."""

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


def run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    engine = build_engine(context.config.get_main_option("sqlalchemy.url"))
    with engine.connect() as new_connection:
        run_migrations(new_connection)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported; run `flask db upgrade` against the database.")
run_online()
