"""A moderator's judgements: drafts that autosave, submission that locks, and late changes the lead allows.

Every change carries the version the moderator's page was built from, so a second tab (or a second
moderator at the same moment) is told instead of silently overwriting. Every change is in the audit log
with what it was before and after. Moderators change their judgements only on the days of the round's
judging window; the lead's own actions (reopening, outcomes, moving the round on) are not bound by it.
"""

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import joinedload

from moderation_hub import clock
from moderation_hub.accounts.models import User
from moderation_hub.audit.services import record
from moderation_hub.db import db, utcnow
from moderation_hub.frameworks.models import Standard
from moderation_hub.permissions import identity_seers
from moderation_hub.rounds.errors import RoundError, require_version, versioned_write
from moderation_hub.rounds.models import (
    CriterionJudgement,
    Judgement,
    JudgementComment,
    JudgementState,
    ModerationRound,
    RoundEntry,
    RoundState,
    Verdict,
)
from moderation_hub.rounds.paging import Paging
from moderation_hub.samples.models import Page

MAX_TEXT = 10_000
MAX_NOTE = 2_000  # a note is one line: what the page's note box holds


@dataclass(frozen=True)
class JudgementInput:
    standard_code: str = ""
    rationale: str = ""
    verdicts: dict[int, Verdict] = field(default_factory=dict)  # criterion id -> verdict
    notes: dict[int, str] = field(default_factory=dict)  # criterion id -> note


QUEUE_PER_PAGE = 50


def queue_counts(moderator: User, round_: ModerationRound) -> tuple[int, int]:
    """How many samples of this round the moderator has, and how many of those they have submitted."""
    given, done = db.session.execute(
        select(func.count(), func.count().filter(Judgement.state == JudgementState.SUBMITTED))
        .select_from(Judgement)
        .join(RoundEntry, RoundEntry.id == Judgement.entry_id)
        .where(_of_queue(moderator, round_))
    ).one()
    return given, done


def queue_page(moderator: User, round_: ModerationRound, page: Paging) -> list[Judgement]:
    """One page of the moderator's allocations in this round, unfinished first, then by blind code, with the samples
    the queue shows loaded."""
    statement = (
        select(Judgement)
        .join(RoundEntry, RoundEntry.id == Judgement.entry_id)
        .where(_of_queue(moderator, round_))
        .options(joinedload(Judgement.entry).joinedload(RoundEntry.sample))
        .order_by(Judgement.state == JudgementState.SUBMITTED, RoundEntry.blind_code)
        .limit(page.per_page)
        .offset(page.offset)
    )
    return list(db.session.scalars(statement))


def _of_queue(moderator: User, round_: ModerationRound) -> ColumnElement[bool]:
    return (
        (RoundEntry.round_id == round_.id)
        & (Judgement.moderator_id == moderator.id)
        & (Judgement.state != JudgementState.WITHDRAWN)
    )


def window_notice(round_: ModerationRound) -> str | None:
    """While the round is judging, why its moderators cannot change their judgements today (a UK date outside
    the judging window, whose first and last days are in it); None when they can, or the round is not judging.
    """
    if round_.state is not RoundState.JUDGING:
        return None
    today = clock.today()
    if round_.judging_opens is not None and today < round_.judging_opens:
        return f"Judging opens on {_long_date(round_.judging_opens)}."
    if round_.judging_closes is not None and today > round_.judging_closes:
        return (
            f"Judging closed on {_long_date(round_.judging_closes)}. "
            "Ask the round's lead to extend the window if you need more time."
        )
    return None


def _long_date(day: dt.date) -> str:
    return f"{day:%A %-d %B %Y}"


def why_locked(judgement: Judgement) -> str | None:
    """Why the moderator cannot change this judgement (or its page comments) now; None when they can."""
    round_ = judgement.entry.round
    if round_.state is not RoundState.JUDGING:
        return "Judging is not open in this round."
    if judgement.state is JudgementState.SUBMITTED:
        return "You have submitted this judgement. Ask the round lead if it needs to change."
    if judgement.state is JudgementState.WITHDRAWN:
        return "This sample has been given to another moderator."
    return window_notice(round_)


def _require_editable(judgement: Judgement) -> None:
    reason = why_locked(judgement)
    if reason is not None:
        raise RoundError(reason)


def save_draft(judgement: Judgement, given: JudgementInput, seen_version: int, by: User) -> None:
    _save(judgement, given, seen_version, by, submitting=False)


def submission_problems(judgement: Judgement) -> list[str]:
    problems = []
    if judgement.standard is None:
        problems.append("Choose the standard the pupil is working at")
    if not judgement.rationale.strip():
        problems.append("Explain your judgement in the rationale")
    return problems


def submit(judgement: Judgement, given: JudgementInput, seen_version: int, by: User) -> list[str]:
    """Save what the page holds and lock it. While something is missing it is saved as a draft instead (as an
    autosave would have) and the problems are returned for the moderator to put right."""
    return _save(judgement, given, seen_version, by, submitting=True)


def _save(judgement: Judgement, given: JudgementInput, seen_version: int, by: User, submitting: bool) -> list[str]:
    """One UPDATE of the judgement and one audit event, carrying what was saved: a draft, or the submission
    when submitting with nothing missing. Returns what stops the submission."""
    _require_editable(judgement)
    # Input is checked before the version, so a refusal names the field even when the page is stale.
    standard = _checked(judgement, given)
    require_version(judgement, seen_version, "this judgement")
    before, notes_before = judgement.snapshot(), _notes(judgement)
    with versioned_write("this judgement"):
        _apply(judgement, given, standard)
        problems = submission_problems(judgement) if submitting else []
        locking = submitting and not problems
        judgement.state = JudgementState.SUBMITTED if locking else JudgementState.DRAFT
        if locking:
            judgement.submitted_at = utcnow()
        after = judgement.snapshot()
        if (after, _notes(judgement)) != (before, notes_before):
            # Verdicts and notes live in rows of their own: without this, a change to them alone would leave
            # the judgement's row, and so its version, as it was, and a stale tab could overwrite it unseen.
            judgement.updated_at = utcnow()
    action = "judgement.submitted" if locking else "judgement.draft_saved"
    record(by.id, action, judgement, before=before, after=after)
    return problems


def reopen(judgement: Judgement, reason: str, by: User) -> None:
    """The round lead lets a moderator change a submitted judgement; the reason is kept in the audit log."""
    if judgement.entry.round.state is not RoundState.JUDGING:
        raise RoundError("Judgements can be reopened only while judging is open.")
    if judgement.state is not JudgementState.SUBMITTED:
        raise RoundError("Only a submitted judgement can be reopened.")
    if not reason.strip():
        raise RoundError("Say why the judgement is being reopened", "reason")
    sample_id = judgement.entry.sample_id
    if judgement.moderator_id in identity_seers(judgement.entry.round, [sample_id]).get(sample_id, ()):
        raise RoundError(
            f"{judgement.moderator.display_name} can now see elsewhere which school sent this sample, so cannot "
            "judge it blind again."
        )
    before = judgement.snapshot()
    with versioned_write("this judgement"):
        judgement.state = JudgementState.DRAFT
        judgement.submitted_at = None
    record(by.id, "judgement.reopened", judgement, before=before, after=judgement.snapshot(), reason=reason.strip())


def _notes(judgement: Judgement) -> dict[int, str]:
    """The note on each criterion: what a save can change beyond the audit log's snapshot."""
    return {row.criterion_id: row.note for row in judgement.criteria}


def _checked(judgement: Judgement, given: JudgementInput) -> Standard | None:
    """The standard ``given`` names; a ``RoundError`` naming the first field that cannot be saved as given."""
    framework = judgement.entry.sample.framework
    criteria = {criterion.id: criterion for criterion in framework.criteria}
    for criterion_id in sorted(given.verdicts.keys() | given.notes.keys()):
        if criterion_id not in criteria:
            name = "verdict" if criterion_id in given.verdicts else "note"
            raise RoundError("A criterion is not part of this sample's framework", f"{name}-{criterion_id}")
        if len(given.notes.get(criterion_id, "")) > MAX_NOTE:
            code = criteria[criterion_id].code
            raise RoundError(f"Note on {code} must be {MAX_NOTE:,} characters or fewer", f"note-{criterion_id}")
    if len(given.rationale) > MAX_TEXT:
        raise RoundError(f"Rationale must be {MAX_TEXT:,} characters or fewer", "rationale")
    return _standard(framework.standards, given.standard_code)


def _apply(judgement: Judgement, given: JudgementInput, standard: Standard | None) -> None:
    judgement.standard = standard
    judgement.rationale = given.rationale.strip()
    rows = judgement.verdicts()
    for criterion in judgement.entry.sample.framework.criteria:
        verdict, note = given.verdicts.get(criterion.id), given.notes.get(criterion.id, "").strip()
        row = rows.get(criterion.id)
        if verdict is None:
            if row is not None:
                judgement.criteria.remove(row)
            continue
        if row is None:
            row = CriterionJudgement(criterion_id=criterion.id, verdict=verdict)
            judgement.criteria.append(row)
        row.verdict, row.note = verdict, note


def _standard(standards: list[Standard], code: str) -> Standard | None:
    if not code:
        return None
    for standard in standards:
        if standard.code == code:
            return standard
    raise RoundError("Choose a standard from the framework's scale", "standard")


def add_comment(judgement: Judgement, page: Page, comment: str, by: User) -> JudgementComment:
    _require_editable(judgement)
    if page.sample_id != judgement.entry.sample_id:
        raise RoundError("That page is not part of this sample")
    text = comment.strip()
    if not text:
        raise RoundError("Write the comment", "comment")
    if len(text) > MAX_TEXT:
        raise RoundError("A comment must be 10,000 characters or fewer", "comment")
    pinned = JudgementComment(page=page, comment=text)
    judgement.comments.append(pinned)
    db.session.flush()
    record(by.id, "judgement.comment_added", judgement, comment_id=pinned.id, page_position=page.position)
    return pinned


def remove_comment(pinned: JudgementComment, by: User) -> None:
    judgement = pinned.judgement
    _require_editable(judgement)
    judgement.comments.remove(pinned)
    db.session.flush()
    record(by.id, "judgement.comment_removed", judgement, comment_id=pinned.id)
