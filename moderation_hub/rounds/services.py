"""Setting up a round, the schools' samples entering it, and the explicit, checked moves between its states.

Functions flush and never commit. A refusal raises ``RoundError`` with a message safe to show. Changes carry
the version the person saw, so two people acting at once never overwrite each other silently.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from moderation_hub import clock
from moderation_hub.accounts.models import Membership, Role, User
from moderation_hub.audit.services import record
from moderation_hub.db import db
from moderation_hub.education import Phase
from moderation_hub.frameworks.models import Framework, Standard
from moderation_hub.organisations.models import LocalAuthority, School
from moderation_hub.permissions import ever_published, managers_of
from moderation_hub.rounds.blindness import withdraw_seen_work
from moderation_hub.rounds.errors import RoundError, require_version, versioned_write
from moderation_hub.rounds.models import (
    EntryReason,
    Judgement,
    JudgementState,
    ModerationRound,
    ModeratorConflict,
    RoundEntry,
    RoundKind,
    RoundModerator,
    RoundSchool,
    RoundState,
    SampleRequestKind,
    coarse_phase,
)
from moderation_hub.rounds.reveal import apply_auto_agreement
from moderation_hub.samples.models import SampleState, WorkSample
from moderation_hub.wording import counted

# Setting up


@dataclass(frozen=True)
class RoundSettings:
    name: str
    kind: RoundKind
    academic_year: int
    framework_ids: list[int]
    cluster_id: int | None = None
    judgements_per_sample: int = 2
    submission_deadline: dt.date | None = None
    judging_opens: dt.date | None = None
    judging_closes: dt.date | None = None
    hide_school: bool = True
    hide_teacher: bool = True
    hide_teacher_judgement: bool = True
    hide_evidence: bool = True
    hide_annotations: bool = True
    show_moderator_names: bool = False
    exclude_own_cluster: bool = False
    require_other_phase: bool = False
    auto_agree: bool = False


# Settings that decide what moderators see or who judges what: fixed once judging opens.
JUDGING_RULES = (
    "judgements_per_sample",
    "hide_school",
    "hide_teacher",
    "hide_teacher_judgement",
    "hide_evidence",
    "hide_annotations",
    "exclude_own_cluster",
    "require_other_phase",
)


def create_round(authority: LocalAuthority, settings: RoundSettings, lead: User) -> ModerationRound:
    round_ = ModerationRound(authority=authority, lead_id=lead.id, state=RoundState.SETUP)
    _apply_settings(round_, settings)
    db.session.add(round_)
    db.session.flush()
    record(lead.id, "round.created", round_, authority_id=authority.id, kind=round_.kind.value)
    return round_


def update_round(round_: ModerationRound, settings: RoundSettings, seen_version: int, by: User) -> None:
    if round_.state in (RoundState.REVEAL, RoundState.CLOSED):
        raise RoundError("The round's settings cannot change after reveal.")
    require_version(round_, seen_version, "the round")
    before, was_blind = _settings_snapshot(round_), round_.is_blind
    if round_.state is RoundState.JUDGING:
        changed = [name for name in JUDGING_RULES if getattr(settings, name) != getattr(round_, name)]
        if changed:
            raise RoundError("Judging has started: who judges and what moderators see can no longer change.")
    with versioned_write("the round"):
        _apply_settings(round_, settings)
    record(by.id, "round.updated", round_, before=before, after=_settings_snapshot(round_))
    if round_.is_blind and not was_blind:  # made blind after allocation: who can see a sample elsewhere gives it back
        withdraw_seen_work([moderator.user_id for moderator in round_.moderators], by)


def _apply_settings(round_: ModerationRound, settings: RoundSettings) -> None:
    if not settings.framework_ids:
        raise RoundError("Choose at least one framework", "frameworks")
    if settings.judging_opens and settings.judging_closes and settings.judging_closes < settings.judging_opens:
        raise RoundError("Judging must close after it opens", "judging_closes")
    if settings.kind is RoundKind.CLUSTER_MEETING and settings.cluster_id is None:
        raise RoundError("Choose the cluster that meets", "cluster")
    if settings.require_other_phase and settings.kind is not RoundKind.CROSS_PHASE:
        raise RoundError("Only a cross-phase meeting can require a moderator from the other phase", "rules")
    frameworks = list(db.session.scalars(select(Framework).where(Framework.id.in_(settings.framework_ids))))
    entered = _entered_framework_ids(round_)
    if not entered <= {framework.id for framework in frameworks}:
        raise RoundError("A framework that entered samples use cannot be removed", "frameworks")
    round_.frameworks = frameworks
    for name, value in vars(settings).items():
        if name not in ("framework_ids", "name"):
            setattr(round_, name, value)
    round_.name = settings.name.strip()
    if settings.kind is not RoundKind.CLUSTER_MEETING:
        round_.cluster_id = None


def _entered_framework_ids(round_: ModerationRound) -> set[int]:
    """The frameworks of the samples entered in the round, asked of the database: it may hold thousands."""
    if round_.id is None:  # a round being created has none
        return set()
    statement = (
        select(WorkSample.framework_id)
        .join(RoundEntry, RoundEntry.sample_id == WorkSample.id)
        .where(RoundEntry.round_id == round_.id)
        .distinct()
    )
    return set(db.session.scalars(statement))


def _settings_snapshot(round_: ModerationRound) -> dict[str, object]:
    snapshot: dict[str, object] = {
        name: value.isoformat() if isinstance(value, dt.date) else value
        for name in RoundSettings.__dataclass_fields__
        if name != "framework_ids" and (value := getattr(round_, name)) is not None
    }
    snapshot["kind"] = round_.kind.value
    snapshot["framework_ids"] = [framework.id for framework in round_.frameworks]
    return snapshot


def _require_state(round_: ModerationRound, *states: RoundState, doing: str) -> None:
    if round_.state not in states:
        raise RoundError(f"You cannot {doing} while the round is '{round_.state.label}'.")


def add_school(round_: ModerationRound, school: School, by: User) -> RoundSchool:
    _require_state(round_, RoundState.SETUP, RoundState.COLLECTING, doing="add a school")
    if school.authority_id != round_.authority_id:
        raise RoundError("Only schools of the round's authority can take part", "school")
    if round_.cluster_id is not None and school.cluster_id != round_.cluster_id:
        raise RoundError(f"{school.name} is not in the cluster that meets", "school")
    if any(taking_part.school_id == school.id for taking_part in round_.schools):
        raise RoundError(f"{school.name} is already taking part", "school")
    taking_part = RoundSchool(school=school)
    round_.schools.append(taking_part)
    db.session.flush()
    record(by.id, "round.school_added", round_, school_id=school.id)
    return taking_part


def remove_school(taking_part: RoundSchool, by: User) -> None:
    round_ = taking_part.round
    _require_state(round_, RoundState.SETUP, RoundState.COLLECTING, doing="remove a school")
    if count_entries(round_, RoundEntry.school_id == taking_part.school_id):
        raise RoundError(f"{taking_part.school.name} has entered samples; withdraw them first.")
    round_.schools.remove(taking_part)
    db.session.flush()
    record(by.id, "round.school_removed", round_, school_id=taking_part.school_id)


def set_request(taking_part: RoundSchool, kind: SampleRequestKind, count: int, codes: list[str], by: User) -> None:
    _require_state(taking_part.round, RoundState.SETUP, RoundState.COLLECTING, doing="change what a school submits")
    if kind is SampleRequestKind.NAMED:
        if not codes:
            raise RoundError("List the pupil codes the school must submit", "codes")
        taking_part.requested_codes = sorted({code.strip().upper() for code in codes if code.strip()})
        taking_part.requested_count = len(taking_part.requested_codes)
    else:
        if not 1 <= count <= 60:
            raise RoundError("Ask for between 1 and 60 pupils", "count")
        taking_part.requested_codes = []
        taking_part.requested_count = count
    taking_part.request_kind = kind
    db.session.flush()
    record(by.id, "round.request_set", taking_part.round, school_id=taking_part.school_id, kind=kind.value)


def moderator_candidates(round_: ModerationRound) -> list[User]:
    """Who may moderate: the authority's moderators and leads, and the staff of participating schools; in a
    blind round, not those who run it, as they see which school sent each sample."""
    return list(db.session.scalars(candidates_statement(round_)))


def candidates_statement(round_: ModerationRound) -> Select[tuple[User]]:
    """``moderator_candidates`` as a query, by name, so a page can search and page it."""
    participating = select(RoundSchool.school_id).where(RoundSchool.round_id == round_.id)
    statement = (
        select(User)
        .join(Membership)
        .where(User.is_active)
        .where(
            ((Membership.authority_id == round_.authority_id) & Membership.role.in_([Role.MODERATOR, Role.LA_LEAD]))
            | (Membership.school_id.in_(participating) & Membership.role.in_([Role.TEACHER, Role.ASSESSMENT_LEAD]))
        )
        .order_by(User.display_name, User.id)
        .distinct()
    )
    if round_.is_blind:
        statement = statement.where(User.id.not_in(managers_of(round_)))
    return statement


def _may_moderate(round_: ModerationRound, user: User) -> bool:
    return db.session.scalar(candidates_statement(round_).where(User.id == user.id)) is not None


def add_moderator(round_: ModerationRound, user: User, phase: Phase | None, by: User) -> RoundModerator:
    _require_state(round_, RoundState.SETUP, RoundState.COLLECTING, RoundState.JUDGING, doing="add a moderator")
    if not _may_moderate(round_, user):
        if user.id in db.session.scalars(managers_of(round_)).all() and round_.is_blind:
            raise RoundError(
                f"{user.display_name} runs this round and sees which school sent each sample, so cannot judge its "
                "samples blind",
                "moderator",
            )
        raise RoundError(
            "A moderator must be one of the authority's moderators or teach at a participating school", "moderator"
        )
    existing = next((m for m in round_.moderators if m.user_id == user.id), None)
    if existing is not None and existing.active:
        raise RoundError(f"{user.display_name} is already a moderator in this round", "moderator")
    if existing is not None:
        existing.active = True  # back after dropping out; their withdrawn work stays with whoever took it
        moderator = existing
    else:
        moderator = RoundModerator(user=user)
        round_.moderators.append(moderator)
    moderator.phase = phase or home_phase(user)
    db.session.flush()
    record(by.id, "round.moderator_added", round_, user_id=user.id)
    return moderator


def home_phase(user: User) -> Phase | None:
    """A teacher's phase is their school's; someone in several phases, or none, has to be told by the lead."""
    phases = {coarse_phase(m.school.phase) for m in user.memberships if m.school is not None}
    return phases.pop() if len(phases) == 1 else None


def declare_conflict(user: User, school: School, reason: str) -> ModeratorConflict:
    if db.session.scalar(
        select(ModeratorConflict).where(ModeratorConflict.user_id == user.id, ModeratorConflict.school_id == school.id)
    ):
        raise RoundError(f"You have already declared a conflict with {school.name}", "school")
    conflict = ModeratorConflict(user_id=user.id, school=school, reason=reason.strip()[:500])
    db.session.add(conflict)
    db.session.flush()
    record(user.id, "moderator.conflict_declared", conflict, school_id=school.id)
    return conflict


def conflicts_of(user_ids: list[int]) -> dict[int, set[int]]:
    rows = db.session.execute(
        select(ModeratorConflict.user_id, ModeratorConflict.school_id).where(ModeratorConflict.user_id.in_(user_ids))
    )
    conflicts: dict[int, set[int]] = {user_id: set() for user_id in user_ids}
    for user_id, school_id in rows:
        conflicts[user_id].add(school_id)
    return conflicts


# Samples entering the round


def entry_problems(taking_part: RoundSchool, sample: WorkSample) -> list[str]:
    """Why this sample cannot enter the round now; empty when it can."""
    return problems_of(taking_part, [sample])[sample.id]


def problems_of(taking_part: RoundSchool, samples: Sequence[WorkSample]) -> dict[int, list[str]]:
    """``entry_problems`` of each of ``samples`` (by id), asking the database once which of them are entered."""
    entered = set(
        db.session.scalars(
            select(RoundEntry.sample_id).where(
                RoundEntry.round_id == taking_part.round_id, RoundEntry.sample_id.in_([s.id for s in samples])
            )
        )
    )
    published = ever_published([s.id for s in samples]) if taking_part.round.is_blind else frozenset()
    return {
        sample.id: _problems(taking_part, sample, sample.id in entered, sample.id in published) for sample in samples
    }


def _problems(taking_part: RoundSchool, sample: WorkSample, entered: bool, published: bool) -> list[str]:
    round_ = taking_part.round
    problems = []
    widened = sample.teacher_judgement_id in taking_part.widened_standard_ids
    if round_.state is not RoundState.COLLECTING and not (round_.state is RoundState.JUDGING and widened):
        problems.append(f"The round is not collecting samples ('{round_.state.label}')")
    elif not widened and round_.submission_deadline is not None and clock.today() > round_.submission_deadline:
        problems.append(f"The deadline for samples was {round_.submission_deadline:%-d %B %Y}")
    if sample.school_id != taking_part.school_id:
        problems.append("The sample is from another school")
    if sample.state is not SampleState.SUBMITTED:
        problems.append(f"Pupil {sample.pupil_code}'s sample is still a draft: submit it first")
    if sample.framework not in round_.frameworks:
        problems.append(f"The round does not moderate {sample.framework.title}")
    if sample.academic_year != round_.academic_year:
        problems.append(f"The round moderates {round_.academic_year_label}, not {sample.academic_year_label}")
    if entered:
        problems.append(f"Pupil {sample.pupil_code} is already entered")
    if published:
        problems.append(
            f"Pupil {sample.pupil_code}'s work has been published in the standards file, so moderators may know "
            "its agreed standard: it cannot be judged blind"
        )
    return problems


def enter_sample(taking_part: RoundSchool, sample: WorkSample, by: User) -> RoundEntry:
    problems = entry_problems(taking_part, sample)
    if problems:
        raise RoundError(problems[0], "sample")
    widened = sample.teacher_judgement_id in taking_part.widened_standard_ids
    entry = RoundEntry(
        sample=sample,
        school_id=sample.school_id,
        added_by_id=by.id,
        reason=EntryReason.WIDENED if widened else EntryReason.REQUESTED,
    )
    entry.round = taking_part.round  # not round.entries.append: that would load every entry of the round
    db.session.add(entry)
    _flush_new_entry(entry)
    record(by.id, "round.sample_entered", taking_part.round, entry_id=entry.id, school_id=sample.school_id)
    if taking_part.round.lead_id is not None:
        withdraw_seen_work([taking_part.round.lead_id], by)  # the lead now sees it here; not blind to it elsewhere
    return entry


def _flush_new_entry(entry: RoundEntry) -> None:
    """Flush, refusing clearly when someone else entered the same sample a moment earlier (another tab)."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        raise RoundError("That sample has just been entered, perhaps in another tab. Reload the page.") from None


def withdraw_entry(entry: RoundEntry, by: User) -> None:
    round_ = entry.round
    _require_state(round_, RoundState.COLLECTING, doing="withdraw a sample")
    if entry.judgements:
        raise RoundError("Moderators have been given this sample; ask the round lead to withdraw it.")
    round_.entries.remove(entry)
    db.session.flush()
    record(by.id, "round.sample_withdrawn", round_, entry_id=entry.id, school_id=entry.school_id)


def school_candidates(taking_part: RoundSchool) -> list[WorkSample]:
    """The school's samples of the round's frameworks and year, entered or not, in pupil order."""
    return list(db.session.scalars(_candidates([taking_part])))


def _schools_by_round(parts: Sequence[RoundSchool]) -> dict[ModerationRound, list[int]]:
    schools: dict[ModerationRound, list[int]] = defaultdict(list)
    for taking_part in parts:
        schools[taking_part.round].append(taking_part.school_id)
    return schools


def _candidates(parts: Sequence[RoundSchool]) -> Select[tuple[WorkSample]]:
    """The samples of the rounds' frameworks and years from the schools taking part in them, with the teachers'
    judgements, in pupil order: one condition per round, whatever the number of schools."""
    return (
        select(WorkSample)
        .where(_candidate_of(parts))
        .options(joinedload(WorkSample.teacher_judgement))
        .order_by(WorkSample.pupil_code)
    )


def _candidate_of(parts: Sequence[RoundSchool]) -> ColumnElement[bool]:
    return or_(
        *(
            WorkSample.school_id.in_(school_ids)
            & (WorkSample.academic_year == round_.academic_year)
            & WorkSample.framework_id.in_([framework.id for framework in round_.frameworks])
            for round_, school_ids in _schools_by_round(parts).items()
        )
    )


def entries_of(taking_part: RoundSchool) -> list[RoundEntry]:
    """The school's entries in the round in blind-code order, with everything its pages show of them loaded: the
    sample and its teacher's judgement, the agreed standard, and the judgements with their moderators and standards.
    A school's own entries only, in a fixed number of queries: a round can hold thousands of other schools' samples."""
    statement = (
        select(RoundEntry)
        .where(RoundEntry.round_id == taking_part.round_id, RoundEntry.school_id == taking_part.school_id)
        .options(
            joinedload(RoundEntry.sample).joinedload(WorkSample.teacher_judgement),
            joinedload(RoundEntry.agreed_standard),
            selectinload(RoundEntry.judgements).options(
                joinedload(Judgement.moderator), joinedload(Judgement.standard)
            ),
        )
        .order_by(RoundEntry.blind_code)
    )
    return list(db.session.scalars(statement))


def missing_for(taking_part: RoundSchool) -> list[str]:
    """What the school still has to submit, in words its assessment lead can act on; empty when complete."""
    return missing_of([taking_part])[taking_part.id]


class _Entered(NamedTuple):
    reason: EntryReason
    pupil_code: str
    teacher_judgement_id: int | None


class _Candidate(NamedTuple):
    pupil_code: str
    teacher_judgement: Standard | None
    state: SampleState


def missing_of(parts: Sequence[RoundSchool]) -> dict[int, list[str]]:
    """``missing_for`` of each of ``parts`` (by ``RoundSchool`` id), in one round or several: from three queries
    whatever the numbers of rounds, schools and samples, reading only those schools' entries and samples, as
    plain columns (a page of 50 schools of an LA round reads thousands of them)."""
    if not parts:
        return {}
    entries: dict[tuple[int, int], list[_Entered]] = defaultdict(list)
    of_parts = or_(
        *(
            (RoundEntry.round_id == round_.id) & RoundEntry.school_id.in_(school_ids)
            for round_, school_ids in _schools_by_round(parts).items()
        )
    )
    facts = (RoundEntry.reason, WorkSample.pupil_code, WorkSample.teacher_judgement_id)
    entered = (
        select(RoundEntry.round_id, RoundEntry.school_id, *facts)
        .join(WorkSample, WorkSample.id == RoundEntry.sample_id)
        .where(of_parts)
    )
    for round_id, school_id, reason, pupil_code, judgement_id in db.session.execute(entered).tuples():
        entries[round_id, school_id].append(_Entered(reason, pupil_code, judgement_id))
    # A sample is a candidate in each of its school's rounds that moderates its framework and year.
    candidates: dict[tuple[int, int, int], list[_Candidate]] = defaultdict(list)
    columns = (WorkSample.school_id, WorkSample.academic_year, WorkSample.framework_id, WorkSample.pupil_code)
    samples = db.session.execute(
        select(*columns, WorkSample.teacher_judgement_id, WorkSample.state)
        .where(_candidate_of(parts))
        .order_by(WorkSample.pupil_code)
    ).all()
    standards = _standards_by_id({row.teacher_judgement_id for row in samples} - {None})
    for school_id, year, framework_id, pupil_code, judgement_id, state in samples:
        candidates[school_id, year, framework_id].append(_Candidate(pupil_code, standards.get(judgement_id), state))
    return {
        part.id: _missing(
            part,
            entries[part.round_id, part.school_id],
            sorted(
                (
                    sample
                    for framework in part.round.frameworks
                    for sample in candidates[part.school_id, part.round.academic_year, framework.id]
                ),
                key=lambda sample: sample.pupil_code,
            ),
        )
        for part in parts
    }


def _standards_by_id(ids: set[int]) -> dict[int, Standard]:
    return {standard.id: standard for standard in db.session.scalars(select(Standard).where(Standard.id.in_(ids)))}


def _missing(taking_part: RoundSchool, entries: list[_Entered], candidates: list[_Candidate]) -> list[str]:
    """What is missing, given the school's entries and its candidate samples."""
    entered_codes = {entry.pupil_code for entry in entries}
    requested = [entry for entry in entries if entry.reason is EntryReason.REQUESTED]
    missing = []
    if taking_part.request_kind is SampleRequestKind.NAMED:
        missing += [f"Pupil {code}" for code in taking_part.requested_codes if code not in entered_codes]
    elif len(requested) < taking_part.requested_count:
        missing.append(counted(taking_part.requested_count - len(requested), "more pupil"))
    if taking_part.request_kind is SampleRequestKind.SPREAD:
        covered = {entry.teacher_judgement_id for entry in entries}
        used = {sample.teacher_judgement for sample in candidates if sample.teacher_judgement is not None}
        missing += [
            f"A pupil you judged {standard.label}" for standard in _in_scale_order(used) if standard.id not in covered
        ]
    widened = set(taking_part.widened_standard_ids)
    missing += [
        f"Pupil {sample.pupil_code} ({sample.teacher_judgement.label}"  # type: ignore[union-attr]
        + ("; still a draft" if sample.state is SampleState.DRAFT else "")
        + ")"
        for sample in candidates
        if sample.teacher_judgement is not None
        and sample.teacher_judgement.id in widened
        and sample.pupil_code not in entered_codes
    ]
    return missing


def _in_scale_order(standards: set[Standard]) -> list[Standard]:
    return sorted(standards, key=lambda standard: (standard.framework_id, standard.position))


def widen_sample(taking_part: RoundSchool, standard: Standard, by: User) -> list[RoundEntry]:
    """Ask for every pupil the school placed at ``standard``; those already submitted enter at once."""
    round_ = taking_part.round
    _require_state(round_, RoundState.COLLECTING, RoundState.JUDGING, doing="widen a school's sample")
    if standard.framework not in round_.frameworks:
        raise RoundError("Choose a standard of the round's frameworks", "standard")
    if standard.id in taking_part.widened_standard_ids:
        raise RoundError(f"The sample is already widened to every pupil at {standard.label}", "standard")
    taking_part.widened_standard_ids = [*taking_part.widened_standard_ids, standard.id]
    db.session.flush()
    record(by.id, "round.sample_widened", round_, school_id=taking_part.school_id, standard=standard.code)
    at_standard = [sample for sample in school_candidates(taking_part) if sample.teacher_judgement_id == standard.id]
    problems = problems_of(taking_part, at_standard)
    return [enter_sample(taking_part, sample, by) for sample in at_standard if not problems[sample.id]]


# Moving between states


@dataclass(frozen=True)
class Hold:
    """What stops the round moving on, and what the lead does about it (said as the next step)."""

    problem: str
    remedy: str
    anchor: str  # the part of the round's page where the remedy is done


def _setup_problems(round_: ModerationRound) -> list[Hold]:
    return [] if round_.schools else [Hold("No school is taking part yet", "Add a school", "schools")]


# The checks count in the database: the lead's round page shows them, and a round can have thousands of samples.


def count_entries(round_: ModerationRound, *conditions: ColumnElement[bool]) -> int:
    statement = select(func.count()).select_from(RoundEntry).where(RoundEntry.round_id == round_.id, *conditions)
    return db.session.scalar(statement) or 0


def _short_of_moderators(round_: ModerationRound) -> ColumnElement[bool]:
    """An entry judged by fewer live (not withdrawn) judgements than the round wants."""
    live = (
        select(func.count())
        .where(Judgement.entry_id == RoundEntry.id, Judgement.state != JudgementState.WITHDRAWN)
        .correlate(RoundEntry)
        .scalar_subquery()
    )
    return live < round_.judgements_per_sample


def _allocation_hold(round_: ModerationRound) -> list[Hold]:
    short = count_entries(round_, _short_of_moderators(round_))
    if not short:
        return []
    unallocated = counted(short, "sample is", "samples are")
    problem = f"{unallocated} not allocated to {counted(round_.judgements_per_sample, 'moderator')} yet"
    return [Hold(problem, "Allocate the samples to moderators", "samples")]


def _collecting_problems(round_: ModerationRound) -> list[Hold]:
    if not count_entries(round_):
        return [Hold("No samples have been entered yet", "Wait for the schools to enter samples", "schools")]
    return _allocation_hold(round_)


def _judging_problems(round_: ModerationRound) -> list[Hold]:
    waiting = db.session.scalar(
        select(func.count())
        .select_from(Judgement)
        .join(RoundEntry, Judgement.entry_id == RoundEntry.id)
        .where(
            RoundEntry.round_id == round_.id,
            Judgement.state.not_in([JudgementState.SUBMITTED, JudgementState.WITHDRAWN]),
        )
    )
    if waiting:
        problem = f"{counted(waiting, 'judgement has', 'judgements have')} not been submitted yet"
        return [Hold(problem, "Wait for the moderators to submit their judgements", "moderators")]
    return _allocation_hold(round_)


def _reveal_problems(round_: ModerationRound) -> list[Hold]:
    undecided = count_entries(round_, RoundEntry.agreed_standard_id.is_(None))
    if not undecided:
        return []
    problem = f"{counted(undecided, 'sample has', 'samples have')} no agreed outcome yet"
    return [Hold(problem, "Record the agreed outcomes", "reveal")]


TRANSITIONS: dict[RoundState, tuple[RoundState, Callable[[ModerationRound], list[Hold]], str]] = {
    RoundState.SETUP: (RoundState.COLLECTING, _setup_problems, "Open for samples"),
    RoundState.COLLECTING: (RoundState.JUDGING, _collecting_problems, "Open judging"),
    RoundState.JUDGING: (RoundState.REVEAL, _judging_problems, "Reveal"),
    RoundState.REVEAL: (RoundState.CLOSED, _reveal_problems, "Close the round"),
}


@dataclass(frozen=True)
class NextStep:
    """Where the round goes next: ``action`` moves it there once nothing ``holds`` it."""

    target: RoundState
    action: str  # the button's words
    holds: list[Hold]

    @property
    def first(self) -> str:
        """What the lead does now: the first hold's remedy, or the action itself when nothing holds it."""
        return self.holds[0].remedy if self.holds else self.action


def next_step(round_: ModerationRound) -> NextStep | None:
    """The state the round can move to next and what stands in the way; None once it is closed."""
    if round_.state not in TRANSITIONS:
        return None
    target, check, action = TRANSITIONS[round_.state]
    return NextStep(target, action, check(round_))


def advance(round_: ModerationRound, target: RoundState, seen_version: int, by: User) -> None:
    require_version(round_, seen_version, "the round")  # before the checks' queries flush anything pending
    step = next_step(round_)
    if step is None or step.target is not target:
        raise RoundError(f"A round that is '{round_.state.label}' cannot move to '{target.label}'.")
    if step.holds:
        raise RoundError(f"{step.holds[0].problem}: {step.first.lower()} first")
    before = round_.state
    with versioned_write("the round"):
        round_.state = target
    record(by.id, "round.state_changed", round_, before=before.value, after=target.value)
    if target is RoundState.REVEAL and round_.auto_agree:
        apply_auto_agreement(round_, by)
