"""Two exemplars side by side, and boundary pairs: an LA lead marks one exemplar just at a standard and one just below
it, the library proposes pairs from the agreement figures, and readers see a pair only when they may read both."""

import re

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from moderation_hub.frameworks.models import Framework
from moderation_hub.rounds.models import RoundState
from moderation_hub.standards import compare, publication
from moderation_hub.standards.errors import StandardsError
from moderation_hub.standards.models import BoundaryPair, Exemplar
from tests.conftest import post_form
from tests.factories import World, make_entry, make_exemplar, make_round
from tests.functional.standards.conftest import signed_in


def _compare(first: Exemplar, second: Exemplar | None = None) -> str:
    return f"/standards/compare?a={first.code}" + (f"&b={second.code}" if second else "")


def test_two_exemplars_are_shown_side_by_side_with_their_pages_grids_and_commentary(
    app: Flask, session: Session, world: World, framework: Framework
) -> None:
    exs = make_exemplar(
        session,
        world.school_a,
        world.teacher_a,
        framework,
        "EXS",
        evidence={"EXS.1": "Adverbials"},
        commentary="Secure EXS.",
    )
    wts = make_exemplar(
        session,
        world.school_a,
        world.teacher_a,
        framework,
        "WTS",
        evidence={"WTS.1": "Simple"},
        commentary="Towards only.",
    )
    body = signed_in(app, world.teacher_b).get(_compare(exs, wts)).get_data(as_text=True)
    halves = body.split('class="govuk-grid-column-one-half"')
    assert len(halves) == 3  # two columns: side by side from tablet width, stacked below it
    assert (
        "Secure EXS." in halves[1]
        and "Adverbials" in halves[1]
        and f"/standards/{exs.code}/pages/1/display.jpg" in halves[1]
    )
    assert (
        "Towards only." in halves[2]
        and "Simple" in halves[2]
        and f"/standards/{wts.code}/pages/1/display.jpg" in halves[2]
    )
    assert f'href="/standards/frameworks/{framework.id}/statements/EXS.1"' in halves[1]
    assert "Two exemplars side by side" in body


def test_with_one_exemplar_the_page_offers_the_others_of_its_framework_and_year_group(
    app: Flask, session: Session, world: World, framework: Framework
) -> None:
    exs = make_exemplar(session, world.school_a, world.teacher_a, framework, "EXS")
    gds = make_exemplar(session, world.school_a, world.teacher_a, framework, "GDS")
    wts = make_exemplar(session, world.school_a, world.teacher_a, framework, "WTS")
    year_5 = make_exemplar(session, world.school_a, world.teacher_a, framework, "EXS", year_group=5)
    body = signed_in(app, world.teacher_b).get(_compare(exs)).get_data(as_text=True)
    assert body.index(f"b={wts.code}") < body.index(f"b={gds.code}")  # lowest standard first
    assert f"b={exs.code}" not in body and year_5.code not in body


def test_an_la_lead_marks_a_boundary_pair_which_readers_see_on_compare_and_progression(
    app: Flask, session: Session, world: World, framework: Framework
) -> None:
    at = make_exemplar(session, world.school_a, world.teacher_a, framework, "EXS", agreement=0.5)
    below = make_exemplar(session, world.school_a, world.teacher_a, framework, "WTS")
    lead = signed_in(app, world.la_lead)
    pairs_url = f"/authorities/{world.authority.id}/standards/pairs"
    page = lead.get(pairs_url).get_data(as_text=True)
    assert f"a={at.code}&amp;b={below.code}" in page  # proposed: adjacent standards, same framework and year
    response = post_form(lead, pairs_url, {"at": at.code, "below": below.code, "note": "Where EXS begins"})
    assert response.status_code == 302
    pair = session.scalar(select(BoundaryPair))
    assert pair is not None and (pair.at_id, pair.below_id, pair.note) == (at.id, below.id, "Where EXS begins")
    reader = signed_in(app, world.teacher_b)
    body = reader.get(_compare(below, at)).get_data(as_text=True)
    assert "Boundary pair: just at EXS and just below it" in body and "Where EXS begins" in body
    assert "Just below" in body.split('class="govuk-grid-column-one-half"')[1]
    progression = reader.get("/standards/progression?subject=writing").get_data(as_text=True)
    assert f"/standards/compare?a={at.code}&amp;b={below.code}" in progression
    chooser = reader.get(_compare(at)).get_data(as_text=True)
    assert "Its boundary pairs" in chooser
    after = lead.get(pairs_url).get_data(as_text=True)
    assert "Mark as a pair<" not in after  # no longer proposed
    removed = post_form(lead, f"{pairs_url}/{pair.id}/remove", {}, page=pairs_url)
    assert removed.status_code == 302 and session.scalar(select(BoundaryPair)) is None


@pytest.mark.parametrize(
    ("at_code", "below_code", "reason"),
    [
        ("EXS", "GDS", "must be at the standard below EXS"),
        ("GDS", "WTS", "must be at the standard below GDS"),
        ("EXS", "EXS", "must be at the standard below EXS"),
    ],
)
def test_a_pair_is_two_exemplars_at_adjacent_standards(
    session: Session, world: World, framework: Framework, at_code: str, below_code: str, reason: str
) -> None:
    at = make_exemplar(session, world.school_a, world.teacher_a, framework, at_code)
    below = make_exemplar(session, world.school_a, world.teacher_a, framework, below_code)
    with pytest.raises(StandardsError, match=reason):
        compare.mark_pair(world.authority, at, below, "", world.la_lead)


def test_a_pair_is_of_one_year_group_one_authority_and_published_exemplars(
    session: Session, world: World, framework: Framework
) -> None:
    at = make_exemplar(session, world.school_a, world.teacher_a, framework, "EXS")
    year_5 = make_exemplar(session, world.school_a, world.teacher_a, framework, "WTS", year_group=5)
    elsewhere = make_exemplar(session, world.school_c, world.teacher_c, framework, "WTS")
    with pytest.raises(StandardsError, match="same framework and year group"):
        compare.mark_pair(world.authority, at, year_5, "", world.la_lead)
    with pytest.raises(StandardsError, match="this authority"):
        compare.mark_pair(world.authority, at, elsewhere, "", world.la_lead)
    below = make_exemplar(session, world.school_a, world.teacher_a, framework, "WTS")
    publication.withdraw_permission(below.sample, world.lead_a)
    with pytest.raises(StandardsError, match="published"):
        compare.mark_pair(world.authority, at, below, "", world.la_lead)


def test_the_pairs_form_refuses_codes_that_are_not_the_authoritys_and_names_the_field(
    app: Flask, session: Session, world: World, framework: Framework
) -> None:
    at = make_exemplar(session, world.school_a, world.teacher_a, framework, "EXS")
    elsewhere = make_exemplar(session, world.school_c, world.teacher_c, framework, "WTS")
    lead = signed_in(app, world.la_lead)
    pairs_url = f"/authorities/{world.authority.id}/standards/pairs"
    for below in (elsewhere.code, "0123456789abcdef", "a\x00b", "Y6\u202e41"):
        response = post_form(lead, pairs_url, {"at": at.code, "below": below, "note": ""})
        assert response.status_code == 400
        assert "govuk-error-summary" in response.get_data(as_text=True)
    assert session.scalar(select(BoundaryPair)) is None


def test_a_pair_is_shown_only_to_readers_of_both_and_compare_respects_scope_withdrawal_and_blind_holds(
    app: Flask, session: Session, world: World, framework: Framework
) -> None:
    at = make_exemplar(session, world.school_a, world.teacher_a, framework, "EXS")
    below = make_exemplar(session, world.school_a, world.teacher_a, framework, "WTS")
    compare.mark_pair(world.authority, at, below, "", world.la_lead)
    assert signed_in(app, world.teacher_c).get(_compare(at, below)).status_code == 404
    round_ = make_round(session, world.authority, framework, RoundState.JUDGING, lead=world.la_lead)
    make_entry(session, round_, below.sample, {world.moderator: None})
    moderator = signed_in(app, world.moderator)
    assert moderator.get(_compare(at, below)).status_code == 404
    chooser = moderator.get(_compare(at)).get_data(as_text=True)
    assert below.code not in chooser and "Its boundary pairs" not in chooser
    assert below.code not in moderator.get("/standards/progression?subject=writing").get_data(as_text=True)
    publication.withdraw_permission(at.sample, world.lead_a)
    session.flush()
    assert signed_in(app, world.teacher_b).get(_compare(below, at)).status_code == 404
    assert at.code not in signed_in(app, world.la_lead).get(
        f"/authorities/{world.authority.id}/standards/pairs"
    ).get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", 400),
        ("b={first}", 400),
        ("a={first}&b={first}", 400),
        ("a=%00", 404),
        ("a=zzzz", 404),
        ("a=0123456789abcdef", 404),
        ("a={first}&b=%E2%80%AE", 404),
        ("a={first}&b=" + "f" * 300, 404),
        ("a={first}&page=abc", 400),
        ("a={first}&page=%00", 400),
        ("a={first}&page=99", 404),
    ],
)
def test_hostile_or_unknown_parameters_are_refused_never_a_server_error(
    app: Flask, session: Session, world: World, framework: Framework, query: str, expected: int
) -> None:
    first = make_exemplar(session, world.school_a, world.teacher_a, framework, "EXS")
    response = signed_in(app, world.teacher_b).get("/standards/compare?" + query.replace("{first}", first.code))
    assert response.status_code == expected


def test_compare_lays_out_side_by_side_in_grid_columns_that_stack_on_a_phone(
    app: Flask, session: Session, world: World, framework: Framework
) -> None:
    first = make_exemplar(session, world.school_a, world.teacher_a, framework, "EXS")
    second = make_exemplar(session, world.school_a, world.teacher_a, framework, "GDS")
    body = signed_in(app, world.teacher_b).get(_compare(first, second)).get_data(as_text=True)
    # GOV.UK's grid columns sit side by side from 641 px and stack below it; images take their column's width.
    assert re.search(r'class="govuk-grid-row">\s*<div class="govuk-grid-column-one-half">', body)
    assert body.count('class="mh-viewer__image"') == 2


def test_an_exemplars_page_leads_to_compare_and_to_each_of_its_statements_at_other_standards(
    app: Flask, session: Session, world: World, framework: Framework
) -> None:
    exemplar = make_exemplar(
        session, world.school_a, world.teacher_a, framework, "EXS", evidence={"EXS.1": "Adverbials", "EXS.2": "Paras"}
    )
    other = make_exemplar(session, world.school_a, world.teacher_a, framework, "GDS")
    client = signed_in(app, world.teacher_b)
    body = client.get(f"/standards/{exemplar.code}").get_data(as_text=True)
    links = re.findall(r'href="(/standards/(?:compare|frameworks)[^"]*)"', body)
    assert f"/standards/compare?a={exemplar.code}" in links
    assert f"/standards/frameworks/{framework.id}/statements" in links
    for code in ("EXS.1", "EXS.2"):
        assert f"/standards/frameworks/{framework.id}/statements/{code}" in links
    for link in links:
        assert client.get(link.replace("&amp;", "&")).status_code == 200, link
    assert other.code in client.get(f"/standards/compare?a={exemplar.code}").get_data(as_text=True)


def test_proposals_pair_the_least_agreed_of_each_cell_least_agreed_first(
    session: Session, world: World, framework: Framework
) -> None:
    below = make_exemplar(session, world.school_a, world.teacher_a, framework, "WTS", agreement=1.0)
    at = [
        make_exemplar(session, world.school_a, world.teacher_a, framework, "EXS", agreement=share / 10)
        for share in (9, 5, 10, 7, 6, 8, 10)
    ]
    proposed = compare.proposed_pairs(world.authority)
    assert [pair.at.code for pair in proposed] == [at[i].code for i in (1, 4, 3, 5, 0)]  # 50%, 60%, 70%, 80%, 90%
    assert {pair.below.code for pair in proposed} == {below.code}
    compare.mark_pair(world.authority, at[1], below, "", world.la_lead)
    assert at[1].code not in [pair.at.code for pair in compare.proposed_pairs(world.authority)]
