"""Revealed rounds with known judgements, built without pages so that reports can be checked by hand.

``revealed_round``: schools A and B enter six samples each (KS2 writing, 2025/26); two moderators judge all
twelve: ``harsh`` (the LA moderator) one step below the agreed outcome on all but the first sample, ``fair``
always at it. Criterion verdicts: both moderators find ``CRITERIA[0]`` met every time, disagree on
``CRITERIA[1]`` every time, and on ``CRITERIA[2]`` every other time.
"""

import csv
import io
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from moderation_hub.accounts.models import Role, User
from moderation_hub.frameworks.models import Framework, Standard
from moderation_hub.organisations.models import School
from moderation_hub.reports import data
from moderation_hub.rounds import judging, reveal, services
from moderation_hub.rounds.judging import JudgementInput
from moderation_hub.rounds.models import Judgement, ModerationRound, RoundKind, RoundState, Verdict
from moderation_hub.samples.models import SampleState, WorkSample
from tests.factories import World, make_user
from tests.functional.rounds.conftest import ks2_writing  # noqa: F401 - a fixture used here

# (school, teacher's standard, agreed outcome)
PLAN_A = [("a", "EXS", "EXS"), ("a", "EXS", "EXS"), ("a", "GDS", "GDS"), ("a", "EXS", "WTS"), ("a", "EXS", "EXS")]
PLAN_A += [("a", "GDS", "GDS")]
PLAN_B = [("b", "EXS", "EXS"), ("b", "EXS", "WTS"), ("b", "GDS", "EXS"), ("b", "GDS", "GDS"), ("b", "WTS", "WTS")]
PLAN_B += [("b", "EXS", "EXS")]
PLAN = PLAN_A + PLAN_B
CRITERIA = ("WTS.1", "WTS.2", "WTS.3")  # always agreed, never agreed, agreed every other sample


@dataclass
class RevealedRound:
    round: ModerationRound
    framework: Framework
    harsh: User
    fair: User
    plan: list[tuple[str, str, str]]


def standard(framework: Framework, code: str) -> Standard:
    return next(s for s in framework.standards if s.code == code)


def one_below(framework: Framework, code: str) -> str:
    codes = [s.code for s in framework.standards]
    return codes[codes.index(code) - 1]


def build_revealed_round(
    session: Session,
    world: World,
    framework: Framework,
    plan: list[tuple[str, str, str]],
    moderators: tuple[User, User],
    *,
    name: str = "Year 6 writing",
    year: int = 2025,
    reveal_it: bool = True,
) -> ModerationRound:
    """A round at reveal: the plan's samples entered, judged by both moderators, outcomes recorded
    (or, with ``reveal_it=False``, still judging with every judgement submitted).

    The first moderator gives one step below the agreed outcome on every sample but the first.
    """
    round_ = services.create_round(
        world.authority, services.RoundSettings(name, RoundKind.LA_MODERATION, year, [framework.id]), world.la_lead
    )
    schools: dict[str, School] = {"a": world.school_a, "b": world.school_b}
    taking_part = {key: services.add_school(round_, school, world.la_lead) for key, school in schools.items()}
    for moderator in moderators:
        services.add_moderator(round_, moderator, None, world.la_lead)
    services.advance(round_, RoundState.COLLECTING, round_.version, world.la_lead)
    entries = []
    for number, (school_key, teacher_code, _agreed) in enumerate(plan):
        sample = WorkSample(
            school=schools[school_key],
            framework=framework,
            pupil_code=f"R{round_.id}-{number:03d}",
            year_group=6,
            academic_year=year,
            teacher_judgement=standard(framework, teacher_code),
        )
        sample.state = SampleState.SUBMITTED
        session.add(sample)
        session.flush()
        entry = services.enter_sample(taking_part[school_key], sample, world.la_lead)
        entry.judgements += [Judgement(moderator_id=moderator.id) for moderator in moderators]
        entries.append(entry)
    session.flush()
    services.advance(round_, RoundState.JUDGING, round_.version, world.la_lead)
    criteria = {c.code: c.id for c in framework.criteria}
    harsh, fair = moderators
    for number, (entry, (_school, _teacher, agreed)) in enumerate(zip(entries, plan, strict=True)):
        given = {harsh.id: agreed if number == 0 else one_below(framework, agreed), fair.id: agreed}
        for judgement in entry.judgements:
            is_harsh = judgement.moderator_id == harsh.id
            verdicts = {
                criteria[CRITERIA[0]]: Verdict.MET,
                criteria[CRITERIA[1]]: Verdict.NOT_MET if is_harsh else Verdict.MET,
                criteria[CRITERIA[2]]: Verdict.NOT_MET if is_harsh and number % 2 else Verdict.MET,
            }
            mover = harsh if is_harsh else fair
            problems = judging.submit(
                judgement,
                JudgementInput(given[judgement.moderator_id], "Rationale", verdicts),
                judgement.version,
                mover,
            )
            assert problems == []
    if not reveal_it:
        session.flush()
        return round_
    services.advance(round_, RoundState.REVEAL, round_.version, world.la_lead)
    for entry, (_school, _teacher, agreed) in zip(entries, plan, strict=True):
        reveal.record_outcome(entry, agreed, "The panel agreed", entry.version, world.la_lead)
    session.flush()
    return round_


@pytest.fixture
def fair_moderator(session: Session, world: World) -> User:
    return make_user(session, (Role.MODERATOR, world.authority), email="fair@example.org", name="Fay Fairweather")


@pytest.fixture
def revealed_round(
    session: Session,
    world: World,
    ks2_writing: Framework,  # noqa: F811 - the fixture imported above
    fair_moderator: User,
) -> RevealedRound:
    round_ = build_revealed_round(session, world, ks2_writing, PLAN, (world.moderator, fair_moderator))
    return RevealedRound(round_, ks2_writing, world.moderator, fair_moderator, PLAN)


@pytest.fixture
def computed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """The scope of every computation of a report's figures, in order."""
    scopes = []
    load = data.load

    def counted(scope: data.Scope, framework: Framework, **options: bool) -> data.LoadedRatings:
        scopes.append(scope.key)
        return load(scope, framework, **options)

    monkeypatch.setattr(data, "load", counted)
    return scopes


CSV_COLUMNS = ["section", "subject", "measure", "value", "ci_low", "ci_high", "standard_error", "n", "notes"]


def csv_figures(client: FlaskClient, url: str) -> list[dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200
    assert response.content_type == "text/csv; charset=utf-8"
    reader = csv.reader(io.StringIO(response.get_data(as_text=True)))
    assert next(reader) == CSV_COLUMNS
    return [dict(zip(CSV_COLUMNS, row, strict=True)) for row in reader]


def figure(rows: list[dict[str, str]], section: str, subject: str, measure: str) -> dict[str, str]:
    return next(r for r in rows if (r["section"], r["subject"], r["measure"]) == (section, subject, measure))


class _Tables(HTMLParser):
    """The cells of each report section's data table, as text, by section id."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.charts: dict[str, str] = {}
        self._section = ""
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "section":
            self._section = attributes.get("id") or ""
            self.tables[self._section] = []
        elif tag == "tr" and self._section:
            self.tables[self._section].append([])
        elif tag in ("td", "th") and self._section:
            self._cell = []
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")
        elif tag == "img" and self._section:
            self.charts[self._section] = attributes.get("src") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.tables[self._section][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "section":
            self._section = ""

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def page_tables(html: str) -> tuple[dict[str, list[list[str]]], dict[str, str]]:
    """Each section's table rows (header first) and its chart's URL."""
    parser = _Tables()
    parser.feed(html)
    return parser.tables, parser.charts
