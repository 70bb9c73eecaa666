"""Figures and charts are kept in the database, so every app process shares them: one computes a report, any other
reads it; a write gives fresh figures for exactly the reports that read it; a row the app did not sign is never
unpickled; and two processes keeping the same report at once both succeed."""

import hashlib
import hmac
import pickle
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine, delete, func, select, update
from sqlalchemy.orm import Session

from moderation_hub import create_app
from moderation_hub.accounts.models import User
from moderation_hub.db import db
from moderation_hub.frameworks.models import Framework
from moderation_hub.reports import cache, charts, services
from moderation_hub.reports.models import ReportFigures
from moderation_hub.rounds import reveal
from moderation_hub.rounds.models import ModerationRound
from tests.conftest import app_settings, build_test_app, https_client, sign_in
from tests.factories import World
from tests.functional.reports.conftest import (
    PLAN,
    RevealedRound,
    build_revealed_round,
    csv_figures,
    figure,
)
from tests.functional.rounds.conftest import ks2_writing  # noqa: F401 - a fixture used here


@pytest.fixture
def other_app(connection: Connection, database_url: str, tmp_path: Path) -> Flask:
    """A second app process on the same database: it shares nothing with the first but the database."""
    return build_test_app(connection, database_url, tmp_path)


@pytest.fixture
def spring_round(
    session: Session,
    world: World,
    ks2_writing: Framework,  # noqa: F811 - the fixture imported above
    revealed_round: RevealedRound,
) -> ModerationRound:
    """A second revealed round of the same schools and moderators: another report, another scope."""
    moderators = (revealed_round.harsh, revealed_round.fair)
    return build_revealed_round(session, world, ks2_writing, PLAN, moderators, name="Year 6 writing: spring")


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The table of every chart drawn, in order."""
    tables = []
    draw = charts.svg

    def counted(table: charts.Table) -> str:
        tables.append(table.key)
        return draw(table)

    monkeypatch.setattr(charts, "svg", counted)
    return tables


def _signed_in(app: Flask, email: str) -> FlaskClient:
    client = https_client(app)
    sign_in(client, email)
    return client


def _figures(client: FlaskClient, url: str) -> list[dict[str, str]]:
    """The CSV's figures, less the time they were computed at."""
    return [row for row in csv_figures(client, url) if row["subject"] != "generated_at"]


def _exact(client: FlaskClient, url: str) -> float:
    return float(figure(csv_figures(client, url), "overall", "All samples", "exact")["value"])


def _kept_rows(session: Session, prefix: str) -> dict[str, str]:
    """The kept rows whose key starts with ``prefix``, and their versions."""
    statement = select(ReportFigures.key, ReportFigures.version).where(ReportFigures.key.startswith(prefix))
    return dict(session.execute(statement).tuples().all())


def test_figures_and_charts_computed_by_one_app_are_read_by_another(
    client: FlaskClient,
    other_app: Flask,
    world: World,
    revealed_round: RevealedRound,
    computed: list[tuple[str, int]],
    drawn: list[str],
) -> None:
    base = f"/reports/rounds/{revealed_round.round.id}"
    sign_in(client, world.la_lead.email)
    first = client.get(f"{base}.csv").get_data()
    first_chart = client.get(f"{base}/charts/severity.svg").get_data()

    other = _signed_in(other_app, world.la_lead.email)
    assert other.get(f"{base}.csv").get_data() == first
    assert other.get(f"{base}/charts/severity.svg").get_data() == first_chart
    assert other.get(base).status_code == 200

    assert computed == [("round", revealed_round.round.id)]
    assert drawn == ["severity"]


def test_an_agreed_outcome_recomputes_its_round_and_leaves_another_round_kept(
    client: FlaskClient,
    other_app: Flask,
    session: Session,
    world: World,
    revealed_round: RevealedRound,
    spring_round: ModerationRound,
    computed: list[tuple[str, int]],
) -> None:
    autumn, spring = revealed_round.round, spring_round
    sign_in(client, world.la_lead.email)
    before = float(
        figure(csv_figures(client, f"/reports/rounds/{autumn.id}.csv"), "overall", "All samples", "exact")["value"]
    )
    csv_figures(client, f"/reports/rounds/{spring.id}.csv")
    kept = _kept_rows(session, f"round/round/{autumn.id}/")

    entry = next(e for e in autumn.entries if e.agreed_standard_id == e.sample.teacher_judgement_id)
    other_code = next(s.code for s in revealed_round.framework.standards if s.id != entry.agreed_standard_id)
    reveal.record_outcome(entry, other_code, "The panel looked again", entry.version, world.la_lead)
    session.flush()

    other = _signed_in(other_app, world.la_lead.email)
    after = float(
        figure(csv_figures(other, f"/reports/rounds/{autumn.id}.csv"), "overall", "All samples", "exact")["value"]
    )
    csv_figures(other, f"/reports/rounds/{spring.id}.csv")

    assert after == pytest.approx(before - 1 / len(PLAN), abs=1e-6)
    assert computed == [("round", autumn.id), ("round", spring.id), ("round", autumn.id)]
    replaced = _kept_rows(session, f"round/round/{autumn.id}/")
    assert replaced.keys() == kept.keys()  # one row, its version replaced: the table does not grow with writes
    assert replaced != kept


def test_a_renamed_school_recomputes_its_own_report_and_leaves_another_schools_kept(
    client: FlaskClient,
    other_app: Flask,
    session: Session,
    world: World,
    revealed_round: RevealedRound,
    computed: list[tuple[str, int]],
) -> None:
    sign_in(client, world.la_lead.email)
    for school in (world.school_a, world.school_b):
        assert client.get(f"/reports/schools/{school.id}").status_code == 200

    world.school_a.name = "Alder Church of England Primary School"
    session.flush()
    other = _signed_in(other_app, world.la_lead.email)
    renamed = other.get(f"/reports/schools/{world.school_a.id}")
    assert other.get(f"/reports/schools/{world.school_b.id}").status_code == 200

    assert "Agreement report: Alder Church of England Primary School" in renamed.get_data(as_text=True)
    assert computed == [("school", world.school_a.id), ("school", world.school_b.id), ("school", world.school_a.id)]


def test_a_chart_is_drawn_once_per_version_of_its_data(
    client: FlaskClient,
    session: Session,
    world: World,
    revealed_round: RevealedRound,
    drawn: list[str],
) -> None:
    chart = f"/reports/rounds/{revealed_round.round.id}/charts/schools.svg"
    sign_in(client, world.la_lead.email)
    assert client.get(chart).get_data() == client.get(chart).get_data()
    assert drawn == ["schools"]

    entry = revealed_round.round.entries[0]
    other_code = next(s.code for s in revealed_round.framework.standards if s.id != entry.agreed_standard_id)
    reveal.record_outcome(entry, other_code, "The panel looked again", entry.version, world.la_lead)
    session.flush()
    assert client.get(chart).status_code == client.get(chart).status_code == 200
    assert drawn == ["schools", "schools"]


def test_the_pdfs_charts_are_drawn_once_per_version_of_its_data(
    client: FlaskClient, world: World, revealed_round: RevealedRound, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn_png: list[str] = []
    draw = charts.png

    def counted(table: charts.Table) -> bytes:
        drawn_png.append(table.key)
        return draw(table)

    monkeypatch.setattr(charts, "png", counted)
    pdf = f"/reports/rounds/{revealed_round.round.id}.pdf"
    sign_in(client, world.la_lead.email)
    assert client.get(pdf).status_code == 200
    first = list(drawn_png)
    assert client.get(pdf).status_code == 200
    assert len(first) == 5
    assert drawn_png == first


SPRUNG: list[str] = []


def _spring(what: str) -> None:
    SPRUNG.append(what)


class _Trap:
    """Unpickling this calls ``_spring``: what a forged row would do to run code of its choosing."""

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (_spring, ("unpickled",))


def _signature_kept(_key: str, _version: str, _payload: bytes, row_signature: str) -> str:
    return row_signature


def _signed_with_a_guessed_secret(key: str, version: str, payload: bytes, _row_signature: str) -> str:
    message = b"report-figures\0" + key.encode() + b"\0" + version.encode() + b"\0" + payload
    return hmac.new(b"guessed-secret", message, hashlib.sha256).hexdigest()


@pytest.mark.parametrize(
    "sign", [_signature_kept, _signed_with_a_guessed_secret], ids=["signature kept", "guessed secret"]
)
def test_a_forged_row_is_computed_again_never_unpickled(
    client: FlaskClient,
    other_app: Flask,
    session: Session,
    world: World,
    revealed_round: RevealedRound,
    computed: list[tuple[str, int]],
    sign: Callable[[str, str, bytes, str], str],
) -> None:
    url = f"/reports/rounds/{revealed_round.round.id}.csv"
    sign_in(client, world.la_lead.email)
    expected = _figures(client, url)
    key, version, signature = session.execute(
        select(ReportFigures.key, ReportFigures.version, ReportFigures.signature).where(
            ReportFigures.key.startswith(f"round/round/{revealed_round.round.id}/")
        )
    ).one()
    trap = pickle.dumps(_Trap())
    forged = sign(key, version, trap, signature)
    session.execute(update(ReportFigures).where(ReportFigures.key == key).values(payload=trap, signature=forged))

    assert _figures(_signed_in(other_app, world.la_lead.email), url) == expected
    assert SPRUNG == []
    assert len(computed) == 2
    # Replaced by figures the app signed, which a third process reads.
    assert session.scalar(select(ReportFigures.payload).where(ReportFigures.key == key)) != trap


def test_another_reports_row_moved_under_a_key_is_computed_again(
    client: FlaskClient,
    other_app: Flask,
    session: Session,
    world: World,
    revealed_round: RevealedRound,
    spring_round: ModerationRound,
    computed: list[tuple[str, int]],
) -> None:
    autumn, spring = revealed_round.round, spring_round
    sign_in(client, world.la_lead.email)
    expected = _figures(client, f"/reports/rounds/{autumn.id}.csv")
    client.get(f"/reports/rounds/{spring.id}.csv")
    autumn_key = f"round/round/{autumn.id}/framework/{revealed_round.framework.id}"
    spring_row = session.execute(
        select(ReportFigures.payload, ReportFigures.signature).where(
            ReportFigures.key.startswith(f"round/round/{spring.id}/")
        )
    ).one()
    session.execute(
        update(ReportFigures)
        .where(ReportFigures.key == autumn_key)
        .values(payload=spring_row.payload, signature=spring_row.signature)
    )

    assert _figures(_signed_in(other_app, world.la_lead.email), f"/reports/rounds/{autumn.id}.csv") == expected
    assert computed == [("round", autumn.id), ("round", spring.id), ("round", autumn.id)]


@pytest.fixture
def own_app(database_url: str, engine: Engine, tmp_path: Path) -> Iterator[Flask]:
    """An app on the test database with its own engine, outside any test's transaction: what it commits is real."""
    app = create_app(app_settings(database_url, tmp_path))
    yield app
    with engine.begin() as connection:
        connection.execute(delete(ReportFigures).where(ReportFigures.key.startswith("test/")))
    app.extensions["database"]["engine"].dispose()


def test_two_processes_keeping_one_report_at_once_both_succeed(own_app: Flask, engine: Engine) -> None:
    """The first keeps a new report and holds its transaction open; the second keeps the same report meanwhile
    (a unique-key clash without the upsert) and waits for the first to commit; both commit, the second's stays."""
    first_written, errors = threading.Event(), []

    def keep(version: str, value: str, *, first: bool) -> None:
        try:
            with own_app.app_context():
                if not first:
                    first_written.wait(timeout=10)
                cache.store(db.session, "test/round/1/framework/1", version, value)
                if first:
                    first_written.set()
                    threading.Event().wait(0.3)  # the second now tries to write the same row
                db.session.commit()
        except Exception as error:
            errors.append(error)
            first_written.set()

    threads = [
        threading.Thread(target=keep, args=("a" * 64, "first"), kwargs={"first": True}),
        threading.Thread(target=keep, args=("b" * 64, "second"), kwargs={"first": False}),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    with own_app.app_context():
        assert cache.read(db.session, "test/round/1/framework/1", "b" * 64) == ("second",)
        assert cache.read(db.session, "test/round/1/framework/1", "a" * 64) is None
        count = select(func.count()).select_from(ReportFigures).where(ReportFigures.key.startswith("test/"))
        assert db.session.scalar(count) == 1
        db.session.rollback()


def test_a_row_kept_in_a_transaction_that_fails_is_not_kept(session: Session, world: World) -> None:
    """The row is written in a savepoint of the request's own transaction: kept with its work, or not at all, and
    the transaction goes on either way."""
    outer = session.begin_nested()
    cache.store(session, "test/failed", "c" * 64, "figures")
    assert cache.read(session, "test/failed", "c" * 64) == ("figures",)
    outer.rollback()
    assert cache.read(session, "test/failed", "c" * 64) is None
    assert session.get(User, world.la_lead.id) is not None


def test_kept_figures_read_back_equal_to_those_computed(revealed_round: RevealedRound, session: Session) -> None:
    report = services.round_report(revealed_round.round, None)
    key, version = report.kept_as
    assert cache.read(session, key, version) == (
        services.Figures(report.samples, report.headline, report.tables, report.generated_at),
    )
