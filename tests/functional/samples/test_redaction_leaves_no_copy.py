"""Words a redaction removes leave no copy in SQLite's files: neither the database file nor its write-ahead log.

The usual fixtures keep every test inside one uncommitted transaction; this test needs real commits, so it
builds an app of its own on a fresh database file.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from moderation_hub import create_app
from moderation_hub.db import Base, db
from moderation_hub.frameworks.services import import_demo_frameworks
from moderation_hub.ingestion.geometry import Box
from moderation_hub.samples.models import FileStatus, Page, SourceFile
from moderation_hub.samples.pages import add_redactions
from moderation_hub.samples.services import SampleDetails, create_sample
from tests.conftest import app_settings
from tests.factories import build_world

SECRET = "Quillondrake"  # the pupil's surname, printed on the page
# A letter whose address block is redacted: the row shrinks by several database pages, which SQLite frees.
WORDS = [("Written", 0.1), ("by", 0.3), *((f"{SECRET}-{n}", 0.5) for n in range(400))]


@pytest.fixture
def committing_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Flask]:
    if request.config.getoption("--database") != "sqlite":
        pytest.skip("SQLite's files; on PostgreSQL the operator vacuums (README)")
    url = f"sqlite:///{tmp_path / 'redaction.sqlite3'}"
    app = create_app(app_settings(url, tmp_path) | {"JOB_IMMEDIATE": False})  # the images are not remade here
    Base.metadata.create_all(app.extensions["database"]["engine"])
    with app.app_context():
        yield app
    app.extensions["database"]["engine"].dispose()


def database_bytes(tmp_path: Path) -> bytes:
    files = [tmp_path / "redaction.sqlite3", tmp_path / "redaction.sqlite3-wal"]
    return b"".join(path.read_bytes() for path in files if path.exists())


def test_redacted_words_are_in_no_byte_of_the_database_files(committing_app: Flask, tmp_path: Path) -> None:
    world = build_world(db.session)
    framework = next(r.framework for r in import_demo_frameworks() if r.framework.slug == "ks2-writing-ta")
    sample = create_sample(world.school_a, framework, SampleDetails("Y6-001", 6, 2025), world.teacher_a)
    source = SourceFile(
        sample=sample, school_file_name="letter.pdf", kind="pdf", byte_size=1, sha256="0" * 64, page_count=1
    )
    page = Page(sample=sample, source_file=source, position=0, index_in_file=0, width=600, height=800)
    page.master_key, page.display_key, page.thumbnail_key = "a" * 32, "b" * 32, "c" * 32  # images are not read
    page.words = [{"text": text, "x0": x, "y0": 0.1, "x1": x + 0.15, "y1": 0.15} for text, x in WORDS]
    page.text = " ".join(text for text, _x in WORDS)
    source.status = FileStatus.READY
    db.session.add(page)
    db.session.commit()
    assert SECRET.encode() in database_bytes(tmp_path)  # the page's text was stored

    add_redactions(page, [Box(0.45, 0.05, 0.7, 0.2)], world.teacher_a)
    db.session.commit()

    assert page.text == "Written by"
    assert SECRET.encode() not in database_bytes(tmp_path)
