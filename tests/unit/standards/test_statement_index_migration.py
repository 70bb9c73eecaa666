"""Migration 0008 writes the statement index of exemplars published before it, as publication writes it."""

import importlib.util
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import delete, select

from moderation_hub import create_app, migrate
from moderation_hub.db import db
from moderation_hub.frameworks.models import Framework
from moderation_hub.frameworks.services import import_demo_frameworks
from moderation_hub.standards.models import ExemplarStatement
from tests.conftest import app_settings, scratch_postgresql_database
from tests.factories import build_world, make_exemplar


@pytest.fixture
def empty_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    with scratch_postgresql_database(database_url) as url:
        yield url


def _index() -> list[tuple[object, ...]]:
    columns = (
        ExemplarStatement.exemplar_id,
        ExemplarStatement.criterion_id,
        ExemplarStatement.standard_id,
        ExemplarStatement.piece,
        ExemplarStatement.page_position,
        ExemplarStatement.annotation_number,
        ExemplarStatement.annotation_text,
    )
    return [tuple(row) for row in db.session.execute(select(*columns).order_by(*columns))]


def test_upgrading_past_0008_indexes_the_exemplars_already_published(empty_database_url: str, tmp_path: Path) -> None:
    migrate.upgrade(empty_database_url)
    app = create_app(app_settings(empty_database_url, tmp_path))
    with app.app_context():
        import_demo_frameworks()
        world = build_world(db.session)
        ks2 = db.session.scalars(select(Framework).where(Framework.slug == "ks2-writing-ta")).one()
        evidence = {"EXS.1": "Fronted adverbials", "EXS.2": "Paragraphs", "WTS.1": "Full stops"}
        for code in ("WTS", "EXS", "GDS"):
            make_exemplar(db.session, world.school_a, world.teacher_a, ks2, code, evidence=evidence)
        db.session.commit()
        published = _index()
        assert len(published) == 9
        db.session.execute(delete(ExemplarStatement))  # as if published before the index existed
        db.session.commit()
        assert _index() == []
        db.session.close()
        # 0008's own step, on its own: downgrading through the later migrations to re-run it would test theirs too.
        engine = app.extensions["database"]["engine"]
        with engine.begin() as connection, Operations.context(MigrationContext.configure(connection)):
            _migration_0008()._index_published_exemplars()
        assert _index() == published
        db.session.close()
        engine.dispose()


def _migration_0008() -> ModuleType:
    path = next((migrate.MIGRATIONS / "versions").glob("*_0008.py"))
    spec = importlib.util.spec_from_file_location("migration_0008", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
