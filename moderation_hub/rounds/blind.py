"""What a moderator may see of a sample: built field by field from the round's hiding rules.

Judging templates receive a ``BlindSample`` and never the ``WorkSample`` itself, so nothing the round
hides can reach a moderator's page by accident: a field the round hides is not in the object at all.
The leak test (tests/functional/rounds/test_blindness.py) checks every page, fragment and image.
"""

import datetime as dt
from dataclasses import dataclass

from moderation_hub.frameworks.models import Framework
from moderation_hub.ingestion.geometry import Box
from moderation_hub.rounds.models import RoundEntry
from moderation_hub.samples.models import Independence


@dataclass(frozen=True)
class BlindPiece:
    title: str
    purpose: str
    written_on: dt.date | None
    independence: Independence


@dataclass(frozen=True)
class BlindAnnotation:
    number: int
    box: Box
    comment: str
    criterion_codes: list[str]


@dataclass(frozen=True)
class BlindPage:
    position: int  # 0-based, the only way a moderator's URL or form names a page (as position + 1)
    width: int
    height: int
    annotations: list[BlindAnnotation]


@dataclass(frozen=True)
class BlindClaim:
    criterion_code: str
    status_label: str
    note: str


@dataclass(frozen=True)
class BlindSample:
    code: str
    year_group: int
    framework: Framework
    pieces: list[BlindPiece]
    pages: list[BlindPage]
    # Present only when the round shows them:
    school_name: str | None = None
    pupil_code: str | None = None
    teacher_name: str | None = None
    teacher_judgement: str | None = None
    commentary: str | None = None
    claims: list[BlindClaim] | None = None


def blind_view(entry: RoundEntry) -> BlindSample:
    round_, sample = entry.round, entry.sample
    show_annotations = not round_.hide_annotations
    pages = [
        BlindPage(
            position=page.position,
            width=page.width,
            height=page.height,
            annotations=[
                BlindAnnotation(a.number, a.box, a.comment, [c.code for c in a.criteria]) for a in page.annotations
            ]
            if show_annotations
            else [],
        )
        for page in sample.pages
    ]
    teacher = sample.teacher_judgement
    return BlindSample(
        code=entry.blind_code,
        year_group=sample.year_group,
        framework=sample.framework,
        pieces=[BlindPiece(p.title, p.purpose, p.written_on, p.independence) for p in sample.pieces],
        pages=pages,
        school_name=None if round_.hide_school else sample.school.name,
        pupil_code=None if round_.hide_school else sample.pupil_code,
        teacher_name=None if round_.hide_teacher or sample.created_by is None else sample.created_by.display_name,
        teacher_judgement=None if round_.hide_teacher_judgement or teacher is None else teacher.label,
        commentary=None if round_.hide_teacher_judgement else sample.commentary,
        claims=None
        if round_.hide_evidence
        else [BlindClaim(c.criterion.code, c.status.label, c.note) for c in sample.evidence],
    )
