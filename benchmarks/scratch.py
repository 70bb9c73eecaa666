"""What every benchmark that builds its own data needs: an empty database of its own and the app over it."""

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path

from flask import Flask
from sqlalchemy import make_url, text

from moderation_hub import create_app
from moderation_hub.db import build_engine


@contextlib.contextmanager
def scratch_database(server_url: str | None, folder: Path, name: str) -> Iterator[str]:
    """A new database called after ``name``: a SQLite file in ``folder``, or with ``server_url`` a database on that
    PostgreSQL server, dropped afterwards (the tests use the server's own)."""
    if server_url is None:
        yield f"sqlite:///{folder / f'{name}.sqlite3'}"
        return
    database = f"{name.replace('-', '_')}_{uuid.uuid4().hex[:8]}"
    admin = build_engine(server_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{database}"'))
    try:
        yield make_url(server_url).set(database=database).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{database}" WITH (FORCE)'))
        admin.dispose()


def benchmark_app(database_url: str, folder: Path, secret_key: str) -> Flask:
    """The app as the tests build it (jobs run inside the request), with no access line per request."""
    return create_app(
        {
            "ENVIRONMENT": "testing",
            "SECRET_KEY": secret_key,
            "DATABASE_URL": database_url,
            "STORAGE_URL": f"file://{folder / 'uploads'}",
            "SERVER_NAME": "localhost",
            "INSTANCE_PATH": str(folder / "instance"),
            "JOB_IMMEDIATE": True,
            "LOG_LEVEL": "WARNING",
        }
    )
