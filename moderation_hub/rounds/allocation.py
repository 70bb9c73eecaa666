"""Allocating a round's work samples to moderators: conflict-aware, balanced and deterministic.

Pure: plain data in, plain data out; no Flask, no database. The rounds service turns its rows into
``SampleSlot`` and ``ModeratorProfile`` values, calls ``allocate`` (or ``reallocate`` when a moderator drops
out, or ``rule_breaches`` for a manual override) and stores what comes back.

The rules: each sample gets ``per_sample`` distinct moderators; a moderator never gets work from a school they
work at or declared a conflict with, nor a sample whose identity they can see elsewhere (the rounds service works
out who, from every round), nor, when the round says so, work from their own cluster; a cross-phase round
gives each sample at least one moderator from another phase. Within those rules the loads (existing work
included) are as even as they can be: within one of each other whenever that is possible, and otherwise with
the heaviest load as light as it can be.

How: moderators are bits of an integer in a seeded order, and samples that share a school and the people who can
see them elsewhere (and, when the rules look at them, a cluster and a phase) share one mask of eligible moderators.
Samples are filled most-constrained first with the least-loaded eligible moderators; in a cross-phase round every
sample first gets its other-phase moderator, as those are the scarce ones, and then the rest. Loads have no cap, so
a sample can be completed exactly when it has enough eligible moderators: that is checked for every sample before
anything is chosen, so an error lists every problem and a result is never partial. Then the loads are evened out by
moving slots along chains (sample A passes from moderator 1 to 2, sample B from 2 to 3, ...) from a moderator to
one at least two lighter, until no such chain exists. The loads a round can reach form an M-convex set (they are
the flows into the sink of a network: source -> sample -> moderator -> sink, with a cross-phase sample's
other-phase moderators behind an arc carrying at least one), and for those "no such chain" means the load vector is
decreasingly minimal (Frank and Murota, 2020): the heaviest load is as light as it can be, the lightest as heavy as
it can be, and the spread is at most one whenever any allocation achieves that.
"""

import itertools
import random
from collections import deque
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from moderation_hub.wording import counted


@dataclass(frozen=True)
class SampleSlot:
    """One sample entered in a round."""

    id: int  # the round entry's id
    school_id: int
    cluster_id: int | None
    phase: str  # coarse phase of the sample's school, e.g. "primary", "secondary"
    seen_by: frozenset[int] = frozenset()  # moderators who can see who it is from elsewhere: never blind to it


@dataclass(frozen=True)
class ModeratorProfile:
    """What the rules need to know about one moderator."""

    id: int  # user id
    school_ids: frozenset[int] = frozenset()  # schools they work at: never their own school's work
    cluster_ids: frozenset[int] = frozenset()  # clusters of those schools
    conflict_school_ids: frozenset[int] = frozenset()  # schools they declared a conflict with
    phase: str | None = None  # their phase (None: unknown or any; never counts as "another phase")


@dataclass(frozen=True)
class AllocationRules:
    per_sample: int = 2  # k: moderators per sample
    exclude_own_cluster: bool = False
    require_other_phase: bool = False  # each sample needs a moderator whose phase differs from the sample's
    seed: int = 0

    def __post_init__(self) -> None:
        if self.per_sample < 1:
            raise ValueError(f"Each sample needs at least one moderator, not {self.per_sample}.")


class AllocationError(ValueError):
    """The rules cannot be met; ``problems`` says why, in plain English, one sentence per sample and rule."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(["The allocation cannot keep every rule:", *problems]))


# Why a moderator may not judge a sample, in the order the reasons are checked and reported.
OWN_SCHOOL, CONFLICT, SEEN, OWN_CLUSTER = "own school", "conflict", "seen elsewhere", "own cluster"


def exclusion(sample: SampleSlot, moderator: ModeratorProfile, rules: AllocationRules) -> str | None:
    """The first rule that keeps ``moderator`` from judging ``sample`` (OWN_SCHOOL, CONFLICT, SEEN, OWN_CLUSTER),
    or None."""
    if sample.school_id in moderator.school_ids:
        return OWN_SCHOOL
    if sample.school_id in moderator.conflict_school_ids:
        return CONFLICT
    if moderator.id in sample.seen_by:
        return SEEN
    if rules.exclude_own_cluster and sample.cluster_id is not None and sample.cluster_id in moderator.cluster_ids:
        return OWN_CLUSTER
    return None


def eligible(sample: SampleSlot, moderator: ModeratorProfile, rules: AllocationRules) -> bool:
    return exclusion(sample, moderator, rules) is None


def other_phase(sample: SampleSlot, moderator: ModeratorProfile) -> bool:
    """Whether the moderator counts as "from another phase" for this sample (an unknown phase never does)."""
    return moderator.phase is not None and moderator.phase != sample.phase


def rule_breaches(
    sample: SampleSlot,
    moderator_ids: Sequence[int],
    moderators: Mapping[int, ModeratorProfile],
    rules: AllocationRules,
) -> list[str]:
    """Every rule a proposed set of moderators for one sample breaks, as sentences; empty when it keeps them all."""
    breaches: list[str] = []
    seen: set[int] = set()
    for moderator_id in moderator_ids:
        if moderator_id in seen:
            breaches.append(f"Moderator {moderator_id} is listed more than once for sample {sample.id}.")
            continue
        seen.add(moderator_id)
        moderator = moderators.get(moderator_id)
        if moderator is None:
            breaches.append(f"Moderator {moderator_id} is not a moderator in this round.")
            continue
        reason = exclusion(sample, moderator, rules)
        if reason is not None:
            breaches.append(f"Moderator {moderator_id} {_EXCLUSION_PHRASES[reason]} sample {sample.id}.")
    if len(seen) != rules.per_sample:
        breaches.append(
            f"Sample {sample.id} needs {counted(rules.per_sample, 'moderator')} but "
            f"{counted(len(seen), 'is', 'are')} proposed."
        )
    if (
        rules.require_other_phase
        and seen
        and not any(
            other_phase(sample, moderators[moderator_id]) for moderator_id in seen if moderator_id in moderators
        )
    ):
        breaches.append(
            f"Sample {sample.id} ({sample.phase}) needs a moderator from another phase in this cross-phase round, "
            f"but none of moderators {_id_list(sorted(seen))} is."
        )
    return breaches


def allocate(
    samples: Sequence[SampleSlot],
    moderators: Sequence[ModeratorProfile],
    rules: AllocationRules,
    existing: Mapping[int, Collection[int]] | None = None,
) -> dict[int, tuple[int, ...]]:
    """The new moderators (ids, ascending) for each sample that needs more, topping every sample up to
    ``rules.per_sample``. ``existing`` (sample id -> moderator ids) is kept and counted in the loads, including
    entries for samples not in ``samples``. Raises AllocationError listing every sample that cannot be completed.
    """
    existing = existing or {}
    demands = []
    for sample in samples:
        held = frozenset(existing.get(sample.id, ()))
        demands.append((sample, max(0, rules.per_sample - len(held))))
    board = _Board(moderators, rules, existing)
    board.fill(demands)
    return {
        board.samples[index].id: tuple(sorted(board.moderators[bit].id for bit in board.new[index]))
        for index in range(len(board.samples))
        if board.new[index]
    }


def reallocate(  # noqa: PLR0917 - the rounds service passes the six arguments in the order of the issue's interface
    dropped_moderator_id: int,
    unfinished_sample_ids: Collection[int],
    samples: Sequence[SampleSlot],
    moderators: Sequence[ModeratorProfile],
    rules: AllocationRules,
    current: Mapping[int, Collection[int]],
) -> dict[int, int]:
    """A replacement moderator for each unfinished sample of a moderator who dropped out, keeping every rule and
    evening out the loads (``current``, minus the dropped moderator's unfinished work, counts). Returns sample id
    -> new moderator id; raises AllocationError naming each sample that cannot be re-allocated, and why.
    """
    by_id = {sample.id: sample for sample in samples}
    problems: list[str] = []
    for sample_id in sorted(set(unfinished_sample_ids)):
        if sample_id not in by_id:
            problems.append(f"Sample {sample_id} is not in this round.")
        elif dropped_moderator_id not in current.get(sample_id, ()):
            problems.append(f"Sample {sample_id} is not allocated to moderator {dropped_moderator_id}.")
    if problems:
        raise AllocationError(problems)
    unfinished = set(unfinished_sample_ids)
    kept = {
        sample_id: [moderator_id for moderator_id in held if moderator_id != dropped_moderator_id]
        if sample_id in unfinished
        else held
        for sample_id, held in current.items()
    }
    board = _Board([m for m in moderators if m.id != dropped_moderator_id], rules, kept)
    board.fill([(by_id[sample_id], 1) for sample_id in sorted(unfinished)])
    return {board.samples[index].id: board.moderators[board.new[index][0]].id for index in range(len(board.samples))}


def load_spread(allocation: Mapping[int, Collection[int]], moderator_ids: Iterable[int]) -> tuple[int, int]:
    """The lightest and heaviest load among ``moderator_ids`` (a moderator with no work has load 0)."""
    loads = dict.fromkeys(moderator_ids, 0)
    for held in allocation.values():
        for moderator_id in held:
            if moderator_id in loads:
                loads[moderator_id] += 1
    return (min(loads.values()), max(loads.values())) if loads else (0, 0)


_EXCLUSION_PHRASES = {
    OWN_SCHOOL: "works at the school of",
    CONFLICT: "declared a conflict with the school of",
    SEEN: "can see elsewhere which school sent",
    OWN_CLUSTER: "works in the cluster (excluded in this round) of",
}


def _id_list(ids: Sequence[int]) -> str:
    return ", ".join(str(i) for i in ids)


def _bits(mask: int) -> Iterable[int]:
    """The positions of the set bits of ``mask``, lowest first."""
    while mask:
        lowest = mask & -mask
        yield lowest.bit_length() - 1
        mask ^= lowest


@dataclass(eq=False)  # compared and hashed by identity: one object per group
class _Group:
    """Samples that the rules treat alike: same school, and cluster and phase when the rules look at them."""

    eligible: int  # mask of the moderators who may judge these samples
    other: int  # mask of the moderators from another phase than these samples'


class _Slots:
    """The samples of one group where one moderator has a new slot, by who may take the slot over: ``free`` ones
    any eligible moderator; ``locked`` ones (this moderator is the sample's only one from another phase, in a
    cross-phase round) only an eligible moderator from another phase."""

    __slots__ = ("free", "locked")

    def __init__(self) -> None:
        self.free: dict[int, None] = {}
        self.locked: dict[int, None] = {}


class _Board:
    """The working state of one allocation.

    Moderator ``bit`` is ``moderators[bit]``, in a seeded order that breaks ties between equal loads.
    ``levels[load]`` is the mask of moderators carrying that load. Sample ``index`` is ``samples[index]``;
    ``members[index]`` is the mask of its moderators (kept and new), ``new[index]`` the bits added here, the
    only ones that may move; ``held[bit][group]`` the ``_Slots`` of moderator ``bit`` in a group of samples.
    """

    def __init__(
        self,
        moderators: Sequence[ModeratorProfile],
        rules: AllocationRules,
        kept: Mapping[int, Collection[int]],
    ) -> None:
        self.rules = rules
        ordered = sorted(moderators, key=lambda moderator: moderator.id)
        _reject_duplicates([moderator.id for moderator in ordered], "moderator")
        # Seeded, not secret: S311 is about cryptography; the seed makes a round's allocation reproducible.
        random.Random(f"{rules.seed}:moderators").shuffle(ordered)  # noqa: S311
        self.moderators = ordered
        self.bit_of = {moderator.id: bit for bit, moderator in enumerate(ordered)}
        self.kept = kept
        self.load = [0] * len(ordered)
        for held in kept.values():
            for moderator_id in set(held):
                if moderator_id in self.bit_of:
                    self.load[self.bit_of[moderator_id]] += 1
        self.levels: list[int] = [0] * (max(self.load, default=0) + 2)
        for bit, load in enumerate(self.load):
            self.levels[load] |= 1 << bit
        self.groups: dict[tuple[int, frozenset[int], int | None, str | None], _Group] = {}
        self.samples: list[SampleSlot] = []
        self.group_of: list[_Group] = []
        self.members: list[int] = []
        self.other_count: list[int] = []
        self.new: list[list[int]] = []
        self.held: list[dict[_Group, _Slots]] = [{} for _ in ordered]

    def fill(self, demands: Sequence[tuple[SampleSlot, int]]) -> None:
        """Give each sample its number of new moderators, then even out the loads; all or nothing."""
        demands = sorted(demands, key=lambda demand: demand[0].id)
        _reject_duplicates([sample.id for sample, _ in demands], "sample")
        needs = [need for _, need in demands]
        for sample, _ in demands:
            self._add_sample(sample)
        problems = [problem for index, need in enumerate(needs) for problem in self._problems(index, need)]
        if problems:
            raise AllocationError(problems)
        rank = list(range(len(demands)))
        random.Random(f"{self.rules.seed}:samples").shuffle(rank)  # noqa: S311 - seeded tie-break, as above
        order = sorted(
            (index for index, need in enumerate(needs) if need),
            key=lambda index: (self._candidates(index).bit_count() - needs[index], rank[index]),
        )
        # The other-phase moderators first, for every sample, as they are the scarce ones; then the rest.
        for index in order:
            if self._needs_other(index):
                self._assign(index, self._least_loaded(self._candidates(index) & self.group_of[index].other))
        for index in order:
            for _ in range(needs[index] - len(self.new[index])):
                self._assign(index, self._least_loaded(self._candidates(index)))
        while self._tighten():
            pass

    def _add_sample(self, sample: SampleSlot) -> None:
        key = (
            sample.school_id,
            sample.seen_by,
            sample.cluster_id if self.rules.exclude_own_cluster else None,
            sample.phase if self.rules.require_other_phase else None,
        )
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = self._group(sample)
        kept = {self.bit_of[i] for i in self.kept.get(sample.id, ()) if i in self.bit_of}
        self.samples.append(sample)
        self.group_of.append(group)
        self.members.append(sum(1 << bit for bit in kept))
        self.other_count.append(sum(1 for bit in kept if group.other >> bit & 1))
        self.new.append([])

    def _group(self, sample: SampleSlot) -> _Group:
        eligible_mask = other_mask = 0
        for bit, moderator in enumerate(self.moderators):
            if eligible(sample, moderator, self.rules):
                eligible_mask |= 1 << bit
            if other_phase(sample, moderator):
                other_mask |= 1 << bit
        return _Group(eligible_mask, other_mask)

    def _needs_other(self, index: int) -> bool:
        return self.rules.require_other_phase and self.other_count[index] == 0

    def _candidates(self, index: int) -> int:
        return self.group_of[index].eligible & ~self.members[index]

    def _problems(self, index: int, need: int) -> list[str]:
        sample, candidates = self.samples[index], self._candidates(index)
        kept = len(set(self.kept.get(sample.id, ())))
        problems = []
        if candidates.bit_count() < need:
            wanted = counted(need, "more moderator" if kept else "moderator")
            found = {0: "none is", 1: "only 1 is"}.get(candidates.bit_count(), f"only {candidates.bit_count()} are")
            problems.append(f"Sample {sample.id} needs {wanted} but {found} eligible{self._why_not(index, ~0)}.")
        if need and self._needs_other(index):
            others = self.group_of[index].other
            if not candidates & others:
                problems.append(
                    f"Sample {sample.id} ({sample.phase}) needs a moderator from another phase, but none is "
                    f"eligible: {counted(others.bit_count(), 'moderator')} from another phase"
                    f"{self._why_not(index, others)}."
                )
        return problems

    def _why_not(self, index: int, mask: int) -> str:
        """Why the moderators in ``mask`` who may not take this sample are ruled out, as a bracketed count."""
        sample = self.samples[index]
        reasons = dict.fromkeys((OWN_SCHOOL, CONFLICT, SEEN, OWN_CLUSTER, "already"), 0)
        for bit in _bits(mask & ~self._candidates(index) & ((1 << len(self.moderators)) - 1)):
            if self.members[index] >> bit & 1:
                reasons["already"] += 1
            else:
                reasons[exclusion(sample, self.moderators[bit], self.rules) or "already"] += 1
        phrases = {
            OWN_SCHOOL: ("works at its school", "work at its school"),
            CONFLICT: ("declared a conflict with it", "declared a conflict with it"),
            SEEN: ("can see elsewhere who it is from", "can see elsewhere who it is from"),
            OWN_CLUSTER: ("works in its cluster", "work in its cluster"),
            "already": ("is already allocated to it", "are already allocated to it"),
        }
        parts = [f"{n} {phrases[reason][n != 1]}" for reason, n in reasons.items() if n]
        return f" ({', '.join(parts)})" if parts else ""

    def _least_loaded(self, candidates: int) -> int:
        for level in self.levels:
            hit = level & candidates
            if hit:
                return (hit & -hit).bit_length() - 1
        raise AssertionError("checked before choosing: every sample has enough candidates")

    def _assign(self, index: int, bit: int) -> None:
        group = self.group_of[index]
        self.members[index] |= 1 << bit
        self.other_count[index] += group.other >> bit & 1
        self.new[index].append(bit)
        self.held[bit].setdefault(group, _Slots())
        self._file(index)
        self._shift_load(bit, 1)

    def _release(self, index: int, bit: int) -> None:
        group = self.group_of[index]
        slots = self.held[bit][group]
        slots.free.pop(index, None)
        slots.locked.pop(index, None)
        self.members[index] &= ~(1 << bit)
        self.other_count[index] -= group.other >> bit & 1
        self.new[index].remove(bit)
        self._file(index)
        self._shift_load(bit, -1)

    def _file(self, index: int) -> None:
        """File each new slot of the sample as free or locked, as its count of other-phase moderators says."""
        group = self.group_of[index]
        sole_other = self.rules.require_other_phase and self.other_count[index] == 1
        for bit in self.new[index]:
            slots = self.held[bit][group]
            if sole_other and group.other >> bit & 1:
                slots.free.pop(index, None)
                slots.locked.setdefault(index)
            else:
                slots.locked.pop(index, None)
                slots.free.setdefault(index)

    def _shift_load(self, bit: int, change: int) -> None:
        self.levels[self.load[bit]] &= ~(1 << bit)
        self.load[bit] += change
        if self.load[bit] >= len(self.levels):
            self.levels.append(0)
        self.levels[self.load[bit]] |= 1 << bit

    def _tighten(self) -> bool:
        """Move one slot along a chain of moderators to one at least two lighter than where the chain starts;
        False when no such chain exists (then the loads are decreasingly minimal).

        Breadth-first from the heaviest moderators down. A moderator already reached from a heavier start is
        not searched again: nothing it reaches was lighter by two than that start, so nothing is for a lighter one.
        """
        lightest = next((load for load, level in enumerate(self.levels) if level), 0)
        reached = 0
        came_from: dict[int, tuple[int, int]] = {}
        for top in range(len(self.levels) - 1, lightest + 1, -1):
            starts = self.levels[top] & ~reached
            reached |= starts
            queue = deque(_bits(starts))
            while queue:
                bit = queue.popleft()
                for group, slots in self.held[bit].items():
                    takers = group.eligible if slots.free else group.eligible & group.other if slots.locked else 0
                    for target in _bits(takers & ~reached):
                        index = self._movable(target, group, slots)
                        if index is None:
                            continue
                        reached |= 1 << target
                        came_from[target] = (bit, index)
                        if self.load[target] <= top - 2:
                            self._move_along(target, came_from)
                            return True
                        queue.append(target)
        return False

    def _movable(self, target: int, group: _Group, slots: _Slots) -> int | None:
        """One of the samples in ``slots`` that moderator ``target`` could take over keeping every rule, or None.

        In a shortest chain one sample can appear twice only when the pair of moves keeps its other-phase
        moderator (otherwise the chain would have a shortcut), so checking each move alone is enough.
        """
        target_bit = 1 << target
        for index in slots.free:
            if not self.members[index] & target_bit:
                return index
        if group.other & target_bit:
            for index in slots.locked:
                if not self.members[index] & target_bit:
                    return index
        return None

    def _move_along(self, end: int, came_from: dict[int, tuple[int, int]]) -> None:
        bit = end
        while bit in came_from:
            giver, index = came_from[bit]
            self._release(index, giver)
            self._assign(index, bit)
            bit = giver


def _reject_duplicates(ids: Sequence[int], noun: str) -> None:
    """``ids`` is sorted; the same id twice would make the allocation depend on input order."""
    for first, second in itertools.pairwise(ids):
        if first == second:
            raise ValueError(f"The {noun} id {first} appears more than once.")
