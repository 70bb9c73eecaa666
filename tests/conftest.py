"""Fixtures shared by every test.

Each test runs inside a transaction opened on one connection; the test's session and every request's
session join it through savepoints (so a request's commit is real inside the test, and what the test
flushed is what requests read) and everything is rolled back at the end.
The suite runs on SQLite by default and on PostgreSQL with ``--database=postgresql`` (reading
TEST_DATABASE_URL).
"""

import contextvars
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine, make_url, text
from sqlalchemy.orm import Session, sessionmaker
from werkzeug.test import TestResponse, stream_encode_multipart

from moderation_hub import create_app
from moderation_hub.db import Base, build_engine, db
from tests import factories
from tests.storage_server import S3Server, running_s3_server, use_dummy_credentials


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database",
        choices=("sqlite", "postgresql"),
        default="sqlite",
        help="sqlite (a temporary file) or postgresql (TEST_DATABASE_URL)",
    )


@contextmanager
def scratch_postgresql_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the server of ``server_url``, dropped afterwards.

    Each run gets its own, so runs on one machine (a developer's and CI's) never meet.
    """
    name = f"mh_test_{uuid.uuid4().hex[:12]}"
    admin = build_engine(server_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.config.getoption("--database") == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    server_url = os.environ.get("TEST_DATABASE_URL")
    if not server_url:
        pytest.fail("--database=postgresql needs TEST_DATABASE_URL, e.g. postgresql+psycopg://postgres@127.0.0.1/test")
    with scratch_postgresql_database(server_url) as url:
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = build_engine(database_url)
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as connection:
        transaction = connection.begin()
        yield connection
        transaction.rollback()


class ServerLikeClient(FlaskClient):
    """Runs every request in contexts of its own, as a server would.

    Tests hold an app context (to arrange data and call services); Flask would otherwise reuse it for
    the client's requests, sharing ``g`` (the signed-in user, the database session) between them.
    """

    def open(self, *args: Any, **kwargs: Any) -> TestResponse:
        # Buffered: the response is read whole and closed, as a server would, so a streamed file is closed too.
        kwargs.setdefault("buffered", True)
        return contextvars.Context().run(super().open, *args, **kwargs)


def app_settings(database_url: str, tmp_path: Path) -> dict[str, object]:
    return {
        "ENVIRONMENT": "testing",
        "SECRET_KEY": "test-secret-key",
        "DATABASE_URL": database_url,
        "STORAGE_URL": f"file://{tmp_path / 'uploads'}",
        "SERVER_NAME": "localhost",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "JOB_IMMEDIATE": True,  # jobs run inside enqueue; tests of the worker itself turn this off
    }


def build_test_app(connection: Connection, database_url: str, tmp_path: Path, **settings: object) -> Flask:
    """An app whose sessions join the test's transaction; ``settings`` override the test defaults."""
    app = create_app(app_settings(database_url, tmp_path) | settings)
    app.extensions["database"]["engine"].dispose()
    app.extensions["database"]["sessionmaker"] = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
    app.test_client_class = ServerLikeClient
    return app


@pytest.fixture
def app(connection: Connection, database_url: str, tmp_path: Path) -> Iterator[Flask]:
    app = build_test_app(connection, database_url, tmp_path)
    with app.app_context():
        yield app


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    """moto's S3 server on 127.0.0.1, one per run, reached over HTTP as a real endpoint is."""
    with running_s3_server() as server:
        yield server


@pytest.fixture
def s3_app(
    connection: Connection, database_url: str, tmp_path: Path, s3_server: S3Server, monkeypatch: pytest.MonkeyPatch
) -> Flask:
    """The test app with its storage on moto's S3, under a prefix of its own; no app context is pushed."""
    use_dummy_credentials(monkeypatch)
    return build_test_app(
        connection,
        database_url,
        tmp_path,
        STORAGE_URL=f"s3://{s3_server.bucket}/e2e-{tmp_path.name}",
        S3_ENDPOINT_URL=s3_server.endpoint_url,
        S3_REGION=s3_server.region,
        S3_ADDRESSING_STYLE="path",
    )


@pytest.fixture
def redis_url() -> str:
    """The local Redis (REDIS_URL, default 127.0.0.1:6379); skipped where none runs, except under CI."""
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI needs Redis at {url}: {error}")
        pytest.skip(f"no Redis at {url}: {error}")
    return url


@pytest.fixture
def session(app: Flask) -> Session:
    """The app context's session: what tests arrange with is what requests then read."""
    return db.session


def https_client(app: Flask) -> FlaskClient:
    """A test client whose requests arrive over HTTPS (the test client follows PREFERRED_URL_SCHEME)."""
    client = app.test_client()
    # Over HTTPS, Flask-WTF also checks that a form was posted from this site, as a browser tells it.
    client.environ_base["HTTP_REFERER"] = "https://localhost/"
    return client


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return https_client(app)


@pytest.fixture
def world(session: Session) -> factories.World:
    """Two schools (A and B) in one authority and one person in each role; see factories.World."""
    return factories.build_world(session)


_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1) or match.group(2)


def post_form(client: FlaskClient, url: str, data: dict[str, object], page: str | None = None, **kwargs: object):
    """Submit a form as a browser would: read the CSRF token from the page that shows the form."""
    token = csrf_token_from(client.get(page or url).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token}, **kwargs)


def post_multipart(client: FlaskClient, url: str, data: dict[str, object], page: str | None = None, **kwargs: object):
    """``post_form`` for file uploads, with the body encoded in memory: the test client would spool a
    large body to a temporary file that nothing closes, which warnings-as-errors reports."""
    token = csrf_token_from(client.get(page or url).get_data(as_text=True))
    body, length, boundary = stream_encode_multipart({**data, "csrf_token": token}, use_tempfile=False)
    content_type = f"multipart/form-data; boundary={boundary}"
    return client.post(url, input_stream=body, content_length=length, content_type=content_type, **kwargs)


def sign_in(client: FlaskClient, email: str, password: str = factories.PASSWORD):
    response = post_form(client, "/sign-in", {"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response
