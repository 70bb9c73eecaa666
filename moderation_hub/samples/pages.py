"""What the teacher marks on a page: annotations that point at evidence, and redactions.

Redactions act at once on the searchable text (the words under them are dropped and not kept);
the display images are re-made by the worker, because only it may open the private master image.
"""

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import func, select

from moderation_hub.accounts.models import User
from moderation_hub.audit.services import record
from moderation_hub.db import db
from moderation_hub.frameworks.models import Criterion
from moderation_hub.ingestion.geometry import Box, Word
from moderation_hub.ingestion.text import find_words, text_outside
from moderation_hub.samples.models import Annotation, Page, Redaction, SampleState, WorkSample
from moderation_hub.samples.processing import remake_page_images
from moderation_hub.samples.services import SampleError, SampleLockedError, back_claims_with
from moderation_hub.text_rules import TextKind, normalise_line_ends, text_problem

MAX_COMMENT_LENGTH = 2000


# A box's corners as the annotation and redaction forms name and label them (templates/samples/_box_fields.html).
CORNERS = {"x0": "Left", "y0": "Top", "x1": "Right", "y1": "Bottom"}


class BoxError(SampleError):
    """Corners that make no box: each one's problem by its field, naming it as the page labels it."""

    def __init__(self, problems: dict[str, str]) -> None:
        field, message = next(iter(problems.items()))
        super().__init__(message, field)
        self.problems = problems


def box_from(values: Mapping[str, Any]) -> Box:
    """A box from submitted corners (fractions of the page); ``BoxError`` names every corner that is wrong."""
    corners, problems = {}, {}
    for name, label in CORNERS.items():
        try:
            corners[name] = _corner(values, name)
        except ValueError:
            problems[name] = f"{label} must be a number from 0 to 1, like 0.25"
    if not problems and corners["x1"] <= corners["x0"]:
        problems["x1"] = "Right must be more than Left: the box needs a width"
    if not problems and corners["y1"] <= corners["y0"]:
        problems["y1"] = "Bottom must be more than Top: the box needs a height"
    if problems:
        raise BoxError(problems)
    return Box(**corners)


def _corner(values: Mapping[str, Any], name: str) -> float:
    value = float(values.get(name, ""))  # ValueError when missing or not a number
    if not 0 <= value <= 1:  # NaN too
        raise ValueError(name)
    return value


def words_of(page: Page) -> list[Word]:
    return [Word(**word) for word in page.words]


def _require_draft(page: Page) -> None:
    if page.sample.state is not SampleState.DRAFT:
        raise SampleLockedError


# Annotations


def comment_problem(comment: str) -> str | None:
    """Why an annotation cannot have ``comment``, naming the field as the page does; None when it can."""
    if not comment.strip():
        return "Write a comment for the annotation"
    if len(comment.strip()) > MAX_COMMENT_LENGTH:
        return f"Comment must be {MAX_COMMENT_LENGTH:,} characters or fewer"
    problem = text_problem(comment, TextKind.PROSE)
    return f"Comment {problem}" if problem else None


def add_annotation(page: Page, box: Box, comment: str, criteria: Sequence[Criterion], author: User) -> Annotation:
    _require_draft(page)
    if problem := comment_problem(comment):
        raise SampleError(problem, "comment")
    comment = normalise_line_ends(comment).strip()
    if any(criterion.framework_id != page.sample.framework_id for criterion in criteria):
        raise SampleError("Link the annotation to criteria of the sample's framework", "criteria")
    annotation = Annotation(
        number=_next_annotation_number(page.sample),
        comment=comment,
        criteria=list(criteria),
        created_by_id=author.id,
        x0=box.x0,
        y0=box.y0,
        x1=box.x1,
        y1=box.y1,
    )
    page.annotations.append(annotation)
    back_claims_with(annotation, page.sample)
    db.session.flush()
    record(author.id, "page.annotation_added", page, annotation_id=annotation.id)
    return annotation


def remove_annotation(annotation: Annotation, author: User) -> None:
    page = annotation.page
    _require_draft(page)
    page.annotations.remove(annotation)
    db.session.flush()
    record(author.id, "page.annotation_removed", page, annotation_id=annotation.id)


def _next_annotation_number(sample: WorkSample) -> int:
    highest = db.session.scalar(
        select(func.max(Annotation.number)).join(Annotation.page).where(Page.sample_id == sample.id)
    )
    return (highest or 0) + 1


# Redactions


def add_redactions(page: Page, boxes: Sequence[Box], author: User) -> list[Redaction]:
    """Black out the boxes: the words under them leave the text now, the pixels when the worker runs."""
    _require_draft(page)
    if not boxes:
        raise SampleError("Draw at least one box to redact", "box")
    added = [Redaction(created_by_id=author.id, x0=b.x0, y0=b.y0, x1=b.x1, y1=b.y1) for b in boxes]
    page.redactions.extend(added)
    text, kept = text_outside(words_of(page), boxes)
    page.text, page.words = text, [asdict(word) for word in kept]
    db.after_commit(db.checkpoint)  # the dropped words must not outlive the commit in the database's files
    _images_need_remaking(page)
    record(author.id, "page.redacted", page, boxes=len(boxes))
    return added


def remove_redaction(redaction: Redaction, author: User) -> None:
    """Un-black a box. Its pixels come back from the private master; its words were dropped for good."""
    page = redaction.page
    _require_draft(page)
    page.redactions.remove(redaction)
    _images_need_remaking(page)
    record(author.id, "page.redaction_removed", page, redaction_id=redaction.id)


MAX_QUERY = 100  # a name or two; a longer query finds nothing a teacher would type, and costs a pass of every word


def propose_redactions(sample: WorkSample, query: str) -> list[tuple[Page, Box]]:
    """Where ``query`` (say, the pupil's name) is printed in the sample's text layers.

    The query is neither stored nor logged: it is the name the redaction exists to hide.
    """
    query = query.strip()
    if not query:
        raise SampleError("Type the name to find", "query")
    if len(query) > MAX_QUERY:
        raise SampleError(f"Name to find must be {MAX_QUERY} characters or fewer", "query")
    return [(page, box) for page in sample.pages for box in find_words(words_of(page), query)]


def set_needs_redaction(page: Page, needed: bool, author: User) -> None:
    _require_draft(page)
    page.needs_redaction = needed
    db.session.flush()
    record(author.id, "page.redaction_flagged" if needed else "page.redaction_cleared", page)


def _images_need_remaking(page: Page) -> None:
    """Queue new images; a new change starts afresh, so after a failure the teacher can try again."""
    page.images_outdated = True
    page.remake_attempts = 0
    page.remake_failure = None
    db.session.flush()
    remake_page_images.enqueue_after_commit(page.id)
