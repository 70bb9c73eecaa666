"""The statement view: one framework statement evidenced at each standard, from the annotations of the published
exemplars the reader may read, with the piece and page each annotation is on; and its statement index, written at
publication and emptied at withdrawal."""

import pytest
from flask import Flask
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from moderation_hub.frameworks.models import Framework
from moderation_hub.rounds.models import RoundEntry, RoundState
from moderation_hub.standards import publication
from moderation_hub.standards.models import ExemplarStatement, PublicationScope
from moderation_hub.standards.statements import EXEMPLARS_PER_STANDARD
from tests.factories import World, make_entry, make_exemplar, make_round
from tests.functional.conftest import statements_on
from tests.functional.standards.conftest import publish_through_services, signed_in


def _url(framework: Framework, code: str, query: str = "") -> str:
    return f"/standards/frameworks/{framework.id}/statements/{code}" + (f"?{query}" if query else "")


def test_a_statement_is_shown_at_each_standard_in_the_scales_order_with_its_annotations_pieces_and_pages(
    app: Flask, session: Session, world: World, framework: Framework
) -> None:
    wts = make_exemplar(
        session, world.school_a, world.teacher_a, framework, "WTS", evidence={"EXS.1": "Tries a fronted adverbial"}
    )
    exs = make_exemplar(
        session,
        world.school_a,
        world.teacher_a,
        framework,
        "EXS",
        evidence={"WTS.1": "Clear sentences", "EXS.1": "Fronted adverbials used well"},
    )
    gds = make_exemplar(session, world.school_a, world.teacher_a, framework, "GDS", evidence={"GDS.1": "Controls tone"})
    body = signed_in(app, world.teacher_b).get(_url(framework, "EXS.1")).get_data(as_text=True)
    positions = [body.index(f"({code})") for code in ("WTS", "EXS", "GDS")]
    assert positions == sorted(positions)
    assert (
        body.index("Tries a fronted adverbial")
        < positions[1]
        < body.index("Fronted adverbials used well")
        < positions[2]
    )
    assert f'href="/standards/{exs.code}#page-1">Piece A, page 1, annotation 2</a>' in body
    assert f"/standards/{wts.code}#page-1" in body
    assert gds.code not in body and "Controls tone" not in body and "Clear sentences" not in body
    assert "No exemplar you can read at GDS evidences this statement yet." in body


def test_the_framework_statements_page_counts_the_exemplars_evidencing_each(
    app: Flask, session: Session, world: World, framework: Framework
) -> None:
    for code in ("WTS", "EXS"):
        make_exemplar(session, world.school_a, world.teacher_a, framework, code, evidence={"EXS.1": "Evidence"})
    body = (
        signed_in(app, world.teacher_b).get(f"/standards/frameworks/{framework.id}/statements").get_data(as_text=True)
    )
    row = body[body.index(_url(framework, "EXS.1")) :]
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">2</td>' in row[:600]


def test_publication_writes_the_index_from_the_evidence_grid_and_withdrawal_empties_it(
    app: Flask, session: Session, world: World, candidate: RoundEntry
) -> None:
    exemplar = publish_through_services(world, candidate, PublicationScope.AUTHORITY)
    rows = list(session.scalars(select(ExemplarStatement).where(ExemplarStatement.exemplar_id == exemplar.id)))
    assert [(row.piece, row.page_position, row.annotation_number, row.annotation_text) for row in rows] == [
        ("A", 1, 1, "Fronted adverbial used well")
    ]
    assert rows[0].criterion_id == next(c.id for c in exemplar.framework.criteria if c.code == "EXS.1")
    assert rows[0].standard_id == exemplar.standard_id
    body = signed_in(app, world.teacher_b).get(_url(exemplar.framework, "EXS.1")).get_data(as_text=True)
    assert exemplar.code in body
    publication.withdraw_permission(candidate.sample, world.lead_a)
    session.flush()
    assert session.scalar(select(func.count()).select_from(ExemplarStatement)) == 0
    body = signed_in(app, world.teacher_b).get(_url(exemplar.framework, "EXS.1")).get_data(as_text=True)
    assert exemplar.code not in body and "Fronted adverbial used well" not in body


def test_scope_expiry_flags_and_blind_holds_apply(
    app: Flask, session: Session, world: World, framework: Framework
) -> None:
    shown = make_exemplar(session, world.school_a, world.teacher_a, framework, "EXS", evidence={"EXS.1": "Seen"})
    held = make_exemplar(session, world.school_a, world.teacher_a, framework, "EXS", evidence={"EXS.1": "Held blind"})
    flagged = make_exemplar(session, world.school_a, world.teacher_a, framework, "GDS", evidence={"EXS.1": "Flagged"})
    publication.flag_never_publish(world.school_a, flagged.sample.pupil_code, world.lead_a)
    round_ = make_round(session, world.authority, framework, RoundState.JUDGING, lead=world.la_lead)
    make_entry(session, round_, held.sample, {world.moderator: None})
    session.flush()
    moderator = signed_in(app, world.moderator).get(_url(framework, "EXS.1")).get_data(as_text=True)
    assert shown.code in moderator and "Seen" in moderator
    assert held.code not in moderator and "Held blind" not in moderator and "Flagged" not in moderator
    other = signed_in(app, world.teacher_c).get(_url(framework, "EXS.1")).get_data(as_text=True)
    assert shown.code not in other and "Seen" not in other


def test_a_standard_shows_a_few_and_pages_through_the_rest(
    app: Flask, session: Session, world: World, framework: Framework
) -> None:
    made = [
        make_exemplar(session, world.school_a, world.teacher_a, framework, "EXS", evidence={"EXS.1": f"Note {n}"})
        for n in range(EXEMPLARS_PER_STANDARD + 2)
    ]
    client = signed_in(app, world.teacher_b)
    body = client.get(_url(framework, "EXS.1")).get_data(as_text=True)
    assert sum(exemplar.code in body for exemplar in made) == EXEMPLARS_PER_STANDARD
    assert f"See all {len(made)} at EXS" in body
    one = client.get(_url(framework, "EXS.1", "standard=EXS")).get_data(as_text=True)
    assert all(exemplar.code in one for exemplar in made)
    assert client.get(_url(framework, "EXS.1", "standard=EXS&page=2")).status_code == 404


def test_the_page_costs_the_same_statements_with_two_exemplars_as_with_ten(
    app: Flask, session: Session, connection: Connection, world: World, framework: Framework
) -> None:
    client = signed_in(app, world.teacher_b)
    counts = []
    for count in (2, 8):
        for n in range(count):
            make_exemplar(
                session,
                world.school_a,
                world.teacher_a,
                framework,
                ("WTS", "EXS", "GDS")[n % 3],
                evidence={"EXS.1": "x", "EXS.2": "y"},
            )
        client.get(_url(framework, "EXS.1"))
        with statements_on(connection) as statements:
            assert client.get(_url(framework, "EXS.1")).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/standards/frameworks/{framework}/statements/NOPE.1", 404),
        ("/standards/frameworks/{framework}/statements/EXS.1%00", 404),
        ("/standards/frameworks/{framework}/statements/" + "X" * 300, 404),
        ("/standards/frameworks/{framework}/statements/EXS%E2%80%AE.1", 404),
        ("/standards/frameworks/999999/statements/EXS.1", 404),
        ("/standards/frameworks/abc/statements/EXS.1", 404),
        ("/standards/frameworks/999999/statements", 404),
        ("/standards/frameworks/{framework}/statements/EXS.1?standard=%00", 404),
        ("/standards/frameworks/{framework}/statements/EXS.1?standard=NOPE", 404),
        ("/standards/frameworks/{framework}/statements/EXS.1?standard=EXS&page=abc", 400),
        ("/standards/frameworks/{framework}/statements/EXS.1?standard=EXS&page=%00", 400),
        ("/standards/frameworks/{framework}/statements/EXS.1?standard=EXS&page=99", 404),
    ],
)
def test_hostile_or_unknown_parameters_are_refused_never_a_server_error(
    app: Flask, world: World, framework: Framework, path: str, expected: int
) -> None:
    response = signed_in(app, world.teacher_b).get(path.replace("{framework}", str(framework.id)))
    assert response.status_code == expected
