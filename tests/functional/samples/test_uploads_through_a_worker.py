"""Uploads as deployed: queued (in the SQLite queue, as the README's serve command runs it, or in Redis, as at
scale) and made into pages by ``flask worker``, in worker processes of its own.

The database is one of the test's own, migrated and committed to for real, since the worker reads it from
another process: the suite's usual rolled-back transaction would hide every row from it.
"""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from moderation_hub import migrate
from moderation_hub.accounts.models import Role
from moderation_hub.db import db
from moderation_hub.frameworks.services import import_demo_frameworks
from moderation_hub.samples.models import FileStatus, SourceFile
from moderation_hub.samples.services import SampleDetails, create_sample
from moderation_hub.samples.uploads import accept_upload
from moderation_hub.storage import storage
from tests.conftest import scratch_postgresql_database
from tests.factories import make_authority, make_school, make_user
from tests.functional.test_jobs_worker import RunningWorker, worker_running
from tests.unit.ingestion import samples as files


@pytest.fixture
def committed_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of the suite's kind, migrated to the latest schema, for this test alone."""
    if request.config.getoption("--database") == "sqlite":
        url = f"sqlite:///{tmp_path / 'committed.sqlite3'}"
        migrate.upgrade(url)
        yield url
        return
    with scratch_postgresql_database(os.environ["TEST_DATABASE_URL"]) as url:
        migrate.upgrade(url)
        yield url


@pytest.fixture(params=["sqlite", "redis"])
def worker(request: pytest.FixtureRequest, tmp_path: Path, committed_database_url: str) -> Iterator[RunningWorker]:
    """``flask worker`` on the test's database and storage, its queue a SQLite file of its own or a Redis queue."""
    settings = {"STORAGE_URL": f"file://{tmp_path / 'uploads'}"}
    if request.param == "redis":
        settings |= {
            "REDIS_URL": request.getfixturevalue("redis_url"),
            "JOB_QUEUE_NAME": f"mh_test_{uuid.uuid4().hex[:12]}",
        }
    with worker_running(tmp_path, committed_database_url, **settings) as running:
        yield running
        running.app.extensions["jobs"].huey.flush()
    running.app.extensions["database"]["engine"].dispose()


def _upload(app: Flask, filename: str, data: bytes) -> int:
    """A teacher's upload to a new sample, committed; its job goes to the queue on commit. The file's id."""
    with app.app_context(), db.transaction():
        school = make_school(db.session, make_authority(db.session))
        teacher = make_user(db.session, (Role.TEACHER, school))
        framework = next(r.framework for r in import_demo_frameworks() if r.framework.slug == "ks2-writing-ta")
        sample = create_sample(school, framework, SampleDetails("Y6-001", 6, 2025), teacher)
        source = accept_upload(sample, filename, data, teacher)
        db.session.flush()
        return source.id


def _status(app: Flask, source_id: int) -> FileStatus:
    with app.app_context():
        return db.session.get_one(SourceFile, source_id).status


def test_an_upload_becomes_pages_made_by_a_flask_worker(worker: RunningWorker) -> None:
    app = worker.app
    source_id = _upload(app, "essay.pdf", files.essay_pdf())

    worker.wait_until("the worker to make the file's pages", lambda: _status(app, source_id) is FileStatus.READY)
    with app.app_context():
        source = db.session.get_one(SourceFile, source_id)
        assert [page.index_in_file for page in source.pages] == [0, 1]
        assert "Amy Jones" in source.pages[0].text
        for page in source.pages:
            for key in (page.master_key, page.display_key, page.thumbnail_key):
                assert storage().exists(key)
        assert source.upload_key is None  # the upload itself deleted: the school keeps no originals
        assert db.session.scalars(select(SourceFile.failure_reason).where(SourceFile.id == source_id)).one() is None


def test_a_file_the_worker_cannot_render_fails_with_its_reason_and_the_worker_carries_on(
    worker: RunningWorker,
) -> None:
    """A JPEG whose damage only decoding shows passes the upload check and fails in the worker's sandbox."""
    app = worker.app
    broken_id = _upload(app, "broken.jpg", files.jpeg_with_a_bad_table())
    next_id = _upload(app, "photo.jpg", files.landscape_photo())

    worker.wait_until("the broken file to fail", lambda: _status(app, broken_id) is FileStatus.FAILED)
    worker.wait_until("the next file's page", lambda: _status(app, next_id) is FileStatus.READY)
    with app.app_context():
        broken = db.session.get_one(SourceFile, broken_id)
        assert broken.failure_reason == '"broken.jpg" is damaged or incomplete and cannot be read as a JPEG image'
        assert broken.pages == []
        assert broken.upload_key is None
