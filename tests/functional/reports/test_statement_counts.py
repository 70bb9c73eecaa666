"""Every report page, chart and download (CSV, XLSX, a round's PDF) costs the same SQL statements whatever the
number of entries.

Each is opened on a revealed round of 3 entries, then on the same round grown to 12 (more schools, more
moderators, every entry judged by two with their criterion verdicts): a report that loaded something per entry,
judgement or verdict would run more statements the second time. Counted cold (nothing kept: the figures computed,
the chart drawn) and warm (read from what the cold request kept).
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import count

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, delete
from sqlalchemy.orm import Session

from moderation_hub.accounts.models import Role, User
from moderation_hub.db import db
from moderation_hub.frameworks.models import Framework
from moderation_hub.organisations.models import School
from moderation_hub.reports.models import ReportFigures
from moderation_hub.rounds.models import CriterionJudgement, ModerationRound, RoundState, Verdict
from tests.conftest import https_client, sign_in
from tests.factories import World, make_entry, make_ready_sample, make_round, make_school, make_user
from tests.functional.conftest import statements_on
from tests.functional.reports.conftest import page_tables
from tests.functional.rounds.conftest import ks2_writing  # noqa: F401 - a fixture used here

STANDARDS = ("WTS", "EXS", "GDS")


@dataclass
class GrowingRound:
    """A revealed round built directly, grown in place so that every URL stays the same."""

    session: Session
    world: World
    framework: Framework
    round: ModerationRound
    schools: list[School]
    moderators: list[User]
    entries: int = 0
    _pupils: Iterator[int] = field(default_factory=count)

    def grow(self, entries: int, schools: int, moderators: int) -> None:
        while len(self.schools) < schools:
            self.schools.append(make_school(self.session, self.world.authority))
        while len(self.moderators) < moderators:
            self.moderators.append(make_user(self.session, (Role.MODERATOR, self.world.authority)))
        while self.entries < entries:
            self._enter()

    def _enter(self) -> None:
        number = next(self._pupils)
        school = self.schools[number % len(self.schools)]
        code = STANDARDS[number % 3]
        sample = make_ready_sample(self.session, school, self.world.teacher_a, self.framework, f"P{number:03d}", code)
        pair = (self.moderators[number % len(self.moderators)], self.moderators[(number + 1) % len(self.moderators)])
        judged = {moderator: STANDARDS[(number + place) % 3] for place, moderator in enumerate(pair)}
        entry = make_entry(self.session, self.round, sample, judged, agreed=STANDARDS[(number + number // 3) % 3])
        for judgement in entry.judgements:
            judgement.criteria = [
                CriterionJudgement(criterion_id=criterion.id, verdict=list(Verdict)[(number + place) % 3])
                for place, criterion in enumerate(self.framework.criteria[:4])
            ]
        self.session.flush()
        self.entries += 1


@pytest.fixture
def growing(
    session: Session,
    world: World,
    ks2_writing: Framework,  # noqa: F811 - the fixture imported above
) -> GrowingRound:
    round_ = make_round(session, world.authority, ks2_writing, RoundState.REVEAL, lead=world.la_lead)
    growing = GrowingRound(session, world, ks2_writing, round_, [world.school_a, world.school_b], [world.moderator])
    growing.grow(entries=3, schools=2, moderators=2)
    return growing


def _report_urls(client: FlaskClient, page: str, *downloads: str) -> list[str]:
    """The report page, each chart it shows and its downloads."""
    response = client.get(page)
    assert response.status_code == 200
    _tables, charts = page_tables(response.get_data(as_text=True))
    assert charts, f"{page} shows no chart"
    return [page, *sorted(charts.values()), *(f"{page}.{extension}" for extension in downloads)]


def _forget_kept_figures(app: Flask) -> None:
    app.extensions.pop("report_figures", None)
    db.session.execute(delete(ReportFigures))


def _counts(
    app: Flask, connection: Connection, clients: dict[str, FlaskClient], urls: dict[str, list[str]]
) -> dict[str, int]:
    """Statements per URL, opened twice each: with nothing kept (cold), then reading what the first kept (warm)."""
    counted = {}
    for reader, reader_urls in urls.items():
        for url in reader_urls:
            _forget_kept_figures(app)
            for warmth in ("cold", "warm"):
                with statements_on(connection) as statements:
                    assert clients[reader].get(url).status_code == 200
                counted[f"{warmth} {url}"] = len(statements)
    return counted


def test_report_pages_charts_and_downloads_cost_the_same_statements_at_any_size(
    app: Flask, growing: GrowingRound, world: World, connection: Connection
) -> None:
    clients = {}
    for reader, email in (("la_lead", world.la_lead.email), ("moderator", world.moderator.email)):
        clients[reader] = https_client(app)
        sign_in(clients[reader], email)
    round_id, school_id, authority_id = growing.round.id, world.school_a.id, world.authority.id
    urls = {
        "la_lead": [
            *_report_urls(clients["la_lead"], f"/reports/rounds/{round_id}", "csv", "xlsx", "pdf"),
            *_report_urls(clients["la_lead"], f"/reports/schools/{school_id}", "csv", "xlsx"),
            *_report_urls(clients["la_lead"], f"/reports/authorities/{authority_id}", "csv", "xlsx"),
        ],
        "moderator": _report_urls(clients["moderator"], "/reports/me", "csv", "xlsx"),
    }

    small = _counts(app, connection, clients, urls)
    growing.grow(entries=12, schools=4, moderators=5)
    large = _counts(app, connection, clients, urls)

    assert large == small
    every_url = [url for reader_urls in urls.values() for url in reader_urls]
    assert all(small[f"warm {url}"] < small[f"cold {url}"] for url in every_url)  # warm reads what cold kept
