"""Upgrading an empty database to head gives exactly the models' schema, on SQLite and PostgreSQL."""

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from moderation_hub import create_app, migrate
from moderation_hub.db import build_engine, db
from moderation_hub.frameworks.models import Framework
from moderation_hub.frameworks.services import import_demo_frameworks
from moderation_hub.models import Base, declared
from tests.conftest import app_settings, scratch_postgresql_database
from tests.factories import build_world, make_exemplar


@pytest.fixture
def empty_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A brand-new database of the same kind as the suite's."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    with scratch_postgresql_database(database_url) as url:
        yield url


def test_upgrade_to_head_gives_exactly_the_models_schema(empty_database_url: str) -> None:
    migrate.upgrade(empty_database_url)
    engine = build_engine(empty_database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True, "include_name": declared})
        differences = compare_metadata(context, Base.metadata)
        tables = set(inspect(connection).get_table_names())
    engine.dispose()
    assert differences == []
    assert tables >= set(Base.metadata.tables)


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(tmp_path: Path) -> None:
    engine = build_engine(f"sqlite:///{tmp_path / 'pragmas.sqlite3'}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()


def test_concurrent_read_then_write_transactions_on_sqlite_all_succeed(tmp_path: Path) -> None:
    """Each thread reads, then writes, as a page view does (load the page, write the audit event)."""
    engine = build_engine(f"sqlite:///{tmp_path / 'concurrent.sqlite3'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE counter (id INTEGER PRIMARY KEY, hits INTEGER)")
        connection.exec_driver_sql("INSERT INTO counter VALUES (1, 0)")

    def read_then_write() -> None:
        with engine.begin() as connection:
            hits = connection.exec_driver_sql("SELECT hits FROM counter WHERE id = 1").scalar()
            time.sleep(0.005)
            connection.exec_driver_sql("UPDATE counter SET hits = ? WHERE id = 1", (hits + 1,))

    with ThreadPoolExecutor(max_workers=8) as pool:
        for future in [pool.submit(read_then_write) for _ in range(40)]:
            future.result()
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT hits FROM counter").scalar() == 40  # no update lost
    engine.dispose()


@pytest.mark.parametrize("how", ["migrations", "create_all"])
def test_the_database_refuses_to_change_or_remove_audit_events(empty_database_url: str, how: str) -> None:
    """Both ways a database is made (Alembic in production, create_all in tests) make the audit log append-only."""
    if how == "migrations":
        migrate.upgrade(empty_database_url)
    engine = build_engine(empty_database_url)
    if how == "create_all":
        Base.metadata.create_all(engine)
    insert = text(
        "INSERT INTO audit_event (occurred_at, action, subject_type, subject_id, details)"
        " VALUES (CURRENT_TIMESTAMP, 'sample.viewed', 'work_sample', 1, '{}')"
    )
    with engine.begin() as connection:
        connection.execute(insert)
    refused = ("UPDATE audit_event SET action = 'x'", "UPDATE audit_event SET round_id = 7", "DELETE FROM audit_event")
    for change in refused:
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text(change))
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_event SET actor_id = NULL"))  # a person's deletion may do this
        assert connection.execute(text("SELECT action FROM audit_event")).scalar_one() == "sample.viewed"
    engine.dispose()


def test_sqlite_table_copies_in_migrations_keep_the_rows_that_refer_to_the_table(tmp_path: Path) -> None:
    """Batch mode copies ``exemplar`` to alter it (0014 adds and drops columns) and drops the original: with foreign
    keys on, the drop would delete every revision and image of every exemplar (ON DELETE CASCADE)."""
    url = f"sqlite:///{tmp_path / 'copies.sqlite3'}"
    migrate.upgrade(url)
    app = create_app(app_settings(url, tmp_path))
    with app.app_context():
        import_demo_frameworks()
        world = build_world(db.session)
        ks2 = db.session.query(Framework).filter_by(slug="ks2-writing-ta").one()
        make_exemplar(db.session, world.school_a, world.teacher_a, ks2, "EXS", evidence={"EXS.1": "Uses paragraphs"})
        db.session.commit()
        db.session.close()
    engine = build_engine(url)

    def revisions() -> int:
        with engine.connect() as connection:
            return connection.exec_driver_sql("SELECT count(*) FROM exemplar_revision").scalar_one()

    published = revisions()
    assert published == 1
    command.downgrade(migrate.alembic_config(url), "0013")
    assert revisions() == published
    migrate.upgrade(url)
    assert revisions() == published
    engine.dispose()
