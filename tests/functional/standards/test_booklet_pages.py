"""The booklet's form, linked from the library: it asks for the booklet as a prepared download, built in the worker,
which only its reader downloads and only while its exemplars are what they were; hostile input is refused, never a
500."""

import re

import pymupdf
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from moderation_hub.downloads.models import DownloadState, PreparedDownload
from moderation_hub.frameworks.models import Framework
from moderation_hub.rounds.models import RoundState
from moderation_hub.standards import publication
from tests.conftest import post_form
from tests.factories import World, make_entry, make_exemplar, make_round, make_user
from tests.functional.conftest import statements_on
from tests.functional.standards.conftest import Library, signed_in

PROGRESS = re.compile(r"^(?:https://localhost)?/downloads/(\d+)$")


def _ask(client: FlaskClient, **choices: object) -> int:
    response = post_form(client, "/standards/booklet", choices)
    assert response.status_code == 303, response.get_data(as_text=True)
    match = PROGRESS.match(response.location)
    assert match, response.location
    return int(match.group(1))


def _downloads(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(PreparedDownload)) or 0


def test_the_library_leads_to_the_booklet_form_which_offers_what_the_reader_may_read(
    app: Flask, world: World, library: Library, framework: Framework
) -> None:
    client = signed_in(app, world.teacher_b)
    assert 'href="/standards/booklet"' in client.get("/standards").get_data(as_text=True)
    page = client.get("/standards/booklet").get_data(as_text=True)
    assert f'<option value="{framework.id}">{framework.title} (version {framework.version}) (1)</option>' in page
    assert '<option value="6">Year 6 (1)</option>' in page
    outsider = signed_in(app, world.teacher_c).get("/standards/booklet").get_data(as_text=True)
    assert "There are no exemplars you may read yet." in outsider


def test_a_reader_asks_for_a_booklet_and_downloads_it_once_the_worker_has_made_it(
    app: Flask, session: Session, world: World, library: Library, framework: Framework
) -> None:
    client = signed_in(app, world.teacher_b)
    download_id = _ask(client, framework=framework.id, year=6, standard="")
    download = session.get_one(PreparedDownload, download_id)
    assert download.state is DownloadState.READY
    assert download.title.startswith(f"Standards file booklet: Year 6, {framework.title}")
    response = client.get(f"/downloads/{download_id}/file")
    assert response.status_code == 200 and response.content_type == "application/pdf"
    assert download.byte_size == len(response.data)  # the worker's file learnt where the copy into it ended
    with pymupdf.open(stream=response.data, filetype="pdf") as document:
        assert document.get_toc()[1][1] == f"1. Pupil A: Year 6, {framework.title}, EXS"
    assert _ask(client, framework=framework.id, year=6, standard="") == download_id  # the same one, not made again
    # Nobody else reaches it, not even by its address.
    assert signed_in(app, world.teacher_a).get(f"/downloads/{download_id}/file").status_code == 404


def test_a_booklet_made_before_a_withdrawal_is_not_served_after_it(
    app: Flask, session: Session, world: World, library: Library
) -> None:
    client = signed_in(app, world.teacher_b)
    download_id = _ask(client)
    assert client.get(f"/downloads/{download_id}/file").status_code == 200
    publication.withdraw_permission(library.sample, world.lead_a)
    session.flush()
    for url in (f"/downloads/{download_id}", f"/downloads/{download_id}/file"):
        assert client.get(url).status_code == 404
    response = post_form(client, "/standards/booklet", {})
    assert response.status_code == 400
    assert "No exemplar you may read matches these choices" in response.get_data(as_text=True)


def test_a_moderator_judging_the_sample_blind_cannot_ask_for_a_booklet_of_it(
    app: Flask, session: Session, world: World, framework: Framework, library: Library
) -> None:
    blind = make_user(session, email="blind.asker@example.org")
    make_entry(
        session, make_round(session, world.authority, framework, RoundState.JUDGING), library.sample, {blind: None}
    )
    session.flush()
    client = signed_in(app, blind)
    assert "There are no exemplars you may read yet." in client.get("/standards/booklet").get_data(as_text=True)
    assert post_form(client, "/standards/booklet", {"framework": framework.id}).status_code == 400
    assert _downloads(session) == 0


@pytest.mark.parametrize(
    "choices",
    [
        {"framework": "\x00"},
        {"framework": "1\u202e"},
        {"year": "6" * 5000},
        {"year": "-1"},
        {"standard": "999999999999999999999"},
        {"framework": "999999"},
        {"year": "\x07"},
    ],
    ids=["nul", "bidi", "over-long", "negative", "huge", "not offered", "control"],
)
def test_hostile_choices_are_refused_and_ask_for_nothing(
    app: Flask, session: Session, world: World, library: Library, choices: dict[str, str]
) -> None:
    response = post_form(signed_in(app, world.teacher_b), "/standards/booklet", choices)
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)
    assert _downloads(session) == 0


def test_the_form_costs_the_same_statements_with_one_exemplar_as_with_seven(
    app: Flask, session: Session, connection: Connection, world: World, library: Library, framework: Framework
) -> None:
    client = signed_in(app, world.teacher_b)
    client.get("/standards/booklet")  # warm: the first request loads the session's user
    counts = []
    for added in (0, 6):
        for code in ("WTS", "EXS", "GDS", "EXS", "GDS", "WTS")[:added]:
            make_exemplar(session, world.school_a, world.teacher_a, framework, code)
        with statements_on(connection) as statements:
            page = client.get("/standards/booklet").get_data(as_text=True)
        assert f"{framework.title} (version {framework.version}) ({1 + added})" in page
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
