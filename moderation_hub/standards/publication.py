"""The publication gate and what passes it: the school's permission and never-publish flags, the second person's
page checks, the published copy (made only of redacted page images, metadata stripped, and redacted text), its
revisions, and withdrawal.

Nothing here decides who may read an exemplar: ``permissions.readable_exemplars`` reads the live permission every
time, so a withdrawal or an expiry hides an exemplar at once; withdrawing also deletes the copy.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, or_, select

from moderation_hub import clock
from moderation_hub.accounts.models import User
from moderation_hub.audit.services import record
from moderation_hub.db import db, utcnow
from moderation_hub.education import year_group_label
from moderation_hub.jobs import periodic_job
from moderation_hub.logs import logger
from moderation_hub.organisations.models import School
from moderation_hub.permissions import uploaders_of
from moderation_hub.samples.models import EvidenceStatus, Page, WorkSample
from moderation_hub.standards import commentary as written
from moderation_hub.standards import search_index
from moderation_hub.standards.commentary import Commentary
from moderation_hub.standards.copies import (
    GridAnnotation,
    GridStatement,
    evidence_grid,
    piece_letter,
    without_metadata,
)
from moderation_hub.standards.errors import StandardsError
from moderation_hub.standards.models import (
    Exemplar,
    ExemplarImage,
    ExemplarRevision,
    ExemplarState,
    NeverPublish,
    PageCheck,
    PublicationPermission,
    PublicationScope,
)
from moderation_hub.standards.statements import forget_statements, index_statements
from moderation_hub.storage import storage

CHANGED_MEANWHILE = "Someone else changed this exemplar while you were looking at it. Reload the page and try again."


# The school's permission and flags.


def live_permission(sample: WorkSample, day: dt.date | None = None) -> PublicationPermission | None:
    day = day or clock.today()
    statement = (
        select(PublicationPermission)
        .where(PublicationPermission.sample_id == sample.id, PublicationPermission.withdrawn_at.is_(None))
        .order_by(PublicationPermission.id.desc())
    )
    permission = db.session.scalars(statement).first()
    return permission if permission is not None and permission.live_on(day) else None


@dataclass(frozen=True)
class PermissionDetails:
    given_by: str
    given_on: dt.date
    scope: PublicationScope
    expires_on: dt.date | None


def record_permission(sample: WorkSample, details: PermissionDetails, user: User) -> PublicationPermission:
    """The school's permission for ``sample``; it replaces any earlier one, which is closed and kept as history."""
    if details.given_on > clock.today():
        raise StandardsError("Date permission was given must be today or in the past", "given_on")
    if details.expires_on is not None and details.expires_on <= clock.today():
        raise StandardsError("Expiry date must be in the future", "expires_on")
    if is_never_published(sample):
        raise StandardsError("This pupil is flagged never to be published: remove the flag first")
    now = utcnow()
    for earlier in _open_permissions(sample):
        earlier.withdrawn_at, earlier.withdrawn_by_id = now, user.id
    permission = PublicationPermission(
        sample_id=sample.id,
        given_by=details.given_by,
        given_on=details.given_on,
        scope=details.scope,
        expires_on=details.expires_on,
        recorded_by_id=user.id,
    )
    db.session.add(permission)
    db.session.flush()
    record(
        user.id,
        "standards.permission_recorded",
        permission,
        sample_id=sample.id,
        scope=details.scope.value,
        given_on=details.given_on.isoformat(),
        expires_on=details.expires_on.isoformat() if details.expires_on else None,
    )
    return permission


def withdraw_permission(sample: WorkSample, user: User) -> int:
    """The school withdraws its permission: the exemplar disappears everywhere and its copy is deleted. Returns the
    number of permissions closed (0 when there was none open)."""
    open_permissions = _open_permissions(sample)
    now = utcnow()
    for permission in open_permissions:
        permission.withdrawn_at, permission.withdrawn_by_id = now, user.id
        record(user.id, "standards.permission_withdrawn", permission, sample_id=sample.id)
    exemplar = db.session.scalar(select(Exemplar).where(Exemplar.sample_id == sample.id))
    if exemplar is not None:
        withdraw_copy(exemplar, user, "permission withdrawn")
    db.session.flush()
    return len(open_permissions)


def _open_permissions(sample: WorkSample) -> list[PublicationPermission]:
    statement = select(PublicationPermission).where(
        PublicationPermission.sample_id == sample.id, PublicationPermission.withdrawn_at.is_(None)
    )
    return list(db.session.scalars(statement))


def is_never_published(sample: WorkSample) -> bool:
    statement = select(NeverPublish.id).where(
        NeverPublish.school_id == sample.school_id, NeverPublish.pupil_code == sample.pupil_code
    )
    return db.session.scalar(statement) is not None


def flag_never_publish(school: School, pupil_code: str, user: User) -> NeverPublish:
    """The pupil's work is never published: any exemplar of theirs is withdrawn now, and none can be published."""
    existing = db.session.scalar(
        select(NeverPublish).where(NeverPublish.school_id == school.id, NeverPublish.pupil_code == pupil_code)
    )
    if existing is not None:
        raise StandardsError("Pupil code is already flagged never to be published", "pupil_code")
    flag = NeverPublish(school_id=school.id, pupil_code=pupil_code, set_by_id=user.id)
    db.session.add(flag)
    db.session.flush()
    record(user.id, "standards.never_publish_set", flag, school_id=school.id)
    exemplars = select(Exemplar).join(WorkSample, WorkSample.id == Exemplar.sample_id)
    for exemplar in db.session.scalars(
        exemplars.where(WorkSample.school_id == school.id, WorkSample.pupil_code == pupil_code)
    ):
        withdraw_copy(exemplar, user, "pupil flagged never to be published")
    return flag


def remove_flag(flag: NeverPublish, user: User) -> None:
    record(user.id, "standards.never_publish_removed", flag, school_id=flag.school_id)
    db.session.delete(flag)
    db.session.flush()


def withdraw_copy(exemplar: Exemplar, user: User | None, reason: str) -> None:
    """Delete the published copy (its revisions and images, the stored objects once committed); the exemplar stays
    as a withdrawn record of its provenance and can be published again only through the whole gate."""
    if exemplar.state is not ExemplarState.PUBLISHED:
        return
    keys = [key for image in exemplar.images for key in (image.display_key, image.thumbnail_key)]
    record(
        user.id if user else None,
        "exemplar.withdrawn",
        exemplar,
        reason=reason,
        revisions=[revision.number for revision in exemplar.revisions],
    )
    exemplar.images.clear()
    exemplar.revisions.clear()
    search_index.forget(exemplar)
    forget_statements(exemplar)
    exemplar.state = ExemplarState.WITHDRAWN
    db.after_commit(lambda: _delete_objects(keys))


def _delete_objects(keys: list[str]) -> None:
    for key in keys:
        storage().delete(key)


# The second person's check.


def pages_of(exemplar: Exemplar) -> list[Page]:
    return list(exemplar.sample.pages)


def current_checks(exemplar: Exemplar) -> dict[int, PageCheck]:
    """The checks that still count: of the page's current image, by someone who neither made nor uploaded it."""
    makers = uploaders_of(exemplar.sample)
    keys = {page.id: page.display_key for page in exemplar.sample.pages}
    return {
        check.page_id: check
        for check in exemplar.checks
        if keys.get(check.page_id) == check.display_key
        and check.checked_by_id is not None
        and check.checked_by_id not in makers
    }


def confirm_pages(exemplar: Exemplar, confirmed: set[int], user: User) -> None:
    """``user`` confirms that each page numbered in ``confirmed`` (from 1) shows no name, face or school identifier.
    Every page must be confirmed at once: a page that still shows one is redacted first, by the school."""
    pages = pages_of(exemplar)
    if not pages:
        raise StandardsError("This sample has no pages to check")
    if user.id in uploaders_of(exemplar.sample):
        raise StandardsError("Someone who made the sample or uploaded its work cannot be its second checker")
    if confirmed != set(range(1, len(pages) + 1)):
        raise StandardsError(
            "Confirm every page. If a page shows a name, a face or the school, ask the school to redact it first",
            "pages",
        )
    if any(page.images_outdated or page.needs_redaction for page in pages):
        raise StandardsError("A page is waiting for its redactions to be made: check it once they are")
    existing = {check.page_id: check for check in exemplar.checks}
    now = utcnow()
    for page in pages:
        check = existing.get(page.id) or PageCheck(exemplar=exemplar, page_id=page.id)
        check.display_key, check.checked_by_id, check.checked_at = page.display_key, user.id, now
        db.session.add(check)
    db.session.flush()
    record(user.id, "exemplar.pages_checked", exemplar, pages=len(pages))


# The gate and publication.


def gate(exemplar: Exemplar) -> list[str]:
    """What still stands between the exemplar and publication, in words for the LA lead; empty when nothing does."""
    sample = exemplar.sample
    problems = []
    if is_never_published(sample):
        problems.append("The school has flagged this pupil never to be published.")
    elif live_permission(sample) is None:
        problems.append("The school's assessment lead has not recorded permission to publish, or it has expired.")
    pages = pages_of(exemplar)
    if not pages:
        problems.append("The sample has no pages.")
    elif any(page.images_outdated or page.needs_redaction for page in pages):
        problems.append("A page is waiting for its redactions to be made.")
    elif len(current_checks(exemplar)) < len(pages):
        problems.append("A second person, not whoever uploaded the work, has not yet confirmed every page.")
    if not exemplar.draft_commentary.strip():
        problems.append("The exemplar has no commentary.")
    return problems


def lock(exemplar: Exemplar, seen_version: int) -> None:
    """Hold the exemplar's row for this transaction and refuse unless it is still the version the person saw.

    Two people publishing or revising at once on PostgreSQL: the second waits here for the first to commit, then
    finds the version moved on and is refused before it copies anything (SQLite runs writers one at a time)."""
    current = db.session.scalar(select(Exemplar.version).where(Exemplar.id == exemplar.id).with_for_update())
    if current != seen_version or exemplar.version != seen_version:
        raise StandardsError(CHANGED_MEANWHILE)


def publish(exemplar: Exemplar, seen_version: int, user: User) -> ExemplarRevision:
    """Revision 1 (or the first after a withdrawal): a copy of the work made from redacted derivatives only."""
    lock(exemplar, seen_version)
    if exemplar.state is ExemplarState.PUBLISHED:
        raise StandardsError("This exemplar is already published: change its commentary to make a new revision")
    problems = gate(exemplar)
    if problems:
        raise StandardsError(problems[0])
    _copy_images(exemplar)
    content = published_content(exemplar) | {"commentary": _commentary_content(exemplar, draft_of(exemplar))}
    revision = _new_revision(exemplar, exemplar.draft_commentary, content, user)
    index_statements(exemplar, revision.content)
    exemplar.state = ExemplarState.PUBLISHED
    db.session.flush()
    record(user.id, "exemplar.published", exemplar, revision=revision.number)
    return revision


def save_commentary(
    exemplar: Exemplar, commentary: Commentary | str, seen_version: int, user: User
) -> ExemplarRevision | None:
    """Save the curator's commentary: its summary, each statement's commentary and why this standard and not the
    next, which is then required (checked by ``commentary.checked``: text rules, lengths, the pieces and pages it
    cites). A plain string is a summary on its own, as commentary was before statements had theirs: what was
    drafted on the statements stays. A draft's is saved as it is; a published exemplar's change is a new revision
    (the published ones never change), made only while its permission is live. Returns the new revision, or None
    for a draft."""
    lock(exemplar, seen_version)
    whole = isinstance(commentary, Commentary)
    if not isinstance(commentary, Commentary):
        commentary = Commentary(commentary, exemplar.draft_why_not_next, dict(exemplar.draft_statements))
    commentary = written.checked(commentary, statements_of(exemplar), piece_pages(exemplar), why_required=whole)
    exemplar.draft_commentary = commentary.summary
    exemplar.draft_statements = dict(commentary.statements)
    exemplar.draft_why_not_next = commentary.why_not_next
    if exemplar.state is not ExemplarState.PUBLISHED:
        db.session.flush()
        record(user.id, "exemplar.commentary_saved", exemplar)
        return None
    if is_never_published(exemplar.sample) or live_permission(exemplar.sample) is None:
        raise StandardsError("The school's permission has lapsed: the exemplar cannot be revised", "commentary")
    current = exemplar.current
    content = dict(current.content) if current else {}
    content["commentary"] = _commentary_content(exemplar, commentary, content)
    if current is not None and current.commentary == commentary.summary and current.content == content:
        raise StandardsError("Commentary is unchanged: there is nothing to publish", "commentary")
    revision = _new_revision(exemplar, commentary.summary, content, user)
    db.session.flush()
    record(user.id, "exemplar.revised", exemplar, revision=revision.number)
    return revision


def draft_of(exemplar: Exemplar) -> Commentary:
    """The commentary as last saved on the exemplar."""
    return Commentary(exemplar.draft_commentary, exemplar.draft_why_not_next, dict(exemplar.draft_statements))


def statements_of(exemplar: Exemplar) -> list[written.Statement]:
    """The statements of the framework version the exemplar was judged against, in the framework's order."""
    return [written.Statement(criterion.code, criterion.statement) for criterion in exemplar.framework.criteria]


def next_standard(exemplar: Exemplar) -> dict[str, str] | None:
    """The standard above the agreed one on its framework's scale; None at the top."""
    above = [standard for standard in exemplar.framework.standards if standard.position > exemplar.standard.position]
    return {"code": above[0].code, "label": above[0].label} if above else None


def piece_pages(exemplar: Exemplar, content: dict[str, Any] | None = None) -> dict[str, list[int]]:
    """Each piece's letter and its pages' numbers in the collection (from 1), in order: of the published
    ``content`` when given (what readers see), else of the sample (a draft)."""
    if content is not None:
        letters = [piece["letter"] for piece in content.get("pieces", [])]
        placed = [(page["piece"], page["position"]) for page in content.get("pages", [])]
    else:
        pieces = list(exemplar.sample.pieces)
        letters = [piece_letter(index) for index in range(len(pieces))]
        index_of = {piece.id: index for index, piece in enumerate(pieces)}
        placed = [
            (
                piece_letter(index_of[page.source_file.piece_id]) if page.source_file.piece_id in index_of else None,
                number,
            )
            for number, page in enumerate(pages_of(exemplar), 1)
        ]
    pages: dict[str, list[int]] = {letter: [] for letter in letters}
    for letter, number in placed:
        if letter in pages:
            pages[letter].append(number)
    return pages


def _commentary_content(
    exemplar: Exemplar, commentary: Commentary, content: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    return written.as_content(
        commentary, statements_of(exemplar), piece_pages(exemplar, content), next_standard(exemplar)
    )


def _new_revision(exemplar: Exemplar, commentary: str, content: dict[str, Any], user: User) -> ExemplarRevision:
    exemplar.revisions_made += 1
    revision = ExemplarRevision(
        number=exemplar.revisions_made, commentary=commentary, content=content, published_by_id=user.id
    )
    exemplar.revisions.append(revision)
    search_index.index_revision(exemplar, revision)
    return revision


def _copy_images(exemplar: Exemplar) -> None:
    """Each page's redacted display image and thumbnail, stripped of metadata, under new keys of the exemplar's own:
    never the page's master, never the school's original, never a key the school's pages use."""
    made: list[str] = []
    db.after_rollback(lambda: _delete_objects(made))
    exemplar.images.clear()
    for position, page in enumerate(pages_of(exemplar), 1):
        keys = []
        for key in (page.display_key, page.thumbnail_key):
            copy = storage().new_key()
            storage().put(copy, without_metadata(storage().get(key)), "image/jpeg")
            made.append(copy)
            keys.append(copy)
        exemplar.images.append(
            ExemplarImage(
                position=position, width=page.width, height=page.height, display_key=keys[0], thumbnail_key=keys[1]
            )
        )


def published_content(exemplar: Exemplar) -> dict[str, Any]:
    """What the published copy shows of the work: nothing that names the pupil, the teacher or the school."""
    sample, framework, standard = exemplar.sample, exemplar.framework, exemplar.standard
    pieces = list(sample.pieces)
    piece_index = {piece.id: index for index, piece in enumerate(pieces)}
    pages, annotations = [], []
    for position, page in enumerate(pages_of(exemplar), 1):
        index = piece_index.get(page.source_file.piece_id) if page.source_file.piece_id else None
        page_annotations = []
        for annotation in page.annotations:
            codes = tuple(criterion.code for criterion in annotation.criteria)
            annotations.append(GridAnnotation(annotation.number, index, codes))
            page_annotations.append(
                {
                    "number": annotation.number,
                    "comment": annotation.comment,
                    "criteria": codes,
                    # Where its numbered marker goes: fractions of the page, (0, 0) top left, so it scales with it.
                    "box": [round(value, 4) for value in (annotation.x0, annotation.y0, annotation.x1, annotation.y1)],
                }
            )
        pages.append(
            {
                "position": position,
                "width": page.width,
                "height": page.height,
                "piece": piece_letter(index) if index is not None else None,
                "text": page.text,  # the redacted words are already gone from it
                "annotations": page_annotations,
            }
        )
    for claim in sample.evidence:
        if claim.status is EvidenceStatus.MET:
            for annotation in claim.annotations:
                index = piece_index.get(annotation.page.source_file.piece_id or -1)
                annotations.append(GridAnnotation(annotation.number, index, (claim.criterion.code,)))
    statements = [GridStatement(criterion.code, criterion.statement) for criterion in framework.criteria]
    grid = evidence_grid(len(pieces), statements, annotations)
    return {
        "pupil": "Pupil A",
        "year_group": sample.year_group,
        "year_group_label": year_group_label(sample.year_group),
        "framework": {"title": framework.title, "version": framework.version, "subject": framework.subject},
        "standard": {"code": standard.code, "label": standard.label},
        "pieces": [
            {
                "letter": piece_letter(index),
                "title": piece.title,
                "purpose": piece.purpose,
                "independence": piece.independence.label,
            }
            for index, piece in enumerate(pieces)
        ],
        "pages": pages,
        "grid": {
            "columns": grid.columns,
            "rows": [{"code": row.code, "statement": row.statement, "cells": row.cells} for row in grid.rows],
        },
    }


# Copies whose permission lapsed without anyone acting (an expiry date passed).


def lapsed_copies() -> list[Exemplar]:
    """Published exemplars with no live permission, or whose pupil is flagged: readers no longer see them (the
    policy reads the permission each time), and their copies are for deleting."""
    live = exists().where(
        PublicationPermission.sample_id == Exemplar.sample_id,
        PublicationPermission.withdrawn_at.is_(None),
        or_(PublicationPermission.expires_on.is_(None), PublicationPermission.expires_on >= clock.today()),
    )
    flagged = exists().where(
        NeverPublish.school_id == WorkSample.school_id, NeverPublish.pupil_code == WorkSample.pupil_code
    )
    statement = (
        select(Exemplar)
        .join(WorkSample, WorkSample.id == Exemplar.sample_id)
        .where(Exemplar.state == ExemplarState.PUBLISHED, or_(~live, flagged))
    )
    return list(db.session.scalars(statement))


def delete_lapsed_copies() -> int:
    """Withdraw and delete the copy of every exemplar whose permission has lapsed; how many there were."""
    lapsed = lapsed_copies()
    for exemplar in lapsed:
        withdraw_copy(exemplar, None, "permission expired")
    db.session.flush()
    return len(lapsed)


# Hourly, and exclusive: two workers' runs would only find the same copies, but need not both delete them.
@periodic_job(minutes=60, exclusive=True)
def delete_lapsed_copies_job() -> None:
    deleted = delete_lapsed_copies()
    if deleted:
        logger.info("lapsed exemplar copies deleted", extra={"exemplars": deleted})
