"""Giving samples to moderators: the round's rows in, ``allocation``'s pure rules out, judgements created.

Automatic allocation, a manual override and re-allocation after a moderator drops out all go through
the same rules (``allocation.rule_breaches`` and ``allocation.allocate``), so none can break them. The lead's page
of one sample's moderators offers, a page at a time, only those the same rules let judge it (``offered_for``).
"""

import re
from collections.abc import Collection, Sequence

from sqlalchemy import ColumnElement, Select, exists, func, or_, select
from sqlalchemy.orm import joinedload

from moderation_hub.accounts.models import Membership, User
from moderation_hub.audit.services import record
from moderation_hub.db import db
from moderation_hub.organisations.models import School
from moderation_hub.permissions import identity_seers
from moderation_hub.rounds import allocation
from moderation_hub.rounds.errors import RoundError
from moderation_hub.rounds.models import (
    Judgement,
    JudgementState,
    ModerationRound,
    ModeratorConflict,
    RoundEntry,
    RoundModerator,
    RoundState,
    coarse_phase,
)
from moderation_hub.rounds.services import conflicts_of


def _in_words(
    error: allocation.AllocationError, entries: Sequence[RoundEntry], moderators: Sequence[RoundModerator]
) -> RoundError:
    """The allocator names samples and moderators by id; the lead knows them by code and name."""
    codes = {entry.id: entry.blind_code for entry in entries}
    names = {m.user_id: m.user.display_name for m in moderators}

    def readable(problem: str) -> str:
        problem = re.sub(r"([Ss]ample) (\d+)", lambda m: f"{m[1]} {codes.get(int(m[2]), m[2])}", problem)
        return re.sub(r"Moderator (\d+)", lambda m: names.get(int(m[1]), m[0]), problem)

    return RoundError(" ".join(readable(problem) for problem in error.problems))


def _rules(round_: ModerationRound) -> allocation.AllocationRules:
    return allocation.AllocationRules(
        per_sample=round_.judgements_per_sample,
        exclude_own_cluster=round_.exclude_own_cluster,
        require_other_phase=round_.require_other_phase,
        seed=round_.seed,
    )


def _slots(round_: ModerationRound, entries: list[RoundEntry]) -> list[allocation.SampleSlot]:
    """The entries as the allocator sees them, each with the people who can see elsewhere who it is from."""
    seers = identity_seers(round_, [entry.sample_id for entry in entries])
    slots = []
    for entry in entries:
        school, phase = entry.school, coarse_phase(entry.school.phase)
        seen_by = seers.get(entry.sample_id, frozenset())
        slots.append(
            allocation.SampleSlot(entry.id, school.id, school.cluster_id, phase.value if phase else "", seen_by)
        )
    return slots


def _profiles(moderators: list[RoundModerator]) -> list[allocation.ModeratorProfile]:
    conflicts = conflicts_of([m.user_id for m in moderators])
    profiles = []
    for moderator in moderators:
        schools = [m.school for m in moderator.user.memberships if m.school is not None]
        profiles.append(
            allocation.ModeratorProfile(
                id=moderator.user_id,
                school_ids=frozenset(school.id for school in schools),
                cluster_ids=frozenset(school.cluster_id for school in schools if school.cluster_id is not None),
                conflict_school_ids=frozenset(conflicts[moderator.user_id]),
                phase=moderator.phase.value if moderator.phase else None,
            )
        )
    return profiles


def _current(round_: ModerationRound) -> dict[int, list[int]]:
    return {entry.id: [j.moderator_id for j in entry.live_judgements] for entry in round_.entries}


def _require_allocating(round_: ModerationRound) -> None:
    if round_.state not in (RoundState.COLLECTING, RoundState.JUDGING):
        raise RoundError("Samples are allocated while the round is collecting samples or judging.")
    if not round_.active_moderators:
        raise RoundError("Add moderators to the round first.")


def allocate_round(round_: ModerationRound, by: User) -> int:
    """Top every entry up to the round's k moderators, keeping what is already allocated. Returns how many."""
    _require_allocating(round_)
    try:
        new = allocation.allocate(
            _slots(round_, round_.entries),
            _profiles(round_.active_moderators),
            _rules(round_),
            existing=_current(round_),
        )
    except allocation.AllocationError as error:
        raise _in_words(error, round_.entries, round_.moderators) from error
    entries = {entry.id: entry for entry in round_.entries}
    created = 0
    for entry_id, moderator_ids in sorted(new.items()):
        for moderator_id in moderator_ids:
            _give(entries[entry_id], moderator_id)
            created += 1
    db.session.flush()
    record(by.id, "round.allocated", round_, judgements_created=created)
    return created


def _give(entry: RoundEntry, moderator_id: int) -> None:
    """A new allocation, or the old one back if this moderator had it before and it was withdrawn."""
    earlier = next((j for j in entry.judgements if j.moderator_id == moderator_id), None)
    if earlier is None:
        entry.judgements.append(Judgement(moderator_id=moderator_id))
    elif earlier.state is JudgementState.WITHDRAWN:
        earlier.state = JudgementState.DRAFT if earlier.standard_id or earlier.rationale else JudgementState.NOT_STARTED


def override(entry: RoundEntry, moderator_ids: list[int], by: User) -> None:
    """The lead chooses the moderators of one sample. Submitted judgements stay; the rules still apply."""
    round_ = entry.round
    _require_allocating(round_)
    proposed = active_moderators_among(round_, moderator_ids)
    profiles = {profile.id: profile for profile in _profiles(proposed)}
    unknown = [user_id for user_id in moderator_ids if user_id not in profiles]
    if unknown:
        raise RoundError("Choose moderators who are taking part in the round", "moderators")
    breaches = allocation.rule_breaches(_slots(round_, [entry])[0], moderator_ids, profiles, _rules(round_))
    if breaches:
        raise _in_words(allocation.AllocationError(breaches), [entry], proposed)
    kept_submitted = [j for j in entry.submitted_judgements if j.moderator_id not in moderator_ids]
    if kept_submitted:
        raise RoundError("A moderator who has submitted a judgement of this sample cannot be taken off it.")
    before = sorted(j.moderator_id for j in entry.live_judgements)
    for judgement in entry.live_judgements:
        if judgement.moderator_id not in moderator_ids:
            judgement.state = JudgementState.WITHDRAWN
    for moderator_id in moderator_ids:
        _give(entry, moderator_id)
    db.session.flush()
    record(by.id, "round.allocation_overridden", entry, before=before, after=sorted(moderator_ids))


def drop_moderator(moderator: RoundModerator, by: User) -> int:
    """A moderator drops out: their unfinished work goes to others under the same rules. Returns how many."""
    round_ = moderator.round
    if round_.state in (RoundState.REVEAL, RoundState.CLOSED):
        raise RoundError("Judging is over: moderators no longer drop out of this round.")
    unfinished = [
        judgement
        for entry in round_.entries
        for judgement in entry.judgements
        if judgement.moderator_id == moderator.user_id
        and judgement.state in (JudgementState.NOT_STARTED, JudgementState.DRAFT)
    ]
    others = [m for m in round_.active_moderators if m.user_id != moderator.user_id]
    if unfinished and not others:
        raise RoundError("Nobody else is moderating this round; add a moderator first.")
    replacements = {}
    if unfinished:
        try:
            replacements = allocation.reallocate(
                moderator.user_id,
                [judgement.entry_id for judgement in unfinished],
                _slots(round_, round_.entries),
                _profiles(others),
                _rules(round_),
                _current(round_),
            )
        except allocation.AllocationError as error:
            raise _in_words(error, round_.entries, round_.moderators) from error
    moderator.active = False
    for judgement in unfinished:
        judgement.state = JudgementState.WITHDRAWN
        _give(judgement.entry, replacements[judgement.entry_id])
    db.session.flush()
    record(by.id, "round.moderator_dropped", round_, user_id=moderator.user_id, reallocated=len(unfinished))
    return len(unfinished)


# The lead's page of one sample's moderators: those chosen, and a page at a time of those who may be added.


def active_moderators_among(round_: ModerationRound, user_ids: Collection[int]) -> list[RoundModerator]:
    """The round's moderators of ``user_ids`` who have not dropped out, with their names and the schools they work
    at: what the rules need to know of them, in two queries however many moderators the round has."""
    if not user_ids:
        return []
    statement = (
        select(RoundModerator)
        .where(RoundModerator.round_id == round_.id, RoundModerator.active, RoundModerator.user_id.in_(user_ids))
        .options(joinedload(RoundModerator.user).selectinload(User.memberships).joinedload(Membership.school))
    )
    return list(db.session.scalars(statement).unique())


def offered_for(entry: RoundEntry, chosen: Collection[int]) -> tuple[Select[tuple[RoundModerator]], int]:
    """The round's moderators who may be added to ``entry``, by name, with their names loaded: active, not among
    ``chosen``, and kept off it by none of the rules ``allocation.exclusion`` applies (their own school, a declared
    conflict, seeing elsewhere who it is from, their own cluster when the round excludes it); and how many active
    moderators those rules keep off it. The phase rule is about the set of moderators, so it is checked when the
    choice is saved."""
    kept_off = _kept_off(entry)
    active = (RoundModerator.round_id == entry.round_id) & RoundModerator.active
    offered = (
        select(RoundModerator)
        .join(User, RoundModerator.user_id == User.id)
        .where(active, ~kept_off)
        .options(joinedload(RoundModerator.user))
        .order_by(User.display_name, User.id)
    )
    if chosen:
        offered = offered.where(RoundModerator.user_id.not_in(chosen))
    return offered, db.session.scalar(select(func.count()).where(active, kept_off)) or 0


def _kept_off(entry: RoundEntry) -> ColumnElement[bool]:
    """``allocation.exclusion`` as a condition on a ``RoundModerator`` row: true when a rule keeps them off."""
    round_ = entry.round
    works_at = exists().where(Membership.user_id == RoundModerator.user_id, Membership.school_id == entry.school_id)
    conflict = exists().where(
        ModeratorConflict.user_id == RoundModerator.user_id, ModeratorConflict.school_id == entry.school_id
    )
    rules = [works_at, conflict]
    seers = identity_seers(round_, [entry.sample_id]).get(entry.sample_id, frozenset())
    if seers:
        rules.append(RoundModerator.user_id.in_(sorted(seers)))
    cluster_id = entry.school.cluster_id
    if round_.exclude_own_cluster and cluster_id is not None:
        in_cluster = select(School.id).where(School.cluster_id == cluster_id)
        rules.append(exists().where(Membership.user_id == RoundModerator.user_id, Membership.school_id.in_(in_cluster)))
    return or_(*rules)
