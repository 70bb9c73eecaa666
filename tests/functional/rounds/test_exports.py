"""Exports of a round's judgements and outcomes: one row per judgement, documented columns, CSV and XLSX."""

import contextvars
import csv
import io
from contextlib import closing

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from moderation_hub.accounts.models import User
from moderation_hub.audit.models import AuditEvent
from moderation_hub.rounds import assign, exports, reveal, services
from moderation_hub.rounds.judging import JudgementInput, submit
from moderation_hub.rounds.models import Judgement, JudgementState, RoundState
from tests.conftest import sign_in
from tests.factories import World
from tests.functional.rounds.conftest import RoundWorld

# The README documents these; changing them breaks people's spreadsheets, so the test spells them out.
COLUMNS = [
    "round_id",
    "round_name",
    "academic_year",
    "framework",
    "framework_version",
    "sample_code",
    "school_urn",
    "school_name",
    "pupil_code",
    "year_group",
    "teacher_judgement",
    "moderator_id",
    "moderator_name",
    "judgement_state",
    "moderator_standard",
    "rationale",
    "submitted_at",
    "agreed_standard",
    "agreed_rationale",
    "auto_agreed",
    "outcome_agrees_with_school",
]


def judge(session: Session, judgement: Judgement, standard_code: str, rationale: str) -> None:
    moderator = session.get_one(User, judgement.moderator_id)
    assert submit(judgement, JudgementInput(standard_code, rationale), judgement.version, moderator) == []
    session.flush()


def csv_rows(client: FlaskClient, round_world: RoundWorld) -> list[dict[str, str]]:
    response = client.get(f"/rounds/{round_world.round.id}/judgements.csv")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert not text.startswith("\ufeff")
    reader = csv.reader(io.StringIO(text))
    assert next(reader) == COLUMNS
    return [dict(zip(COLUMNS, row, strict=True)) for row in reader]


def sample_of(round_world: RoundWorld, pupil_code: str) -> Judgement:
    entry = next(e for e in round_world.round.entries if e.sample.pupil_code == pupil_code)
    return entry.live_judgements[0]


def test_the_csv_has_the_documented_columns_and_one_row_per_live_judgement(
    client: FlaskClient, session: Session, world: World, judging_round: RoundWorld
) -> None:
    dropping = next(m for m in judging_round.round.moderators if m.user_id == world.teacher_b.id)
    assign.drop_moderator(dropping, world.la_lead)  # their judgements are withdrawn and given to others
    session.flush()
    withdrawn = session.scalars(select(Judgement).where(Judgement.state == JudgementState.WITHDRAWN)).all()
    assert withdrawn
    sign_in(client, "la.lead@example.org")

    response = client.get(f"/rounds/{judging_round.round.id}/judgements.csv")

    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert (
        response.headers["Content-Disposition"]
        == f'attachment; filename="round-{judging_round.round.id}-judgements.csv"'
    )
    rows = csv_rows(client, judging_round)
    assert len(rows) == 6
    assert {row["moderator_id"] for row in rows} == {str(world.moderator.id), str(judging_round.moderators[2].id)}
    assert {row["judgement_state"] for row in rows} == {"not_started"}


def test_a_submitted_judgement_and_its_sample_are_exported_with_codes(
    client: FlaskClient, session: Session, judging_round: RoundWorld
) -> None:
    judgement = sample_of(judging_round, "Y6-001")
    judge(session, judgement, "EXS", "Cohesive, but spelling of Year 5/6 words is not yet secure.")
    sign_in(client, "la.lead@example.org")

    rows = csv_rows(client, judging_round)

    row = next(r for r in rows if r["moderator_id"] == str(judgement.moderator_id) and r["pupil_code"] == "Y6-001")
    round_ = judging_round.round
    assert row == {
        "round_id": str(round_.id),
        "round_name": "Year 6 writing",
        "academic_year": "2025",
        "framework": "ks2-writing-ta",
        "framework_version": "1",
        "sample_code": judgement.entry.blind_code,
        "school_urn": judgement.entry.school.urn,
        "school_name": "Alder Primary School",
        "pupil_code": "Y6-001",
        "year_group": "6",
        "teacher_judgement": "GDS",
        "moderator_id": str(judgement.moderator_id),
        "moderator_name": judgement.moderator.display_name,
        "judgement_state": "submitted",
        "moderator_standard": "EXS",
        "rationale": "Cohesive, but spelling of Year 5/6 words is not yet secure.",
        "submitted_at": judgement.submitted_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "agreed_standard": "",
        "agreed_rationale": "",
        "auto_agreed": "",
        "outcome_agrees_with_school": "",
    }
    # The other moderator of that sample has not submitted: nothing of theirs is shown but the state.
    other = next(r for r in rows if r["pupil_code"] == "Y6-001" and r is not row)
    assert (other["judgement_state"], other["moderator_standard"], other["rationale"]) == ("not_started", "", "")


def test_the_xlsx_holds_the_same_header_and_rows(
    client: FlaskClient, session: Session, judging_round: RoundWorld
) -> None:
    judge(session, sample_of(judging_round, "B6-001"), "WTS", "Not yet independent.")
    sign_in(client, "la.lead@example.org")
    expected = csv_rows(client, judging_round)

    response = client.get(f"/rounds/{judging_round.round.id}/judgements.xlsx")

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert response.headers["Content-Disposition"].endswith(
        f'filename="round-{judging_round.round.id}-judgements.xlsx"'
    )
    workbook = load_workbook(io.BytesIO(response.get_data()), read_only=True)
    sheet = workbook["Judgements"]
    header, *rows = [["" if cell is None else str(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    assert header == COLUMNS
    assert [dict(zip(COLUMNS, row, strict=True)) for row in rows] == expected


@pytest.mark.parametrize("rationale", ['=HYPERLINK("https://evil.example","Open")', "+1+2", "@SUM(A1)", "-2+3"])
def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_neutralised(
    client: FlaskClient, session: Session, judging_round: RoundWorld, rationale: str
) -> None:
    judge(session, sample_of(judging_round, "Y6-002"), "EXS", rationale)
    sign_in(client, "la.lead@example.org")

    rows = csv_rows(client, judging_round)
    assert "'" + rationale in [row["rationale"] for row in rows]

    xlsx = client.get(f"/rounds/{judging_round.round.id}/judgements.xlsx").get_data()
    sheet = load_workbook(io.BytesIO(xlsx)).active
    assert sheet is not None
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == "'" + rationale]
    assert cells and all(cell.data_type == "s" for cell in cells)


def test_agreed_outcomes_are_on_every_row_of_their_sample(
    client: FlaskClient, session: Session, world: World, judging_round: RoundWorld
) -> None:
    round_ = judging_round.round
    for entry in round_.entries:
        for judgement in entry.live_judgements:
            judge(session, judgement, entry.sample.teacher_judgement.code, "Agrees with the school.")
    services.advance(round_, RoundState.REVEAL, round_.version, world.la_lead)
    entry = next(e for e in round_.entries if e.sample.pupil_code == "Y6-001")
    reveal.record_outcome(entry, "EXS", "The panel agreed expected standard.", entry.version, world.la_lead)
    session.flush()
    sign_in(client, "la.lead@example.org")

    rows = csv_rows(client, judging_round)

    outcome_columns = ("pupil_code", "agreed_standard", "agreed_rationale", "auto_agreed", "outcome_agrees_with_school")
    outcomes = {tuple(row[column] for column in outcome_columns) for row in rows}
    assert outcomes == {
        ("Y6-001", "EXS", "The panel agreed expected standard.", "no", "no"),
        ("Y6-002", "", "", "", ""),
        ("B6-001", "", "", "", ""),
    }


@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_an_export_is_in_the_audit_log_with_its_rows(
    client: FlaskClient, session: Session, judging_round: RoundWorld, extension: str
) -> None:
    sign_in(client, "la.lead@example.org")

    client.get(f"/rounds/{judging_round.round.id}/judgements.{extension}")

    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "round.exported")).one()
    assert (event.subject_type, event.subject_id) == ("moderation_round", judging_round.round.id)
    assert event.details == {"format": extension, "rows": 6}


def xlsx_rows(client: FlaskClient, round_world: RoundWorld) -> list[list[object]]:
    response = client.get(f"/rounds/{round_world.round.id}/judgements.xlsx")
    assert response.headers["Content-Length"] == str(len(response.get_data()))
    workbook = load_workbook(io.BytesIO(response.get_data()), read_only=True)
    rows = [list(row) for row in workbook["Judgements"].iter_rows(values_only=True)]
    workbook.close()
    return rows


def read_in_parts(client: FlaskClient, url: str) -> tuple[bool, list[bytes]]:
    """Whether the response is streamed, and the parts it is sent in: read unbuffered, in the contexts of the
    request's own (as ServerLikeClient runs each request, but with the body read before they end)."""

    def get() -> tuple[bool, list[bytes]]:
        response = FlaskClient.open(client, url, buffered=False)
        with closing(response):
            return response.is_streamed, list(response.response)

    return contextvars.Context().run(get)


def test_the_csv_is_sent_a_chunk_of_rows_at_a_time_each_read_after_the_last(
    client: FlaskClient, session: Session, judging_round: RoundWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    for entry in judging_round.round.entries:
        judge(session, entry.live_judgements[0], "EXS", "=1+1 and a line\nbreak, with a comma")
    sign_in(client, "la.lead@example.org")
    url = f"/rounds/{judging_round.round.id}/judgements.csv"
    whole = client.get(url).get_data()  # six rows: one chunk
    whole_xlsx = xlsx_rows(client, judging_round)
    monkeypatch.setattr(exports, "EXPORT_CHUNK_SAMPLES", 2)

    is_streamed, chunks = read_in_parts(client, url)

    assert is_streamed
    assert len(chunks) == 3  # the header, then the rows of samples 1-2 and of sample 3, each read on its own
    assert b"".join(chunks) == whole
    assert len(list(csv.reader(io.StringIO(chunks[1].decode())))) == 4
    assert xlsx_rows(client, judging_round) == whole_xlsx


@pytest.mark.parametrize("size", [1, 2, 5])
def test_reading_in_chunks_gives_each_row_once_in_order_whatever_the_chunk_size(
    session: Session, judging_round: RoundWorld, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    whole = [row for chunk in exports.judgement_chunks(judging_round.round) for row in chunk]
    monkeypatch.setattr(exports, "EXPORT_CHUNK_SAMPLES", size)

    chunks = list(exports.judgement_chunks(judging_round.round))

    assert [row for chunk in chunks for row in chunk] == whole
    code = COLUMNS.index("sample_code")
    assert all(len({row[code] for row in chunk}) <= size for chunk in chunks)
    assert len(whole) == exports.count_judgements(judging_round.round.id) == 6
    codes = [row[code] for row in whole]
    assert codes == sorted(codes)


def test_another_format_is_not_found(client: FlaskClient, judging_round: RoundWorld) -> None:
    sign_in(client, "la.lead@example.org")

    assert client.get(f"/rounds/{judging_round.round.id}/judgements.pdf").status_code == 404


@pytest.mark.parametrize("email", ["moderator@example.org", "lead.a@example.org", "south.lead@example.org"])
def test_only_those_who_manage_the_round_export_it(client: FlaskClient, judging_round: RoundWorld, email: str) -> None:
    sign_in(client, email)

    for extension in ("csv", "xlsx"):
        assert client.get(f"/rounds/{judging_round.round.id}/judgements.{extension}").status_code == 404
