"""The progression view: a subject followed across key stages, each framework's standards side by side, a few
exemplars per cell with the rest counted, within the reader's scope and never what they judge blind."""

import re

import pytest
from flask import Flask
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from moderation_hub.frameworks.models import Framework
from moderation_hub.frameworks.services import import_demo_frameworks
from moderation_hub.rounds.models import RoundState
from moderation_hub.standards import publication
from moderation_hub.standards.models import Exemplar
from moderation_hub.standards.progression import one_line, subject_key
from tests.factories import World, make_entry, make_exemplar, make_round
from tests.functional.conftest import statements_on
from tests.functional.standards.conftest import signed_in


@pytest.fixture
def frameworks(session: Session) -> dict[str, Framework]:
    import_demo_frameworks()
    return {framework.slug: framework for framework in session.scalars(select(Framework))}


def _writing_file(session: Session, world: World, frameworks: dict[str, Framework]) -> dict[str, Exemplar]:
    """Year 2 at WTS and GDS (KS1), Year 6 at WTS, EXS and GDS (KS2), Year 7 on the KS3 steps; all of school A."""
    ks1, ks2, ks3 = frameworks["ks1-writing-ta"], frameworks["ks2-writing-ta"], frameworks["ks3-writing-steps"]
    return {
        "y2-wts": make_exemplar(session, world.school_a, world.teacher_a, ks1, "WTS", year_group=2),
        "y2-gds": make_exemplar(session, world.school_a, world.teacher_a, ks1, "GDS", year_group=2),
        "y6-wts": make_exemplar(session, world.school_a, world.teacher_a, ks2, "WTS", commentary="Just towards."),
        "y6-exs": make_exemplar(session, world.school_a, world.teacher_a, ks2, "EXS", commentary="Secure. More."),
        "y6-gds": make_exemplar(session, world.school_a, world.teacher_a, ks2, "GDS"),
        "y7": make_exemplar(session, world.school_a, world.teacher_a, ks3, ks3.standards[1].code, year_group=7),
    }


def _order(body: str, *texts: str) -> list[int]:
    return [body.index(text) for text in texts]


def test_writing_is_followed_from_year_2_through_year_6_to_year_7_on_the_ks3_scale(
    app: Flask, session: Session, world: World, frameworks: dict[str, Framework]
) -> None:
    made = _writing_file(session, world, frameworks)
    client = signed_in(app, world.teacher_b)
    body = client.get("/standards/progression?subject=writing").get_data(as_text=True)
    ks1, ks2, ks3 = (
        f'id="framework-{frameworks[slug].id}"' for slug in ("ks1-writing-ta", "ks2-writing-ta", "ks3-writing-steps")
    )
    positions = _order(body, ks1, ks2, ks3)
    assert positions == sorted(positions)  # Year 2, then Year 6, then Year 7
    ks2_table = body[body.index(ks2) : body.index(ks3)]
    assert _order(ks2_table, ">WTS<", ">EXS<", ">GDS<") == sorted(_order(ks2_table, ">WTS<", ">EXS<", ">GDS<"))
    assert ">PKF<" not in ks2_table  # columns run from the lowest standard with an exemplar to the highest
    for key in ("y6-wts", "y6-exs", "y6-gds"):
        assert f"/standards/{made[key].code}" in ks2_table
    assert "Secure." in ks2_table and "More." not in ks2_table  # the summary is the commentary's first sentence
    assert f"/standards/{made['y6-exs'].code}/pages/1/thumbnail.jpg" in ks2_table
    ks1_table = body[body.index(ks1) : body.index(ks2)]
    assert ">EXS<" in ks1_table and "None yet" in ks1_table  # the gap between WTS and GDS is an empty cell
    assert f"/standards/{made['y7'].code}" in body[body.index(ks3) :]


def test_without_a_subject_the_page_offers_the_subjects_one_can_read(
    app: Flask, session: Session, world: World, frameworks: dict[str, Framework]
) -> None:
    _writing_file(session, world, frameworks)
    body = signed_in(app, world.teacher_b).get("/standards/progression").get_data(as_text=True)
    assert "/standards/progression?subject=writing" in body
    assert "subject=mathematics" not in body  # no mathematics exemplar
    assert subject_key("English (writing)") == subject_key("Writing") == "writing"


def test_one_framework_can_be_chosen(
    app: Flask, session: Session, world: World, frameworks: dict[str, Framework]
) -> None:
    made = _writing_file(session, world, frameworks)
    ks2 = frameworks["ks2-writing-ta"]
    body = signed_in(app, world.teacher_b).get(f"/standards/progression?subject=writing&framework={ks2.id}")
    text = body.get_data(as_text=True)
    assert body.status_code == 200
    assert made["y6-exs"].code in text and made["y2-wts"].code not in text and made["y7"].code not in text


def test_a_cell_shows_three_and_counts_the_rest_with_a_link_to_browse_filtered_to_it(
    app: Flask, session: Session, world: World, frameworks: dict[str, Framework]
) -> None:
    ks2 = frameworks["ks2-writing-ta"]
    made = [make_exemplar(session, world.school_a, world.teacher_a, ks2, "EXS") for _ in range(5)]
    body = signed_in(app, world.teacher_b).get("/standards/progression?subject=writing").get_data(as_text=True)
    assert sum(exemplar.code in body for exemplar in made) == 3
    assert "See all 5" in body
    link = re.search(r'href="(/standards\?[^"]+)">See all 5', body)
    assert link is not None
    browse = signed_in(app, world.teacher_b).get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert "5 exemplars" in browse


def test_the_page_costs_the_same_statements_with_two_exemplars_as_with_twelve(
    app: Flask, session: Session, connection: Connection, world: World, frameworks: dict[str, Framework]
) -> None:
    ks2, ks1 = frameworks["ks2-writing-ta"], frameworks["ks1-writing-ta"]
    client = signed_in(app, world.teacher_b)
    counts = []
    for _ in range(2):
        for code in ("WTS", "EXS", "GDS"):
            make_exemplar(session, world.school_a, world.teacher_a, ks2, code)
            make_exemplar(session, world.school_a, world.teacher_a, ks1, code, year_group=2)
        client.get("/standards/progression?subject=writing")  # warm: the first request loads the session's user
        with statements_on(connection) as statements:
            assert client.get("/standards/progression?subject=writing").status_code == 200
        counts.append(len(statements))
    for _ in range(6):
        make_exemplar(session, world.school_a, world.teacher_a, ks2, "EXS")
    with statements_on(connection) as statements:
        client.get("/standards/progression?subject=writing")
    counts.append(len(statements))
    assert counts[0] == counts[1] == counts[2], counts


def test_other_authoritys_readers_and_withdrawn_or_flagged_exemplars_are_not_shown(
    app: Flask, session: Session, world: World, frameworks: dict[str, Framework]
) -> None:
    made = _writing_file(session, world, frameworks)
    assert signed_in(app, world.teacher_c).get("/standards/progression?subject=writing").status_code == 404
    publication.withdraw_permission(made["y6-exs"].sample, world.lead_a)
    publication.flag_never_publish(world.school_a, made["y6-gds"].sample.pupil_code, world.lead_a)
    session.flush()
    body = signed_in(app, world.teacher_b).get("/standards/progression?subject=writing").get_data(as_text=True)
    assert made["y6-wts"].code in body
    assert made["y6-exs"].code not in body and made["y6-gds"].code not in body


def test_a_moderator_judging_a_sample_blind_sees_nothing_of_its_exemplar(
    app: Flask, session: Session, world: World, frameworks: dict[str, Framework]
) -> None:
    made = _writing_file(session, world, frameworks)
    held = made["y6-exs"]
    round_ = make_round(session, world.authority, frameworks["ks2-writing-ta"], RoundState.JUDGING, lead=world.la_lead)
    make_entry(session, round_, held.sample, {world.moderator: None})
    client = signed_in(app, world.moderator)
    body = client.get("/standards/progression?subject=writing").get_data(as_text=True)
    assert made["y6-wts"].code in body and held.code not in body


@pytest.mark.parametrize(
    "query",
    ["framework=abc", "framework=%00", "framework=-1", "framework=1e3", "framework=%EF%BC%91", "framework=" + "9" * 40],
)
def test_a_framework_that_is_not_a_number_is_a_bad_request(app: Flask, world: World, query: str) -> None:
    assert signed_in(app, world.teacher_b).get(f"/standards/progression?subject=writing&{query}").status_code == 400


@pytest.mark.parametrize("query", ["subject=%00", "subject=history", "subject=writing%E2%80%AE", "framework=999999"])
def test_a_subject_or_framework_one_has_nothing_of_is_not_found(
    app: Flask, session: Session, world: World, frameworks: dict[str, Framework], query: str
) -> None:
    _writing_file(session, world, frameworks)
    suffix = "" if query.startswith("subject") else "subject=writing&"
    assert signed_in(app, world.teacher_b).get(f"/standards/progression?{suffix}{query}").status_code == 404


def test_a_summary_is_the_first_sentence_cut_at_a_word() -> None:
    assert one_line("Secure throughout. Next sentence.") == "Secure throughout."
    long = "word " * 60
    assert one_line(long).endswith("…") and len(one_line(long)) <= 140
