"""The live app the browser tests drive, and samples made in it through the app's own services.

The app runs jobs with ``JOB_IMMEDIATE`` (no worker runs in a test): pages are made while the upload
request runs, as in the functional tests, and everything it writes stays in a temporary folder.
"""

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import Any

import pymupdf
from flask import Flask
from sqlalchemy import select
from werkzeug.serving import WSGIRequestHandler, make_server

from moderation_hub import create_app, migrate
from moderation_hub.accounts.models import User
from moderation_hub.clock import current_academic_year
from moderation_hub.db import db
from moderation_hub.demo import load_demo
from moderation_hub.frameworks.models import Framework
from moderation_hub.ingestion.geometry import Box
from moderation_hub.organisations.models import School
from moderation_hub.samples import pages, uploads
from moderation_hub.samples.models import FileStatus, Page, SourceFile, WorkSample
from moderation_hub.samples.services import SampleDetails, create_sample

TEACHER_EMAIL = "year6@harbourside.demo.moderation-hub.test"
TEACHER_SCHOOL = "Harbourside Primary School"
FRAMEWORK_SLUG = "ks2-writing-ta"
_pupil_numbers = count(1)


@dataclass(frozen=True)
class LiveApp:
    url: str
    app: Flask


class _Answer:
    """An answer of the app that is closed once, whoever asks first."""

    def __init__(self, inner: Iterable[bytes]) -> None:
        self.inner, self.closed = inner, False

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.inner)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            getattr(self.inner, "close", lambda: None)()


_this_thread = threading.local()  # the threaded server answers each request in a thread of its own


def _remembering_answers(app: Flask) -> Any:
    def serve(environ: dict[str, Any], start_response: Any) -> _Answer:
        _this_thread.answer = _Answer(app(environ, start_response))
        return _this_thread.answer

    return serve


class _ClosesEveryAnswer(WSGIRequestHandler):
    """Werkzeug's development server, made to close every answer even when the browser hangs up part way through.

    The browser drops image requests as it leaves a page; werkzeug can then fail while draining the socket, before it
    closes the answer, leaving a page image's open file to the garbage collector (a ResourceWarning, an error in this
    suite). Gunicorn closes answers whatever happens; here the handler does once the request is over.
    """

    def run_wsgi(self) -> None:
        try:
            super().run_wsgi()
        finally:
            answer, _this_thread.answer = getattr(_this_thread, "answer", None), None
            if answer is not None:
                answer.close()


@contextmanager
def live_app_with_jobs(directory: Path) -> Iterator[LiveApp]:
    """The real app with the demo data, served over HTTP from a thread; jobs run inside the request."""
    database_url = f"sqlite:///{directory / 'live.sqlite3'}"
    migrate.upgrade(database_url)
    app = create_app(
        {
            "ENVIRONMENT": "testing",
            "SECRET_KEY": "browser-test-secret-key",
            "SERVER_NAME": "127.0.0.1",  # the server's address; its port is chosen later and hosts match without one
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(directory / "instance"),
            "STORAGE_URL": f"file://{directory / 'uploads'}",
            "JOB_IMMEDIATE": True,
        }
    )
    with app.app_context(), db.transaction():
        load_demo()
    server = make_server("127.0.0.1", 0, _remembering_answers(app), threaded=True, request_handler=_ClosesEveryAnswer)
    thread = threading.Thread(target=server.serve_forever, name="samples-live-server", daemon=True)
    thread.start()
    try:
        yield LiveApp(f"http://127.0.0.1:{server.server_port}", app)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
        app.extensions["database"]["engine"].dispose()


def make_sample(live: LiveApp, *files: tuple[str, bytes]) -> int:
    """A new draft sample at the teacher's school, with ``files`` uploaded and processed; returns its id."""
    with live.app.app_context(), db.transaction():
        teacher = db.session.scalars(select(User).where(User.email == TEACHER_EMAIL)).one()
        school = db.session.scalars(select(School).where(School.name == TEACHER_SCHOOL)).one()
        framework = db.session.scalars(select(Framework).where(Framework.slug == FRAMEWORK_SLUG)).first()
        details = SampleDetails(f"BR-{next(_pupil_numbers):03d}", 6, current_academic_year())
        sample = create_sample(school, framework, details, teacher)
        for name, content in files:
            uploads.accept_upload(sample, name, content, teacher)
        return sample.id  # leaving the block commits, and the files' jobs run then (JOB_IMMEDIATE)


def page_ids(live: LiveApp, sample_id: int) -> list[int]:
    with live.app.app_context():
        return [page.id for page in db.session.get_one(WorkSample, sample_id).pages]


def add_annotation(live: LiveApp, page_id: int, comment: str) -> None:
    """An annotation near the top left of the page, linked to the framework's first statement."""
    with live.app.app_context(), db.transaction():
        page = db.session.get_one(Page, page_id)
        teacher = db.session.scalars(select(User).where(User.email == TEACHER_EMAIL)).one()
        criteria = page.sample.framework.criteria[:1]
        pages.add_annotation(page, Box(0.1, 0.1, 0.4, 0.2), comment, criteria, teacher)


def set_file_status(live: LiveApp, sample_id: int, status: FileStatus) -> None:
    """Stands for the worker: marks every file of the sample as waiting for it, or as done."""
    with live.app.app_context(), db.transaction():
        for source in db.session.get_one(WorkSample, sample_id).files:
            source.status = status


def add_unplaced_file(live: LiveApp, sample_id: int, page_count: int) -> int:
    """Stands for an upload the worker has yet to process: a PDF of ``page_count`` pages; returns its id."""
    with live.app.app_context(), db.transaction():
        source = SourceFile(
            sample_id=sample_id,
            school_file_name="scan.pdf",
            kind="pdf",
            byte_size=1000,
            sha256="0" * 64,
            page_count=page_count,
            attempts=1,
        )
        db.session.add(source)
        db.session.flush()
        return source.id


def fail_file(live: LiveApp, source_file_id: int, reason: str) -> None:
    """Stands for the worker giving up on a file."""
    with live.app.app_context(), db.transaction():
        source = db.session.get_one(SourceFile, source_file_id)
        source.status, source.failure_reason = FileStatus.FAILED, reason


def set_images_outdated(live: LiveApp, page_id: int, outdated: bool) -> None:
    """Stands for the worker: a page whose redactions are, or are no longer, waiting to be burned in."""
    with live.app.app_context(), db.transaction():
        db.session.get_one(Page, page_id).images_outdated = outdated


def fail_remake(live: LiveApp, page_id: int, reason: str) -> None:
    """Stands for the worker giving up on burning a page's redactions in."""
    with live.app.app_context(), db.transaction():
        page = db.session.get_one(Page, page_id)
        page.images_outdated, page.remake_failure = True, reason


def small_pdf(page_count: int) -> bytes:
    """A PDF of small numbered pages: each renders quickly, and each looks different."""
    document = pymupdf.open()
    for number in range(1, page_count + 1):
        page = document.new_page(width=200, height=280)
        page.insert_text((20, 60), f"Page {number}", fontsize=24)
    return document.tobytes()
