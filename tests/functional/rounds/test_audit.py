"""The round's audit log, read and exported by its lead: who did what to which sample, before and after."""

import csv
import io
import json
import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from moderation_hub.audit.models import AuditEvent
from moderation_hub.audit.services import record
from moderation_hub.frameworks.models import Framework
from moderation_hub.rounds import judging, services
from moderation_hub.rounds.judging import JudgementInput
from moderation_hub.rounds.models import RoundKind
from tests.conftest import sign_in
from tests.factories import World
from tests.functional.rounds.conftest import RoundWorld

AUDIT_COLUMNS = [
    "occurred_at",
    "actor_id",
    "actor_name",
    "action",
    "subject_type",
    "subject_id",
    "sample_code",
    "details_json",
]
_TAG = re.compile(r"<[^>]+>")
_HIDDEN_FROM_SCREEN_READERS = re.compile(r'<span aria-hidden="true">[^<]*</span>')


def table_rows(html: str) -> list[str]:
    """The audit table's body rows, each as the words a screen reader says (an arrow is "changed to")."""
    body = html.split('<tbody class="govuk-table__body">')[1].split("</tbody>", maxsplit=1)[0]
    body = _HIDDEN_FROM_SCREEN_READERS.sub("", body)
    return [" ".join(_TAG.sub(" ", row).split()) for row in body.split("</tr>") if "<td" in row]


@pytest.fixture
def reopened(session: Session, world: World, judging_round: RoundWorld) -> RoundWorld:
    """Mo Derr saves a draft of one sample, submits it; the lead reopens it."""
    judgement = next(
        j for e in judging_round.round.entries for j in e.live_judgements if j.moderator == world.moderator
    )
    judging.save_draft(judgement, JudgementInput("WTS", "First look."), judgement.version, world.moderator)
    judging.submit(judgement, JudgementInput("EXS", "Secure on a second look."), judgement.version, world.moderator)
    judging.reopen(judgement, "Rationale names the pupil", world.la_lead)
    session.flush()
    return judging_round


def test_the_lead_reads_each_change_of_a_judgement_with_before_and_after(
    client: FlaskClient, world: World, reopened: RoundWorld
) -> None:
    sign_in(client, "la.lead@example.org")
    judgement = next(j for e in reopened.round.entries for j in e.live_judgements if j.moderator == world.moderator)
    code = judgement.entry.blind_code

    response = client.get(f"/rounds/{reopened.round.id}/audit")

    assert response.status_code == 200
    rows = table_rows(response.get_data(as_text=True))
    reopen_row, submit_row, draft_row = rows[:3]  # newest first
    assert "Laura Lead Judgement reopened" in reopen_row
    assert f"{code} Mo Derr's judgement" in reopen_row
    assert "state: submitted changed to draft" in reopen_row
    assert "reason: Rationale names the pupil" in reopen_row
    # Submitting is one event, carrying what was submitted with the change of state.
    assert "Mo Derr Judgement submitted" in submit_row
    assert "state: draft changed to submitted" in submit_row
    assert "rationale: First look. changed to Secure on a second look." in submit_row
    assert "standard: WTS changed to EXS" in submit_row
    assert "Mo Derr Draft saved" in draft_row
    assert "standard: (none) changed to WTS" in draft_row
    assert "state: not_started changed to draft" in draft_row
    # Older events of the round are there too, its creation last of all.
    assert any("Round moved on" in row and "collecting changed to judging" in row for row in rows)
    assert any("Samples allocated" in row for row in rows)
    assert "Round created" in rows[-1]
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ">', response.get_data(as_text=True))


def test_the_whole_log_downloads_as_csv(client: FlaskClient, world: World, reopened: RoundWorld) -> None:
    sign_in(client, "la.lead@example.org")
    pages = client.get(f"/rounds/{reopened.round.id}/audit").get_data(as_text=True)

    response = client.get(f"/rounds/{reopened.round.id}/audit.csv")

    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="round-{reopened.round.id}-audit.csv"'
    reader = csv.reader(io.StringIO(response.get_data(as_text=True)))
    assert next(reader) == AUDIT_COLUMNS
    rows = [dict(zip(AUDIT_COLUMNS, row, strict=True)) for row in reader]
    assert len(rows) == len(table_rows(pages)) + 1  # and the download itself, logged as it began
    assert rows[-1]["action"] == "round.audit_exported"
    reopen = next(row for row in rows if row["action"] == "judgement.reopened")
    judgement = next(j for e in reopened.round.entries for j in e.live_judgements if j.moderator == world.moderator)
    assert reopen["actor_id"] == str(world.la_lead.id)
    assert reopen["actor_name"] == "Laura Lead"
    assert (reopen["subject_type"], reopen["subject_id"]) == ("judgement", str(judgement.id))
    assert reopen["sample_code"] == judgement.entry.blind_code
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", reopen["occurred_at"])
    details = json.loads(reopen["details_json"])
    assert details["reason"] == "Rationale names the pupil"
    assert (details["before"]["state"], details["after"]["state"]) == ("submitted", "draft")
    actions = [row["action"] for row in rows]
    assert (actions.count("judgement.draft_saved"), actions.count("judgement.submitted")) == (1, 1)


def test_the_log_of_one_round_holds_nothing_of_another(
    client: FlaskClient, session: Session, world: World, reopened: RoundWorld
) -> None:
    round_id = reopened.round.id
    elsewhere = [
        ("moderation_round", round_id + 1),
        ("round_entry", 999_999),
        ("judgement", 999_999),
        ("school", round_id),
    ]
    session.add_all(AuditEvent(action="elsewhere", subject_type=kind, subject_id=row_id) for kind, row_id in elsewhere)
    session.flush()
    sign_in(client, "la.lead@example.org")

    exported = client.get(f"/rounds/{round_id}/audit.csv").get_data(as_text=True)
    shown = client.get(f"/rounds/{round_id}/audit").get_data(as_text=True)

    assert "elsewhere" not in exported
    assert "elsewhere" not in shown


LINK = re.compile(r'<a class="govuk-link govuk-pagination__link" href="([^"]+)" rel="(prev|next)"')


def page_links(html: str) -> dict[str, str]:
    """The pagination's links: "prev" to newer events, "next" to older ones."""
    return {rel: href.replace("&amp;", "&") for href, rel in LINK.findall(html)}


def test_the_log_is_shown_a_hundred_events_a_page_from_the_newest(
    client: FlaskClient, session: Session, world: World, judging_round: RoundWorld
) -> None:
    judgement = judging_round.round.entries[0].live_judgements[0]
    audit = f"/rounds/{judging_round.round.id}/audit"
    sign_in(client, "la.lead@example.org")
    before = len(table_rows(client.get(audit).get_data(as_text=True)))
    for _ in range(150 - before):
        record(judgement.moderator_id, "judgement.viewed", judgement)
    session.flush()

    first = client.get(audit).get_data(as_text=True)
    assert "The newest events" in first
    assert list(page_links(first)) == ["next"]  # nothing newer
    second = client.get(page_links(first)["next"]).get_data(as_text=True)
    again = client.get(page_links(second)["prev"]).get_data(as_text=True)

    assert len(table_rows(first)) == 100
    assert len(table_rows(second)) == 50
    assert "Earlier events" in second
    assert list(page_links(second)) == ["prev"]  # nothing older
    assert "Judgement opened" in table_rows(first)[0]
    assert "Round created" in table_rows(second)[-1]
    assert table_rows(again) == table_rows(first)
    assert page_links(again) == {"next": page_links(first)["next"]}


def test_a_page_of_the_log_is_asked_from_one_of_its_own_events(
    client: FlaskClient, session: Session, world: World, judging_round: RoundWorld, ks2_writing: Framework
) -> None:
    other = services.create_round(
        world.authority,
        services.RoundSettings("Year 2 writing", RoundKind.LA_MODERATION, 2025, [ks2_writing.id]),
        world.la_lead,
    )
    session.flush()
    elsewhere = session.scalar(select(AuditEvent.id).where(AuditEvent.round_id == other.id))
    audit = f"/rounds/{judging_round.round.id}/audit"
    sign_in(client, "la.lead@example.org")

    for asked in (
        f"before={elsewhere}",
        f"after={elsewhere}",
        "before=0",
        "after=-1",
        f"before={2**31}",
        "before=" + "9" * 30,
    ):
        assert client.get(f"{audit}?{asked}").status_code == 404, asked
    assert client.get(f"{audit}?before=seven").status_code == 200  # not a number: the newest


def test_the_lead_can_leave_out_what_was_only_looked_at(
    client: FlaskClient, session: Session, world: World, reopened: RoundWorld
) -> None:
    judgement = reopened.round.entries[0].live_judgements[0]
    for _ in range(3):
        record(judgement.moderator_id, "judgement.viewed", judgement)
    session.flush()
    sign_in(client, "la.lead@example.org")
    everything = table_rows(client.get(f"/rounds/{reopened.round.id}/audit").get_data(as_text=True))

    page = client.get(f"/rounds/{reopened.round.id}/audit?views=hide").get_data(as_text=True)

    changes = table_rows(page)
    assert len(changes) == len(everything) - 3
    assert not any("Judgement opened" in row for row in changes)
    assert any("Judgement reopened" in row for row in changes)
    assert "(changes only)" in page


@pytest.mark.parametrize("email", ["south.lead@example.org", "moderator@example.org", "lead.a@example.org"])
def test_only_those_who_manage_the_round_read_its_log(client: FlaskClient, reopened: RoundWorld, email: str) -> None:
    sign_in(client, email)

    assert client.get(f"/rounds/{reopened.round.id}/audit").status_code == 404
    assert client.get(f"/rounds/{reopened.round.id}/audit.csv").status_code == 404
