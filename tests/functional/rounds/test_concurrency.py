"""Writers at the same moment, for real: an app on a database of its own (no test transaction around it),
requests in two threads released together. Nothing is lost or overwritten silently; the second writer is told.

Runs on SQLite and, with ``--database=postgresql``, on a scratch PostgreSQL database.
"""

import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from moderation_hub import create_app
from moderation_hub.db import Base, db
from moderation_hub.frameworks.services import import_demo_frameworks
from moderation_hub.rounds import assign, services
from moderation_hub.rounds.models import Judgement, JudgementState, RoundKind, RoundState
from moderation_hub.samples.models import SampleState, WorkSample
from tests.conftest import (
    ServerLikeClient,
    app_settings,
    csrf_token_from,
    https_client,
    scratch_postgresql_database,
    sign_in,
)
from tests.factories import build_world
from tests.functional.rounds.conftest import judging_url


@pytest.fixture
def committing_app(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Flask, list[int]]]:
    """A round in judging whose one sample is allocated to two moderators; yields the judgement ids."""
    if request.config.getoption("--database") == "postgresql":
        with scratch_postgresql_database(os.environ["TEST_DATABASE_URL"]) as url:
            yield from _seeded_app(url, tmp_path)
    else:
        yield from _seeded_app(f"sqlite:///{tmp_path / 'concurrent.sqlite3'}", tmp_path)


def _seeded_app(database_url: str, tmp_path: Path) -> Iterator[tuple[Flask, list[int]]]:
    app = create_app(app_settings(database_url, tmp_path))
    app.test_client_class = ServerLikeClient
    engine = app.extensions["database"]["engine"]
    Base.metadata.create_all(engine)
    with app.app_context():
        world = build_world(db.session)
        framework = next(r.framework for r in import_demo_frameworks() if r.framework.slug == "ks2-writing-ta")
        sample = WorkSample(
            school=world.school_a, framework=framework, pupil_code="Y6-777", year_group=6, academic_year=2025
        )
        sample.state = SampleState.SUBMITTED
        db.session.add(sample)
        round_ = services.create_round(
            world.authority,
            services.RoundSettings("Concurrent round", RoundKind.LA_MODERATION, 2025, [framework.id]),
            world.la_lead,
        )
        taking_part = services.add_school(round_, world.school_a, world.la_lead)
        services.add_school(round_, world.school_b, world.la_lead)
        for person in (world.moderator, world.teacher_b):
            services.add_moderator(round_, person, None, world.la_lead)
        services.advance(round_, RoundState.COLLECTING, round_.version, world.la_lead)
        services.enter_sample(taking_part, sample, world.lead_a)
        assign.allocate_round(round_, world.la_lead)
        services.advance(round_, RoundState.JUDGING, round_.version, world.la_lead)
        ids = [judgement.id for judgement in round_.entries[0].judgements]
        db.session.commit()
    yield app, ids
    engine.dispose()


def _url(app: Flask, judgement_id: int) -> str:
    with app.app_context():
        return judging_url(db.session.get_one(Judgement, judgement_id))


def _form(client: FlaskClient, url: str) -> dict[str, str]:
    page = client.get(url).get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page)
    assert version, page[:2000]
    return {"csrf_token": csrf_token_from(page), "version": version.group(1)}


def _together(*posts: tuple[FlaskClient, str, dict[str, str]]) -> list[int]:
    """Send the posts from threads released at the same moment; their status codes, in order."""
    barrier = threading.Barrier(len(posts))
    statuses = [0] * len(posts)

    def send(index: int, client: FlaskClient, url: str, data: dict[str, str]) -> None:
        barrier.wait()
        statuses[index] = client.post(url, data=data).status_code

    threads = [threading.Thread(target=send, args=(i, *post)) for i, post in enumerate(posts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def _judgements(app: Flask, ids: list[int]) -> list[Judgement]:
    with app.app_context():
        rows = [db.session.get_one(Judgement, judgement_id) for judgement_id in ids]
        return [(row.state, row.rationale, row.standard.code if row.standard else None) for row in rows]  # type: ignore[misc]


def test_two_moderators_submitting_at_the_same_moment_both_keep_their_judgement(
    committing_app: tuple[Flask, list[int]],
) -> None:
    app, ids = committing_app
    with app.app_context():
        emails = [db.session.get_one(Judgement, judgement_id).moderator.email for judgement_id in ids]
    posts = []
    for judgement_id, email in zip(ids, emails, strict=True):
        client = https_client(app)
        sign_in(client, email)
        url = _url(app, judgement_id)
        data = _form(client, url) | {
            "standard": "EXS",
            "rationale": f"Rationale of {email}",
            "action": "submit",
        }
        posts.append((client, url, data))
    assert _together(*posts) == [302, 302]
    assert _judgements(app, ids) == [(JudgementState.SUBMITTED, f"Rationale of {email}", "EXS") for email in emails]


def test_one_moderator_in_two_tabs_is_told_instead_of_overwriting(committing_app: tuple[Flask, list[int]]) -> None:
    app, ids = committing_app
    with app.app_context():
        email = db.session.get_one(Judgement, ids[0]).moderator.email
    url = _url(app, ids[0])
    tabs = []
    for text in ("first tab", "second tab"):
        client = https_client(app)
        sign_in(client, email)
        tabs.append((client, url, _form(client, url) | {"rationale": text, "action": "save"}))
    statuses = _together(*tabs)
    assert sorted(statuses) == [302, 409]
    winner = ("first tab", "second tab")[statuses.index(302)]
    assert _judgements(app, ids[:1]) == [(JudgementState.DRAFT, winner, None)]
    # The tab that lost reloads and sees the other's words, with a version that now saves.
    loser = tabs[statuses.index(409)][0]
    page = loser.get(url).get_data(as_text=True)
    assert winner in page
