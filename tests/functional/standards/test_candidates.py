"""The LA lead's candidates: revealed blind samples whose agreed outcome rests on judgements that agree, by the
authority's rule, with their figures; promotion records the provenance; an outside sample is marked so."""

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from moderation_hub.audit.models import AuditEvent
from moderation_hub.frameworks.models import Framework
from moderation_hub.rounds.models import HIDING_RULES, RoundEntry, RoundState, Verdict
from moderation_hub.standards import candidates
from moderation_hub.standards.models import Exemplar, ExemplarSource, ExemplarState, StandardsRule
from tests.conftest import post_form
from tests.factories import World, make_exemplar, make_ready_sample, make_round, make_user
from tests.functional.rounds.conftest import selects_on
from tests.functional.standards.conftest import judged_sample, revealed_round, signed_in

MET, NOT_MET = Verdict.MET, Verdict.NOT_MET


def _curate_url(world: World) -> str:
    return f"/authorities/{world.authority.id}/standards"


def test_a_sample_two_moderators_judged_alike_is_a_candidate_with_its_figures(
    app: Flask, world: World, candidate: RoundEntry
) -> None:
    body = signed_in(app, world.la_lead).get(_curate_url(world)).get_data(as_text=True)
    assert "Candidates (1)" in body
    assert candidate.blind_code in body and "Y6-001" in body
    assert "100%" in body  # both on the agreed standard; both criteria agreed
    assert "of 2 criteria" in body


def test_the_default_rule_leaves_out_disagreement_one_moderator_open_rounds_and_rounds_that_hide_nothing(
    app: Flask, session: Session, world: World, framework: Framework
) -> None:
    revealed = revealed_round(session, world, framework)
    second = make_user(session, email="second.moderator@example.org")
    judged_sample(session, world, framework, revealed, "OFF", {world.moderator: "EXS", world.teacher_b: "GDS"})
    judged_sample(session, world, framework, revealed, "ONE", {world.moderator: "EXS"})
    judged_sample(
        session, world, framework, revealed, "CRIT", {world.moderator: "EXS", second: "EXS"}, {"EXS.1": [MET, NOT_MET]}
    )
    judging = make_round(session, world.authority, framework, RoundState.JUDGING, name="Open round")
    judged_sample(session, world, framework, judging, "OPEN", {world.moderator: "EXS", world.teacher_b: "EXS"})
    nothing_hidden = dict.fromkeys(HIDING_RULES, False)
    seen = make_round(session, world.authority, framework, RoundState.CLOSED, name="Open book", **nothing_hidden)
    judged_sample(session, world, framework, seen, "SEEN", {world.moderator: "EXS", world.teacher_b: "EXS"})
    found = candidates.candidates_page(world.authority, 1)
    assert found is not None and found.candidates == []


def test_the_las_rule_changes_who_is_a_candidate(
    app: Flask, session: Session, world: World, framework: Framework
) -> None:
    revealed = revealed_round(session, world, framework)
    third = make_user(session, email="third@example.org")
    judged_sample(
        session,
        world,
        framework,
        revealed,
        "TWO-THIRDS",
        {world.moderator: "EXS", world.teacher_b: "EXS", third: "GDS"},
        {"EXS.1": [MET, MET, NOT_MET]},
    )
    client = signed_in(app, world.la_lead)
    url = f"{_curate_url(world)}/rule"
    assert "Candidates (0)" in client.get(_curate_url(world)).get_data(as_text=True)
    response = post_form(
        client, url, {"min_moderators": "3", "min_overall_percent": "66", "min_criterion_percent": "33", "version": "0"}
    )
    assert response.status_code == 302
    body = client.get(_curate_url(world)).get_data(as_text=True)
    assert "Candidates (1)" in body and "67%" in body and "33% (EXS.1)" in body
    rule = session.scalar(select(StandardsRule).where(StandardsRule.authority_id == world.authority.id))
    assert rule is not None and rule.snapshot() == {
        "min_moderators": 3,
        "min_overall_percent": 66,
        "min_criterion_percent": 33,
    }
    stale = post_form(
        client,
        url,
        {"min_moderators": "2", "min_overall_percent": "100", "min_criterion_percent": "80", "version": "0"},
    )
    assert stale.status_code == 400 and "Someone else changed the rule" in stale.get_data(as_text=True)


def test_an_authoritys_first_rule_saved_twice_at_once_is_refused_the_second_time_not_a_500(
    app: Flask, session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both requests read "no rule yet"; the first's row is in when the second inserts its own."""
    client = signed_in(app, world.la_lead)
    url = f"{_curate_url(world)}/rule"
    settings = {"min_moderators": "3", "min_overall_percent": "100", "min_criterion_percent": "80", "version": "0"}
    unsaved = candidates.rule_of(world.authority)
    assert post_form(client, url, settings).status_code == 302
    monkeypatch.setattr(candidates, "rule_of", lambda authority: unsaved)  # as the second request read it
    second = post_form(client, url, {**settings, "min_moderators": "4"})
    assert second.status_code == 400 and "Someone else changed the rule" in second.get_data(as_text=True)
    rule = session.scalar(select(StandardsRule).where(StandardsRule.authority_id == world.authority.id))
    assert rule is not None and rule.min_moderators == 3


def test_promotion_makes_a_draft_with_its_provenance_and_the_candidate_leaves_the_list(
    app: Flask, session: Session, world: World, candidate: RoundEntry
) -> None:
    client = signed_in(app, world.la_lead)
    response = post_form(client, f"/standards/candidates/{candidate.id}/promote", {}, page=_curate_url(world))
    assert response.status_code == 302
    exemplar = session.scalar(select(Exemplar).where(Exemplar.sample_id == candidate.sample_id))
    assert exemplar is not None
    assert (exemplar.state, exemplar.source, exemplar.round_id) == (
        ExemplarState.DRAFT,
        ExemplarSource.ROUND,
        candidate.round_id,
    )
    assert (exemplar.moderator_count, exemplar.overall_agreement) == (2, 1.0)
    assert [(c["code"], c["agreement"], c["raters"]) for c in exemplar.criterion_agreement] == [
        ("EXS.1", 1.0, 2),
        ("EXS.2", 1.0, 2),
    ]
    assert exemplar.standard.code == "EXS" and exemplar.framework.version == 1
    assert response.headers["Location"].endswith(f"/standards/drafts/{exemplar.code}")
    assert "Candidates (0)" in client.get(_curate_url(world)).get_data(as_text=True)
    again = post_form(client, f"/standards/candidates/{candidate.id}/promote", {}, page=_curate_url(world))
    assert again.status_code == 302 and "no longer a candidate" in client.get(again.headers["Location"]).get_data(
        as_text=True
    )
    actions = session.scalars(select(AuditEvent.action).where(AuditEvent.subject_type == "exemplar"))
    assert list(actions) == ["exemplar.promoted"]


def test_only_the_authoritys_la_leads_promote(app: Flask, world: World, candidate: RoundEntry) -> None:
    for person in (world.other_la_lead, world.lead_a, world.moderator):
        response = post_form(
            signed_in(app, person), f"/standards/candidates/{candidate.id}/promote", {}, page="/account"
        )
        assert response.status_code == 404


def test_an_la_lead_adds_a_sample_moderated_outside_the_platform_marked_so(
    app: Flask, session: Session, world: World, framework: Framework
) -> None:
    make_ready_sample(session, world.school_a, world.teacher_a, framework, "OUT-1", "GDS")
    gds = next(s for s in framework.standards if s.code == "GDS")
    client = signed_in(app, world.la_lead)
    url = f"/authorities/{world.authority.id}/standards/outside"
    data = {"school": world.school_a.id, "pupil_code": "OUT-1", "academic_year": "2025", "standard": gds.id}
    missing = post_form(client, url, {**data, "pupil_code": "NOPE", "note": "LA visit, June 2025"})
    assert missing.status_code == 400 and "Pupil code must name a sample" in missing.get_data(as_text=True)
    response = post_form(client, url, {**data, "note": "LA visit, June 2025"})
    assert response.status_code == 302
    exemplar = session.scalar(select(Exemplar).join(Exemplar.sample).where(Exemplar.source == ExemplarSource.OUTSIDE))
    assert exemplar is not None and exemplar.round_id is None and exemplar.outside_note == "LA visit, June 2025"
    body = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Moderated outside the platform: LA visit, June 2025" in body


def test_the_candidate_list_costs_the_same_statements_whatever_the_number_of_candidates(
    app: Flask, session: Session, world: World, framework: Framework, connection: object
) -> None:
    client = signed_in(app, world.la_lead)
    revealed = revealed_round(session, world, framework)
    judged_sample(session, world, framework, revealed, "C-0", {world.moderator: "EXS", world.teacher_b: "EXS"})
    with selects_on(connection) as few:  # type: ignore[arg-type]
        assert client.get(_curate_url(world)).status_code == 200
    for number in range(1, 30):
        judged_sample(
            session, world, framework, revealed, f"C-{number}", {world.moderator: "EXS", world.teacher_b: "EXS"}
        )
    with selects_on(connection) as many:  # type: ignore[arg-type]
        body = client.get(_curate_url(world)).get_data(as_text=True)
    assert "Candidates (30)" in body
    assert len(many) == len(few)
    second_page = client.get(f"{_curate_url(world)}?page=2").get_data(as_text=True)
    assert second_page.count("Promote<span") == 30 - candidates.CANDIDATES_PER_PAGE
    assert client.get(f"{_curate_url(world)}?page=3").status_code == 404


def test_the_curation_page_lists_the_authoritys_exemplars_a_page_at_a_time(
    app: Flask, session: Session, world: World, framework: Framework, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(candidates, "EXEMPLARS_PER_PAGE", 2)
    made = [make_exemplar(session, world.school_a, world.teacher_a, framework, code) for code in ("WTS", "EXS", "GDS")]
    client = signed_in(app, world.la_lead)
    first = client.get(_curate_url(world)).get_data(as_text=True)
    second = client.get(f"{_curate_url(world)}?exemplars_page=2").get_data(as_text=True)
    assert "Exemplars (3)" in first
    listed = [[exemplar.code in page for exemplar in made] for page in (first, second)]
    assert listed == [[False, True, True], [True, False, False]]  # newest first
    assert "exemplars_page=2#exemplars" in first
    assert client.get(f"{_curate_url(world)}?exemplars_page=3").status_code == 404
