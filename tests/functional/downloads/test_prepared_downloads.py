"""Prepared downloads: a round's report PDF and its judgements XLSX built off the request path, with progress,
stored, shared for one version of the data, served only to the person who asked while they may still read it,
failures shown in words of ours, and expired files swept from storage."""

import dataclasses
import io
import logging

import pymupdf
import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from moderation_hub import db as database
from moderation_hub.audit.models import AuditEvent
from moderation_hub.downloads import kinds, services
from moderation_hub.downloads.models import DownloadState, PreparedDownload
from moderation_hub.reports import views as report_views
from moderation_hub.rounds import exports
from moderation_hub.rounds.models import RoundState
from moderation_hub.storage import storage_of
from tests.conftest import https_client, sign_in
from tests.factories import World
from tests.functional.conftest import statements_on
from tests.functional.downloads.conftest import ask
from tests.functional.reports.conftest import RevealedRound

PDF = kinds.ROUND_REPORT_PDF.key
XLSX = kinds.JUDGEMENTS_XLSX.key


def _signed_in(client: FlaskClient, email: str) -> FlaskClient:
    sign_in(client, email)
    return client


def test_the_lead_prepares_the_round_pdf_and_downloads_it(
    client: FlaskClient, world: World, revealed_round: RevealedRound, session: Session
) -> None:
    round_ = revealed_round.round
    download_id = ask(_signed_in(client, world.la_lead.email), PDF, round=round_.id)

    page = client.get(f"/downloads/{download_id}").text
    assert "Ready" in page and f'href="/downloads/{download_id}/file"' in page
    response = client.get(f"/downloads/{download_id}/file")
    assert response.status_code == 200
    assert response.content_type == "application/pdf"
    name = f"round-{round_.id}-framework-{revealed_round.framework.id}-report.pdf"
    assert response.headers["Content-Disposition"] == f"attachment; filename={name}"
    assert response.headers["Cache-Control"] == "private, no-store"
    with pymupdf.open(stream=response.data, filetype="pdf") as document:
        text = " ".join(" ".join(page.get_text().split()) for page in document)
    assert "75.0% of schools' judgements matched the agreed outcome" in text
    download = session.get_one(PreparedDownload, download_id)
    assert (download.state, download.done, download.total) == (DownloadState.READY, 7, 7)  # figures, 5 charts, pages
    assert download.byte_size == len(response.data)
    listed = client.get("/downloads").text
    assert f'href="/downloads/{download_id}"' in listed and "Year 6 writing: agreement report (PDF)" in listed


def test_only_those_who_may_read_the_report_may_ask(
    app: Flask, world: World, revealed_round: RevealedRound, session: Session
) -> None:
    url = f"/downloads/new/{PDF}?round={revealed_round.round.id}"
    for person in (world.moderator, world.lead_a, world.teacher_a, world.other_la_lead):
        client = _signed_in(https_client(app), person.email)
        assert client.get(url).status_code == 404, person.email
        assert client.post(url, data={}).status_code in (400, 404)  # no token from a page they cannot open
    assert session.scalar(select(func.count()).select_from(PreparedDownload)) == 0


def test_a_download_reaches_only_its_asker_and_only_while_the_round_shows_its_report(
    app: Flask, client: FlaskClient, world: World, revealed_round: RevealedRound, session: Session
) -> None:
    round_ = revealed_round.round
    download_id = ask(_signed_in(client, world.la_lead.email), PDF, round=round_.id)
    urls = (f"/downloads/{download_id}", f"/downloads/{download_id}.json", f"/downloads/{download_id}/file")
    for person in (world.admin, world.moderator, world.other_la_lead):  # the admin may read the report, not this
        other = _signed_in(https_client(app), person.email)
        assert [other.get(url).status_code for url in urls] == [404, 404, 404], person.email
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]

    # The round goes back to judging (blind): its report is hidden again, and so is the file made from it.
    round_.state = RoundState.JUDGING
    session.flush()
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]


def test_asking_again_for_the_same_version_reuses_the_file_and_a_write_makes_a_new_one(
    app: Flask, client: FlaskClient, world: World, revealed_round: RevealedRound, session: Session, monkeypatch
) -> None:
    built: list[int] = []
    original = services.build
    monkeypatch.setattr(services, "build", lambda download_id: (built.append(download_id), original(download_id)))
    round_ = revealed_round.round
    lead = _signed_in(client, world.la_lead.email)
    first = ask(lead, PDF, round=round_.id)
    assert ask(lead, PDF, round=round_.id) == first  # the same row: a second click changes nothing
    admin = _signed_in(https_client(app), world.admin.email)
    shared = ask(admin, PDF, round=round_.id)
    assert shared != first
    rows = {row.id: row for row in session.scalars(select(PreparedDownload))}
    assert rows[shared].state is DownloadState.READY and rows[shared].storage_key == rows[first].storage_key
    assert built == [first]
    assert admin.get(f"/downloads/{shared}/file").data == lead.get(f"/downloads/{first}/file").data

    # A write the report shows (an agreed outcome changes) is a new version of the data: a new file is built.
    entry = round_.entries[0]
    entry.agreed_rationale = "Panel: agreed again"
    entry.agreed_standard = next(s for s in revealed_round.framework.standards if s.code == "GDS")
    session.flush()
    again = ask(lead, PDF, round=round_.id)
    assert again != first and built == [first, again]
    assert session.get_one(PreparedDownload, again).data_version != rows[first].data_version


def test_progress_is_written_at_most_once_a_second_and_shown_while_building(
    client: FlaskClient, world: World, revealed_round: RevealedRound, session: Session, connection
) -> None:
    download = PreparedDownload(
        requested_by_id=world.la_lead.id,
        kind=PDF,
        arguments={"round": revealed_round.round.id, "framework": revealed_round.framework.id},
        title="Year 6 writing: agreement report (PDF)",
        state=DownloadState.BUILDING,
        expires_at=database.utcnow() + services.KEEP_FOR,
    )
    session.add(download)
    session.flush()
    writer = services.ProgressWriter(download.id, every_seconds=3600)
    with statements_on(connection, "UPDATE") as updates:
        for done in range(1000):
            writer(done, 1000)
        writer(250, 1000)
        assert writer.writes == 1  # the first step only: the rest came within the hour
        writer(1000, 1000)
    assert writer.writes == 2 and len(updates) == 2  # and the last
    session.expire_all()
    assert (download.done, download.total) == (1000, 1000)

    download.done, download.total = 3, 7
    session.flush()
    page = _signed_in(client, world.la_lead.email).get(f"/downloads/{download.id}").text
    assert "3 of 7 steps done (42%)" in page and "Check again" in page
    assert 'data-module="mh-download-progress"' in page
    status = client.get(f"/downloads/{download.id}.json").json
    assert status == {
        "state": "building",
        "label": "Being prepared",
        "done": 3,
        "total": 7,
        "percent": 42,
        "failure": "",
        "size": None,
    }


def test_a_failed_build_is_shown_in_our_words_and_logs_nothing_typed(
    client: FlaskClient,
    world: World,
    revealed_round: RevealedRound,
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    typed = "Alder Primary's secret name"

    def broken(_arguments: kinds.Arguments, _out: object, progress: kinds.Progress) -> None:
        progress(1, 4)
        raise ValueError(typed)

    monkeypatch.setitem(kinds.KINDS, PDF, dataclasses.replace(kinds.ROUND_REPORT_PDF, build=broken))
    caplog.set_level(logging.INFO)
    download_id = ask(_signed_in(client, world.la_lead.email), PDF, round=revealed_round.round.id)

    download = session.get_one(PreparedDownload, download_id)
    assert download.state is DownloadState.FAILED and download.storage_key is None
    page = client.get(f"/downloads/{download_id}").text
    assert "The file could not be prepared" in page and "Something went wrong while preparing it" in page
    assert "(ValueError)" in page and typed not in page and "Try again" in page
    assert client.get(f"/downloads/{download_id}/file").status_code == 404
    assert all(typed not in record.getMessage() for record in caplog.records if record.name.startswith("moderation"))

    # Trying again, with the builder mended, makes a new download that works.
    monkeypatch.setitem(kinds.KINDS, PDF, kinds.ROUND_REPORT_PDF)
    again = ask(client, PDF, round=revealed_round.round.id, framework=revealed_round.framework.id)
    assert again != download_id and session.get_one(PreparedDownload, again).state is DownloadState.READY


def test_expired_downloads_are_swept_and_their_file_goes_with_the_last_row_naming_it(
    app: Flask, client: FlaskClient, world: World, revealed_round: RevealedRound, session: Session
) -> None:
    _sweep_deletes_files_when_last_named(app, client, world, revealed_round, session)


def test_on_s3_a_download_is_stored_served_and_swept(
    s3_app: Flask, world: World, revealed_round: RevealedRound, session: Session
) -> None:
    with s3_app.app_context():
        client = https_client(s3_app)
        _sweep_deletes_files_when_last_named(s3_app, client, world, revealed_round, session)


def _sweep_deletes_files_when_last_named(
    app: Flask, client: FlaskClient, world: World, revealed_round: RevealedRound, session: Session
) -> None:
    round_ = revealed_round.round
    mine = ask(_signed_in(client, world.la_lead.email), XLSX, round=round_.id)
    theirs = ask(_signed_in(https_client(app), world.admin.email), XLSX, round=round_.id)
    key = session.get_one(PreparedDownload, mine).storage_key
    assert key and storage_of(app).exists(key)
    workbook = load_workbook(io.BytesIO(client.get(f"/downloads/{mine}/file").data), read_only=True)
    assert len(list(workbook["Judgements"].iter_rows())) == 1 + 24  # a header and 12 samples' two judgements
    workbook.close()

    session.get_one(PreparedDownload, mine).expires_at = database.utcnow()
    session.flush()
    assert _sweep(app) == 1
    assert storage_of(app).exists(key)  # the admin's row still names it
    assert client.get(f"/downloads/{mine}").status_code == 404
    session.get_one(PreparedDownload, theirs).expires_at = database.utcnow()
    session.flush()
    assert _sweep(app) == 1
    assert not storage_of(app).exists(key)
    assert session.scalar(select(func.count()).select_from(PreparedDownload)) == 0


def _sweep(app: Flask) -> int:
    """The hourly sweep, as the worker runs it: in an app context and a transaction of its own."""
    with app.app_context(), database.db.transaction():
        return services.delete_expired()


def test_a_large_round_sends_its_pdf_and_xlsx_addresses_to_be_prepared(
    client: FlaskClient,
    world: World,
    revealed_round: RevealedRound,
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(report_views, "DIRECT_PDF_SAMPLES", 10)
    monkeypatch.setattr(exports, "DIRECT_XLSX_ROWS", 20)
    round_id, framework_id = revealed_round.round.id, revealed_round.framework.id
    lead = _signed_in(client, world.la_lead.email)

    pdf = lead.get(f"/reports/rounds/{round_id}.pdf?framework={framework_id}")
    assert pdf.status_code == 303
    assert pdf.location.endswith(f"/downloads/new/{PDF}?round={round_id}&framework={framework_id}")
    report_page = lead.get(f"/reports/rounds/{round_id}").text
    assert f'action="/downloads/new/{PDF}?framework={framework_id}&amp;round={round_id}"' in report_page
    assert "Prepare the report with charts (PDF)" in report_page

    xlsx = lead.get(f"/rounds/{round_id}/judgements.xlsx")
    assert xlsx.status_code == 303 and xlsx.location.endswith(f"/downloads/new/{XLSX}?round={round_id}")
    download_id = ask(lead, XLSX, round=round_id)
    exported = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "round.exported")
    before = session.scalar(exported)
    assert lead.get(f"/downloads/{download_id}/file").status_code == 200
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert session.scalar(exported) == before + 1
    assert event.details == {"format": "xlsx", "rows": 24} and event.actor_id == world.la_lead.id


@pytest.mark.parametrize(
    "url",
    [
        f"/downloads/new/{PDF}",
        f"/downloads/new/{PDF}?round=abc",
        f"/downloads/new/{PDF}?round=%00",
        f"/downloads/new/{PDF}?round=1%E2%80%AE2",
        f"/downloads/new/{PDF}?round=99999999999",
        f"/downloads/new/{PDF}?round=-1",
        f"/downloads/new/{PDF}?round={'9' * 5000}",
        "/downloads/new/no-such-kind?round=1",
        "/downloads/new/%E2%80%AE?round=1",
        "/downloads/99999999999",
        "/downloads?page=0",
        "/downloads?page=99",
    ],
)
def test_hostile_addresses_are_not_found(client: FlaskClient, world: World, url: str) -> None:
    assert _signed_in(client, world.la_lead.email).get(url).status_code == 404


def test_the_list_of_downloads_is_paged_at_a_constant_cost(
    client: FlaskClient, world: World, revealed_round: RevealedRound, session: Session, connection
) -> None:
    def add(count: int) -> None:
        for _ in range(count):
            session.add(
                PreparedDownload(
                    requested_by_id=world.la_lead.id,
                    kind=XLSX,
                    arguments={"round": revealed_round.round.id},
                    title="Year 6 writing: judgements (XLSX)",
                    expires_at=database.utcnow() + services.KEEP_FOR,
                )
            )
        session.flush()

    _signed_in(client, world.la_lead.email)
    add(3)
    with statements_on(connection, "SELECT") as few:
        assert client.get("/downloads").status_code == 200
    add(40)
    with statements_on(connection, "SELECT") as many:
        page = client.get("/downloads").text
    assert len(many) == len(few)
    assert page.count("Year 6 writing: judgements (XLSX)") == 25
    assert client.get("/downloads?page=2").text.count("Year 6 writing: judgements (XLSX)") == 18
