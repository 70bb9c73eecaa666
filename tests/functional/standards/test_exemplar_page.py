"""The exemplar page as national exemplification shows it, and better: Pupil A with year group, framework and standard;
each page's annotations as numbered markers over the image and the same numbers as a text list, linked both ways;
an unannotated view for practice that keeps the answer behind a <details>; the curator's commentary statement by
statement, citing pieces and pages, and why this standard and not the next; the revision history. The draft form
refuses hostile commentary by name and stores nothing; a moderator judging the sample blind sees none of it."""

import re

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from moderation_hub.audit.models import AuditEvent
from moderation_hub.frameworks.models import Framework
from moderation_hub.rounds.models import RoundEntry, RoundState
from moderation_hub.standards import candidates, publication
from moderation_hub.standards.commentary import Commentary
from moderation_hub.standards.errors import StandardsError
from moderation_hub.standards.models import Exemplar
from tests.conftest import post_form
from tests.factories import World, make_entry, make_round, make_user
from tests.functional.standards.conftest import PUPIL_TEXT, Library, signed_in

WHY_NOT_GDS = "Piece A keeps one formal register; GDS asks for a deliberate shift of formality for the reader."
ON_EXS_1 = "\u201cUnder the hill\u201d opens the sentence as a fronted adverbial: piece A, page 1."


def _commentary_data(exemplar: Exemplar, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "commentary": "Secure at EXS across the collection.",
        "statement_EXS_1": ON_EXS_1,
        "why_not_next": WHY_NOT_GDS,
        "version": exemplar.version,
    }
    return {key: value for key, value in (data | changes).items() if value is not None}


def _answer_split(body: str) -> tuple[str, str]:
    """The page before the <details> that holds the answer, and the rest."""
    before, _, after = body.partition('<details class="govuk-details mh-exemplar-answer">')
    assert after, "the answer is behind a <details>"
    return before, after


def test_the_page_shows_pupil_a_year_framework_standard_and_numbered_markers_matching_the_list(
    app: Flask, world: World, library: Library
) -> None:
    body = signed_in(app, world.teacher_b).get(f"/standards/{library.exemplar.code}").get_data(as_text=True)
    assert "Pupil A: Year 6, Working at the expected standard (EXS)</h1>" in body
    assert "Key stage 2 writing teacher assessment (demo) (version 1)" in body
    # The marker: an SVG link over the 60 x 80 page, its box at (0.1, 0.1)-(0.5, 0.2) of it, numbered 1.
    overlay = re.search(r'<svg class="mh-exemplar-overlay" viewBox="0 0 60 80".*?</svg>', body, re.S)
    assert overlay is not None
    marker = overlay.group(0)
    assert '<a href="#annotation-1" id="marker-1"' in marker and 'aria-label="Annotation 1: go to its text"' in marker
    assert 'x="6.0" y="8.0" width="24.0" height="8.0"' in marker
    assert re.search(r"<text [^>]*>1</text>", marker)
    # The same number in the list beside the page, linking back to its marker; the grid's number links to it too.
    item = re.search(r'<li id="annotation-1">.*?</li>', body, re.S)
    assert item is not None and 'href="#marker-1"' in item.group(0) and "Fronted adverbial used well" in item.group(0)
    assert '<a class="govuk-link" href="#annotation-1">1</a>' in body
    assert 'style="' not in overlay.group(0)  # placed without style attributes, which the CSP forbids
    assert "unannotated" in body and 'aria-current="page">Annotated<' in body


def test_a_revision_published_before_markers_were_kept_lists_its_annotations_without_markers(
    app: Flask, session: Session, world: World, library: Library
) -> None:
    revision = library.exemplar.current
    content = dict(revision.content)
    content["pages"] = [
        {**page, "annotations": [{k: v for k, v in a.items() if k != "box"} for a in page["annotations"]]}
        for page in content["pages"]
    ]
    del content["commentary"]
    revision.content = content
    session.flush()
    body = signed_in(app, world.teacher_b).get(f"/standards/{library.exemplar.code}").get_data(as_text=True)
    assert 'id="marker-1"' not in body and '<li id="annotation-1">' in body
    assert '<h2 class="govuk-heading-m">Commentary</h2>' in body and "fronted adverbials in piece A" in body


def test_the_unannotated_view_hides_markers_annotations_and_the_answer_until_revealed(
    app: Flask, world: World, library: Library
) -> None:
    client = signed_in(app, world.teacher_b)
    code = library.exemplar.code
    body = client.get(f"/standards/{code}?view=unannotated").get_data(as_text=True)
    before, answer = _answer_split(body)
    assert "<title>Pupil A: Year 6, unannotated" in before and "Pupil A: Year 6</h1>" in before
    for hidden in ("mh-exemplar-overlay", 'id="marker-', "Fronted adverbial used well", "evidence for", "EXS", "grid"):
        assert hidden not in before, hidden
    assert PUPIL_TEXT in before  # the work itself is there to judge
    assert f'src="/standards/{code}/pages/1/display.jpg"' in before
    assert "Working at the expected standard (EXS)" in answer and 'id="grid-caption"' in answer
    assert "fronted adverbials in piece A" in answer and "Judged blind by 2 moderators" in answer
    assert "Fronted adverbial used well" not in answer  # the annotations stay with the annotated view
    assert f'href="/standards/{code}"' in answer  # ...which the answer links to
    assert 'aria-current="page">Unannotated' in body
    # Anything else asked for is the annotated view, never an error.
    assert client.get(f"/standards/{code}?view=%00%E2%80%AE").status_code == 200


def test_commentary_statement_by_statement_through_the_draft_form_cites_pieces_and_makes_a_revision(
    app: Flask, session: Session, world: World, library: Library
) -> None:
    exemplar = library.exemplar
    url = f"/standards/drafts/{exemplar.code}"
    la_lead = signed_in(app, world.la_lead)
    form = la_lead.get(url).get_data(as_text=True)
    assert 'name="statement_EXS_1"' in form and 'name="why_not_next"' in form
    assert "Working at greater depth within the expected standard (GDS), and does not." in form
    assert post_form(la_lead, url, _commentary_data(exemplar)).status_code == 302
    session.refresh(exemplar)
    assert [revision.number for revision in exemplar.revisions] == [1, 2]
    written = exemplar.current.content["commentary"]
    assert written["statements"][0]["code"] == "EXS.1" and written["statements"][0]["text"] == ON_EXS_1
    assert written["statements"][0]["citations"] == [
        {"piece": "A", "page": 1, "position": 1, "label": "Piece A, page 1"}
    ]
    assert written["why_not_next"] == WHY_NOT_GDS and written["next_standard"]["code"] == "GDS"
    assert exemplar.draft_statements == {"EXS.1": ON_EXS_1}  # the form shows them again

    reader = signed_in(app, world.teacher_b)
    body = reader.get(f"/standards/{exemplar.code}").get_data(as_text=True)
    statement = re.search(r'<section class="mh-exemplar-statement" id="statement-EXS.1".*?</section>', body, re.S)
    assert statement is not None and "\u201cUnder the hill\u201d" in statement.group(0)
    assert '<a class="govuk-link" href="#page-1">Piece A, page 1</a>' in statement.group(0)
    assert '<a class="govuk-link" href="#statement-EXS.1">EXS.1</a>' in body  # the grid's row leads to it
    assert "Why EXS and not GDS</h3>" in body and WHY_NOT_GDS in body
    assert 'id="page-1"' in body
    # The history: revision 2 is current, revision 1 still readable as it was.
    assert "<strong>Revision 2</strong> (shown)" in body and f'href="/standards/{exemplar.code}?revision=1"' in body
    first = reader.get(f"/standards/{exemplar.code}?revision=1").get_data(as_text=True)
    assert "Revision 1, published" in first and "This is an earlier revision" in first
    assert 'id="statement-EXS.1"' not in first and "fronted adverbials in piece A" in first
    assert f'href="/standards/{exemplar.code}?view=unannotated&amp;revision=1"' in first
    assert reader.get(f"/standards/{exemplar.code}?revision=3").status_code == 404
    assert reader.get(f"/standards/{exemplar.code}?revision=x").status_code == 200


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"statement_EXS_1": "a\x00b"}, "statement_EXS_1", "must not contain control characters"),
        ({"why_not_next": "a\x00b"}, "why_not_next", "must not contain control characters"),
        ({"commentary": "a\x00b"}, "commentary", "must not contain control characters"),
        ({"statement_EXS_1": "x" * 4_001}, "statement_EXS_1", "must be 4,000 characters or fewer"),
        ({"why_not_next": "x" * 4_001}, "why_not_next", "must be 4,000 characters or fewer"),
        ({"commentary": "x" * 20_001}, "commentary", "must be 20,000 characters or fewer"),
        ({"why_not_next": None}, "why_not_next", "Say why this is the standard and not the next one"),
        ({"why_not_next": "  \n "}, "why_not_next", "Say why this is the standard and not the next one"),
        ({"statement_EXS_1": "See piece Q."}, "statement_EXS_1", "cites piece Q, but the pieces are A"),
        ({"statement_EXS_1": "Piece A, page 3."}, "statement_EXS_1", "piece A has 1 page"),
        ({"version": "x"}, None, None),
    ],
    ids=[
        "NUL-statement",
        "NUL-why",
        "NUL-summary",
        "long-statement",
        "long-why",
        "long-summary",
        "missing-why",
        "blank-why",
        "no-such-piece",
        "no-such-page",
        "garbled-version",
    ],
)
def test_the_draft_form_refuses_hostile_commentary_by_name_and_stores_nothing(
    app: Flask,
    session: Session,
    world: World,
    candidate: RoundEntry,
    changes: dict[str, object],
    field: str | None,
    message: str | None,
) -> None:
    exemplar = candidates.promote(candidate, world.la_lead)
    session.flush()
    events = session.scalar(select(func.count()).select_from(AuditEvent))
    url = f"/standards/drafts/{exemplar.code}"
    response = post_form(signed_in(app, world.la_lead), url, _commentary_data(exemplar, **changes))
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    if field is not None:
        assert f'href="#{field}"' in body and message in body.replace("&#39;", "'")
    session.refresh(exemplar)
    assert exemplar.draft_statements == {} and exemplar.draft_why_not_next == "" and exemplar.draft_commentary == ""
    assert session.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_bidirectional_controls_in_prose_are_kept_as_the_text_rules_allow_and_shown_isolated(
    app: Flask, session: Session, world: World, library: Library
) -> None:
    """Prose may hold them (right-to-left scripts use them): each paragraph is its own bidi island (dir="auto"), so an
    override cannot run on into the page around it."""
    exemplar = library.exemplar
    text = "Piece A, page 1: \u202eevil\u202c then \u05e9\u05dc\u05d5\u05dd."
    url = f"/standards/drafts/{exemplar.code}"
    client = signed_in(app, world.la_lead)
    assert post_form(client, url, _commentary_data(exemplar, statement_EXS_1=text)).status_code == 302
    body = signed_in(app, world.teacher_b).get(f"/standards/{exemplar.code}").get_data(as_text=True)
    assert f'<p class="govuk-body mh-prose" dir="auto">{text}</p>' in body


def test_the_service_checks_what_any_caller_writes(session: Session, world: World, candidate: RoundEntry) -> None:
    exemplar = candidates.promote(candidate, world.la_lead)
    with pytest.raises(StandardsError, match=r"GDS\.9 is not a statement"):
        publication.save_commentary(exemplar, Commentary("S", "W", {"GDS.9": "x"}), exemplar.version, world.la_lead)
    with pytest.raises(StandardsError, match="Say why"):
        publication.save_commentary(exemplar, Commentary("S", ""), exemplar.version, world.la_lead)
    written = Commentary(" Summary \r\n", "Why\r\nnot", {"EXS.1": "piece A", "EXS.2": "   "})
    publication.save_commentary(exemplar, written, exemplar.version, world.la_lead)
    assert exemplar.draft_commentary == "Summary" and exemplar.draft_why_not_next == "Why\nnot"
    assert exemplar.draft_statements == {"EXS.1": "piece A"}  # a blank statement is left out
    # A summary on its own (as before statements had commentary) keeps what was drafted on the statements.
    publication.save_commentary(exemplar, "Summary, revised", exemplar.version, world.la_lead)
    assert exemplar.draft_commentary == "Summary, revised" and exemplar.draft_statements == {"EXS.1": "piece A"}
    assert exemplar.draft_why_not_next == "Why\nnot"
    with pytest.raises(StandardsError, match="cites piece Q"):
        publication.save_commentary(
            exemplar, Commentary("S", "W", {"EXS.1": "piece Q"}), exemplar.version, world.la_lead
        )


def test_a_moderator_judging_the_sample_blind_sees_neither_view_nor_any_revision(
    app: Flask, session: Session, world: World, framework: Framework, library: Library
) -> None:
    exemplar = library.exemplar
    publication.save_commentary(
        exemplar, Commentary("Second", WHY_NOT_GDS, {"EXS.1": ON_EXS_1}), exemplar.version, world.la_lead
    )
    blind = make_user(session, email="blind.reader@example.org")
    open_round = make_round(session, world.authority, framework, RoundState.JUDGING, name="Open round")
    make_entry(session, open_round, library.sample, {blind: None})
    session.flush()
    client = signed_in(app, blind)
    for query in ("", "?view=unannotated", "?revision=1", "?revision=2&view=unannotated"):
        response = client.get(f"/standards/{exemplar.code}{query}")
        assert response.status_code == 404 and ON_EXS_1 not in response.get_data(as_text=True)
    assert client.get(f"/standards/drafts/{exemplar.code}").status_code == 404
