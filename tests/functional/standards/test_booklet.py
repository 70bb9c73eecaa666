"""The booklet: a selection of the standards file as one PDF for one reader, with a cover, contents, each exemplar's
summary, evidence grid, annotated pages and commentary, and a footer naming the authority and the scope; made of
what that reader may read, and of nothing withdrawn, expired or held blind."""

import io

import pymupdf
import pytest
from sqlalchemy.orm import Session

from moderation_hub import clock
from moderation_hub.accounts.models import User
from moderation_hub.frameworks.models import Framework
from moderation_hub.rounds.models import RoundState
from moderation_hub.standards import booklet, booklet_pdf, publication
from moderation_hub.standards.booklet import BookletChangedError, Filters
from moderation_hub.standards.models import PublicationScope
from moderation_hub.storage import storage
from tests.factories import World, make_entry, make_round, make_user
from tests.functional.standards.conftest import (
    PUPIL_TEXT,
    Library,
    judged_sample,
    publish_through_services,
    revealed_round,
)


def _made(reader: User, filters: Filters | None = None) -> tuple[pymupdf.Document, list[tuple[int, int]]]:
    """The booklet ``reader`` gets for ``filters``, built as the worker builds it, and the progress it reported."""
    request = booklet.request_for(reader, filters or Filters())
    out, reported = io.BytesIO(), []
    booklet.build_booklet(request.as_arguments(), out, lambda done, total: reported.append((done, total)))
    return pymupdf.open("pdf", out.getvalue()), reported


def _texts(document: pymupdf.Document) -> list[str]:
    """Each page's words, ligatures spelt out and lines joined, as a reader would search them."""
    flags = pymupdf.TEXTFLAGS_TEXT & ~pymupdf.TEXT_PRESERVE_LIGATURES
    return [" ".join(page.get_text(flags=flags).split()) for page in document]


def test_a_booklet_has_a_cover_contents_and_each_exemplars_summary_grid_pages_and_commentary(
    world: World, library: Library
) -> None:
    document, reported = _made(world.teacher_b)
    texts = _texts(document)
    cover, contents = texts[0], texts[1]
    assert "Standards file booklet: every framework, every standard" in cover
    assert "Northshire County Council" in cover
    assert f"{clock.today().day} {clock.today():%B %Y}" in cover
    assert "Users in this local authority" in cover
    assert "Contents" in contents
    heading = f"1. Pupil A: Year 6, {library.exemplar.framework.title}, EXS"
    assert heading in contents
    start = 3  # the cover, the contents, then the exemplar
    summary = texts[start - 1]
    for shown in ("Pupil A", "Year 6", "EXS: ", "Judged blind by 2 moderators in Year 6 writing", "Evidence grid"):
        assert shown in summary
    assert "EXS.1" in summary
    work = texts[start]
    assert "Piece A, page 1 of the collection" in work
    assert "Fronted adverbial used well" in work
    assert "Commentary" in texts[start + 1]
    assert "fronted adverbials in piece A" in texts[start + 1]
    assert document.get_toc() == [[1, "Contents", 2], [1, heading, start]]
    assert [link["page"] for link in document[1].get_links()] == [start - 1]
    assert all("Northshire County Council · Standards file · For: Users in this local authority" in t for t in texts)
    assert all(f"Page {number}" in text for number, text in enumerate(texts, 1))
    assert reported[0] == (0, 2) and reported[-1] == (2, 2)


def test_a_booklet_names_nobody_in_its_metadata_and_shows_only_the_redacted_copies(
    world: World, library: Library
) -> None:
    document, _ = _made(world.teacher_b)
    metadata = document.metadata
    assert metadata["title"] == "Standards file booklet: every framework, every standard"
    for key in ("author", "subject", "keywords", "creator", "producer"):
        assert metadata[key] == ""
    assert document.get_xml_metadata() == ""
    shown = [document.extract_image(xref)["image"] for page in document for xref, *_ in page.get_images()]
    assert shown == [storage().get(image.display_key) for image in library.exemplar.images]
    everything = " ".join(_texts(document))
    for named in (world.school_a.name, library.sample.pupil_code, world.teacher_a.display_name, world.la_lead.email):
        assert named not in everything


def test_text_anyone_wrote_is_shown_as_written_never_as_markup(
    session: Session, world: World, library: Library
) -> None:
    library.sample.pages[0].annotations[0].comment = "<b>bold</b> & <img src='x'>"
    current = library.exemplar.current
    assert current is not None
    content = dict(current.content)
    content["pages"] = [
        {**page, "annotations": [{**a, "comment": "<b>bold</b> & <img src='x'>"} for a in page["annotations"]]}
        for page in content["pages"]
    ]
    current.content = content
    session.flush()
    document, _ = _made(world.teacher_b)
    assert "<b>bold</b> & <img src='x'>" in " ".join(_texts(document))


def test_the_footer_states_the_narrowest_scope_and_each_reader_gets_only_what_they_may_read(
    session: Session, world: World, framework: Framework
) -> None:
    round_ = revealed_round(session, world, framework)
    local = judged_sample(session, world, framework, round_, "LOCAL", {world.moderator: "EXS", world.teacher_b: "EXS"})
    everyone = judged_sample(
        session, world, framework, round_, "ALL", {world.moderator: "GDS", world.teacher_b: "GDS"}, agreed="GDS"
    )
    publish_through_services(world, local, PublicationScope.AUTHORITY)
    publish_through_services(world, everyone, PublicationScope.INSTALLATION)
    session.flush()
    inside, _ = _made(world.teacher_b)
    assert inside.get_toc()[1:] == [
        [1, f"1. Pupil A: Year 6, {framework.title}, EXS", 3],
        [1, f"2. Pupil A: Year 6, {framework.title}, GDS", 6],
    ]
    assert all("For: Users in this local authority" in text for text in _texts(inside))
    outside, _ = _made(world.teacher_c)
    assert [entry[1] for entry in outside.get_toc()[1:]] == [f"1. Pupil A: Year 6, {framework.title}, GDS"]
    assert all("For: Every user of this site" in text for text in _texts(outside))
    gds = next(standard for standard in framework.standards if standard.code == "GDS")
    only_gds, _ = _made(world.teacher_b, Filters(framework.id, 6, gds.id))
    assert [entry[1] for entry in only_gds.get_toc()[1:]] == [f"1. Pupil A: Year 6, {framework.title}, GDS"]
    assert booklet.count(world.teacher_b, Filters(framework.id, 5, None)) == 0


def test_a_moderator_judging_the_sample_blind_gets_a_booklet_without_it(
    session: Session, world: World, framework: Framework, library: Library
) -> None:
    blind = make_user(session, email="blind.booklet@example.org")
    open_round = make_round(session, world.authority, framework, RoundState.JUDGING, name="Open round")
    make_entry(session, open_round, library.sample, {blind: None})
    session.flush()
    assert booklet.count(blind, Filters()) == 0
    document, _ = _made(blind)
    assert document.get_toc() == [[1, "Contents", 2]]
    assert PUPIL_TEXT not in " ".join(_texts(document))


def test_a_booklet_asked_for_before_a_withdrawal_is_never_made_or_read_after_it(
    session: Session, world: World, library: Library
) -> None:
    request = booklet.request_for(world.teacher_b, Filters())
    assert request.still_readable()
    publication.withdraw_permission(library.sample, world.lead_a)
    session.flush()
    assert not request.still_readable()
    with pytest.raises(BookletChangedError):
        booklet.build_booklet(request.as_arguments(), io.BytesIO(), lambda done, total: None)
    assert booklet.count(world.teacher_b, Filters()) == 0


def test_a_new_revision_changes_what_a_booklet_is_tied_to(session: Session, world: World, library: Library) -> None:
    before = booklet.fingerprint(world.teacher_b, Filters())
    library.exemplar.revisions_made += 1  # any change to the exemplar's row moves its version
    session.flush()
    assert booklet.fingerprint(world.teacher_b, Filters()) != before


def test_a_revision_with_statement_commentary_and_annotation_boxes_shows_both(
    session: Session, world: World, library: Library
) -> None:
    current = library.exemplar.current
    assert current is not None
    content = dict(current.content)
    content["pages"] = [
        {**page, "annotations": [{**item, "box": [0.1, 0.1, 0.5, 0.2]} for item in page["annotations"]]}
        for page in content["pages"]
    ]
    content["commentary"] = {
        "statements": [
            {
                "code": "EXS.1",
                "statement": "write effectively for a range of purposes",
                "text": "Fronted adverbials open each paragraph.",
                "citations": [{"piece": "A", "page": 1, "position": 1, "label": "Piece A, page 1"}],
            }
        ],
        "why_not_next": "No shift of formality yet.",
        "next_standard": {"code": "GDS", "label": "Working at greater depth"},
    }
    current.content = content
    session.flush()
    document, _ = _made(world.teacher_b)
    commentary = _texts(document)[4]
    for shown in (
        "Statement by statement",
        "EXS.1: write effectively for a range of purposes",
        "Fronted adverbials open each paragraph.",
        "Cites: Piece A, page 1",
        "Why this standard and not the next (GDS: Working at greater depth)",
        "No shift of formality yet.",
    ):
        assert shown in commentary
    work = document[3]
    x0, y0, x1, y1 = work.get_image_info()[0]["bbox"]
    corner = (x0 + 0.1 * (x1 - x0), y0 + 0.1 * (y1 - y0))
    numbers = [word for word in work.get_text("words") if word[4] == "1" and word[3] < y1]
    assert any(abs(word[0] - corner[0]) < 12 and abs(word[1] - corner[1]) < 12 for word in numbers), numbers


def test_an_image_deleted_while_the_booklet_is_made_stops_it(world: World, library: Library) -> None:
    request = booklet.request_for(world.teacher_b, Filters())
    storage().delete(library.exemplar.images[0].display_key)  # as a withdrawal's commit does
    with pytest.raises(BookletChangedError):
        booklet.build_booklet(request.as_arguments(), io.BytesIO(), lambda done, total: None)


def _box_in_two_columns(number: int) -> list[float]:
    left, top = 0.1 + 0.4 * (number % 2), 0.03 + 0.042 * (number // 2)
    return [left, top, left + 0.3, top + 0.03]


def test_a_long_list_of_annotations_runs_on_and_the_markers_stay_on_their_page(
    session: Session, world: World, library: Library
) -> None:
    current = library.exemplar.current
    assert current is not None
    content = dict(current.content)
    annotations = [
        {
            "number": number,
            "comment": f"Comment {number} on the work.",
            "criteria": [],
            "box": _box_in_two_columns(number),
        }
        for number in range(1, 41)
    ]
    content["pages"] = [{**page, "annotations": annotations} for page in content["pages"]]
    current.content = content
    session.flush()
    document, _ = _made(world.teacher_b)
    texts = _texts(document)
    assert "40. Comment 40 on the work." in texts[4]  # ran on to the next page
    assert "Commentary" in texts[5]
    work = document[3]
    _, top, _, bottom = work.get_image_info()[0]["bbox"]
    labels = [word[4] for word in work.get_text("words") if top < word[1] and word[3] < bottom]
    assert {str(number) for number in range(1, 41)} <= set(labels)
    yellow = [drawing for drawing in document[4].get_drawings() if drawing.get("fill") == pytest.approx((1, 0.87, 0))]
    assert yellow == []  # no marker where the list ran on
    assert len([d for d in work.get_drawings() if d.get("fill") == pytest.approx((1, 0.87, 0))]) == 40


def test_content_that_never_fits_stops_the_booklet_instead_of_laying_out_pages_for_ever(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(booklet_pdf, "MAX_STORY_PAGES", 3)
    long_text = "<p>" + "A sentence the pupil wrote. " * 3_000 + "</p>"
    with pytest.raises(booklet_pdf.NeverFitsError):
        booklet_pdf._count_pages(long_text)
