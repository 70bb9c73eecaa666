"""Migration 0015 indexes the exemplars published before it, as publication indexes them."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import select

from moderation_hub import create_app, migrate
from moderation_hub.db import db
from moderation_hub.frameworks.models import Framework
from moderation_hub.frameworks.services import import_demo_frameworks
from moderation_hub.standards import search
from moderation_hub.standards.models import Exemplar
from tests.conftest import app_settings, scratch_postgresql_database
from tests.factories import build_world, make_exemplar


@pytest.fixture
def empty_database_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    with scratch_postgresql_database(database_url) as url:
        yield url


def test_upgrading_past_0015_indexes_the_exemplars_already_published(empty_database_url: str, tmp_path: Path) -> None:
    migrate.upgrade(empty_database_url)
    app = create_app(app_settings(empty_database_url, tmp_path))
    with app.app_context():
        import_demo_frameworks()
        world = build_world(db.session)
        ks2 = db.session.scalars(select(Framework).where(Framework.slug == "ks2-writing-ta")).one()
        commentaries = ("Semicolons throughout", "Fronted adverbials in piece A", "A café scene, well paced")
        for code, commentary in zip(("WTS", "EXS", "GDS"), commentaries, strict=True):
            make_exemplar(db.session, world.school_a, world.teacher_a, ks2, code, commentary=commentary)
        db.session.commit()  # inserted directly, as before the index existed: nothing of them is indexed
        code_of = {exemplar.current.commentary: exemplar.code for exemplar in db.session.scalars(select(Exemplar))}  # type: ignore[union-attr]
        assert search.search(world.la_lead, search.parse("semicolons"), {}, 1).paging.total == 0  # type: ignore[union-attr]
        db.session.close()
        app.extensions["database"]["engine"].dispose()
    command.downgrade(migrate.alembic_config(empty_database_url), "0014")
    migrate.upgrade(empty_database_url)
    with app.app_context():
        lead = db.session.merge(world.la_lead, load=True)
        for words, commentary in (("semicolons", commentaries[0]), ("cafe", commentaries[2]), ("piece", None)):
            found = search.search(lead, search.parse(words), {}, 1)
            expected = sorted(code_of.values()) if commentary is None else [code_of[commentary]]
            assert found is not None and sorted(item.code for item in found.found) == expected, words
        db.session.close()
        app.extensions["database"]["engine"].dispose()
