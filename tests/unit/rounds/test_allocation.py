"""The allocation rules, called directly with plain data, as the rounds service calls them."""

import itertools
import random
from collections import Counter
from collections.abc import Collection, Mapping, Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderation_hub.rounds.allocation import (
    AllocationError,
    AllocationRules,
    ModeratorProfile,
    SampleSlot,
    allocate,
    eligible,
    load_spread,
    other_phase,
    reallocate,
    rule_breaches,
)

PRIMARY, SECONDARY = "primary", "secondary"


def teacher(user_id: int, school_id: int, cluster_id: int | None = None, phase: str | None = PRIMARY, **more):
    return ModeratorProfile(
        id=user_id,
        school_ids=frozenset({school_id}),
        cluster_ids=frozenset({cluster_id} if cluster_id is not None else ()),
        phase=phase,
        **more,
    )


def la_moderator(user_id: int, phase: str | None = None, conflicts: Collection[int] = ()) -> ModeratorProfile:
    return ModeratorProfile(id=user_id, conflict_school_ids=frozenset(conflicts), phase=phase)


def samples_at(school_id: int, ids: Sequence[int], cluster_id: int | None = None, phase: str = PRIMARY):
    return [SampleSlot(id=i, school_id=school_id, cluster_id=cluster_id, phase=phase) for i in ids]


def loads(allocation: Mapping[int, Collection[int]], moderators: Sequence[ModeratorProfile]) -> Counter[int]:
    counts = Counter({moderator.id: 0 for moderator in moderators})
    counts.update(moderator_id for chosen in allocation.values() for moderator_id in chosen)
    return counts


def assert_keeps_rules(samples, moderators, rules, allocation, existing=None) -> None:
    """Every sample has k distinct moderators (kept ones included) and no proposed set breaks a rule."""
    by_id = {moderator.id: moderator for moderator in moderators}
    for sample in samples:
        chosen = [*(existing or {}).get(sample.id, ()), *allocation.get(sample.id, ())]
        assert rule_breaches(sample, chosen, by_id, rules) == [], (sample, chosen)


def local_authority(seed: int, schools: int = 12, moderators: int = 30, samples: int = 200):
    """A random LA with plenty of moderators for every school, so a perfectly balanced allocation exists."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, nothing secret
    cluster = {school: school % 4 for school in range(1, schools + 1)}
    phase = {school: SECONDARY if school % 4 == 0 else PRIMARY for school in range(1, schools + 1)}
    profiles = []
    for user_id in range(1, moderators + 1):
        if user_id % 5 == 0:
            profiles.append(la_moderator(user_id, rng.choice([PRIMARY, SECONDARY, None]), [rng.randint(1, schools)]))
        else:
            school = rng.randint(1, schools)
            profiles.append(
                teacher(user_id, school, cluster[school], phase[school], conflict_school_ids=frozenset({school % 7}))
            )
    slots = [
        SampleSlot(i, school, cluster[school], phase[school])
        for i, school in enumerate(rng.choices(range(1, schools + 1), k=samples), start=1)
    ]
    return slots, profiles


# --- each rule ---------------------------------------------------------------------------------------------------


def test_a_moderator_never_gets_work_from_their_own_school() -> None:
    samples = samples_at(1, range(1, 11)) + samples_at(2, range(11, 21))
    moderators = [teacher(1, 1), teacher(2, 1), teacher(3, 2), teacher(4, 2), la_moderator(5)]
    allocation = allocate(samples, moderators, AllocationRules(per_sample=2))
    for sample in samples:
        other_school = {3, 4} if sample.school_id == 1 else {1, 2}
        assert set(allocation[sample.id]) <= other_school | {5}


def test_a_moderator_never_gets_work_from_a_school_they_declared_a_conflict_with() -> None:
    samples = samples_at(1, range(1, 21))
    moderators = [la_moderator(1, conflicts=[1]), la_moderator(2), la_moderator(3), teacher(4, 2)]
    allocation = allocate(samples, moderators, AllocationRules(per_sample=3))
    assert all(set(chosen) == {2, 3, 4} for chosen in allocation.values())


def test_a_moderator_never_gets_a_sample_they_can_see_elsewhere() -> None:
    """Two samples of one school: the first was revealed to moderator 1 in another round, so only 2 and 3 judge it,
    while the second, which nobody has seen, can go to anyone."""
    seen = SampleSlot(1, school_id=1, cluster_id=None, phase=PRIMARY, seen_by=frozenset({1}))
    unseen = SampleSlot(2, school_id=1, cluster_id=None, phase=PRIMARY)
    moderators = [la_moderator(1), la_moderator(2), la_moderator(3)]
    for seed in range(20):
        allocation = allocate([seen, unseen], moderators, AllocationRules(per_sample=2, seed=seed))
        assert 1 not in allocation[1]
    assert 1 in {m for seed in range(20) for m in allocate([unseen], moderators, AllocationRules(2, seed=seed))[2]}
    breaches = rule_breaches(seen, [1, 2], {m.id: m for m in moderators}, AllocationRules(per_sample=2))
    assert breaches == ["Moderator 1 can see elsewhere which school sent sample 1."]
    with pytest.raises(AllocationError, match=r"only 1 is eligible \(2 can see elsewhere who it is from\)"):
        allocate([SampleSlot(1, 1, None, PRIMARY, frozenset({1, 2}))], moderators, AllocationRules(per_sample=2))


def test_own_cluster_is_excluded_only_when_the_round_says_so() -> None:
    samples = samples_at(1, range(1, 21), cluster_id=7)
    moderators = [teacher(1, 2, cluster_id=7), la_moderator(2), la_moderator(3)]
    with_cluster = allocate(samples, moderators, AllocationRules(per_sample=2))
    assert loads(with_cluster, moderators)[1] > 0
    without = allocate(samples, moderators, AllocationRules(per_sample=2, exclude_own_cluster=True))
    assert loads(without, moderators)[1] == 0
    assert not eligible(samples[0], moderators[0], AllocationRules(exclude_own_cluster=True))


def test_a_sample_without_a_cluster_is_not_excluded_by_the_cluster_rule() -> None:
    sample = SampleSlot(1, school_id=1, cluster_id=None, phase=PRIMARY)
    assert eligible(sample, teacher(1, 2, cluster_id=7), AllocationRules(exclude_own_cluster=True))


def test_a_cross_phase_round_gives_each_sample_a_moderator_from_the_other_phase() -> None:
    samples = samples_at(1, range(1, 31)) + samples_at(2, range(31, 41), phase=SECONDARY)
    moderators = [la_moderator(i, PRIMARY) for i in range(1, 6)] + [la_moderator(6, SECONDARY), la_moderator(7, None)]
    rules = AllocationRules(per_sample=2, require_other_phase=True)
    allocation = allocate(samples, moderators, rules)
    for sample in samples:
        assert any(other_phase(sample, moderators[i - 1]) for i in allocation[sample.id])
    assert_keeps_rules(samples, moderators, rules, allocation)
    # The one secondary moderator must take all 30 primary samples; nobody else need carry more than 30.
    assert load_spread(allocation, [m.id for m in moderators])[1] == 30


def test_other_phase_is_only_required_when_the_round_says_so() -> None:
    samples = samples_at(1, range(1, 11))
    moderators = [la_moderator(1, PRIMARY), la_moderator(2, PRIMARY)]
    assert allocate(samples, moderators, AllocationRules(per_sample=2)) == dict.fromkeys(range(1, 11), (1, 2))


def test_a_moderator_of_unknown_phase_never_counts_as_the_other_phase() -> None:
    sample = samples_at(1, [1])[0]
    assert not other_phase(sample, la_moderator(1, None))
    assert other_phase(sample, la_moderator(1, SECONDARY))
    with pytest.raises(AllocationError):
        allocate([sample], [la_moderator(1, None), la_moderator(2, None)], AllocationRules(require_other_phase=True))


def test_each_sample_gets_k_distinct_moderators() -> None:
    samples, moderators = local_authority(seed=3)
    allocation = allocate(samples, moderators, AllocationRules(per_sample=3))
    assert set(allocation) == {sample.id for sample in samples}
    assert all(len(set(chosen)) == 3 == len(chosen) for chosen in allocation.values())


# --- determinism and balance -------------------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_allocation_whatever_the_input_order() -> None:
    samples, moderators = local_authority(seed=4)
    rules = AllocationRules(per_sample=3, exclude_own_cluster=True, require_other_phase=True, seed=11)
    first = allocate(samples, moderators, rules)
    shuffled_samples, shuffled_moderators = samples[::-1], moderators[:]
    random.Random(5).shuffle(shuffled_moderators)  # noqa: S311 - idem
    assert allocate(shuffled_samples, shuffled_moderators, rules) == first
    assert allocate(samples, moderators, rules) == first


def test_another_seed_gives_another_allocation() -> None:
    samples, moderators = local_authority(seed=4)
    first = allocate(samples, moderators, AllocationRules(per_sample=3, seed=1))
    assert allocate(samples, moderators, AllocationRules(per_sample=3, seed=2)) != first


def test_loads_are_within_one_when_the_rules_allow_it() -> None:
    samples, moderators = local_authority(seed=6, samples=301)
    rules = AllocationRules(per_sample=3, exclude_own_cluster=True)
    allocation = allocate(samples, moderators, rules)
    assert_keeps_rules(samples, moderators, rules, allocation)
    low, high = load_spread(allocation, [moderator.id for moderator in moderators])
    assert high - low <= 1
    assert high == -(-301 * 3 // 30)


def test_when_balance_is_impossible_the_heaviest_load_is_as_light_as_it_can_be() -> None:
    # School 1's 12 samples can only go to moderators 3 and 4; school 2's 12 to anyone but 1 and 2.
    samples = samples_at(1, range(1, 13)) + samples_at(2, range(13, 25))
    moderators = [teacher(1, 1, conflict_school_ids=frozenset({2})), teacher(2, 1, conflict_school_ids=frozenset({2}))]
    moderators += [la_moderator(3), la_moderator(4), la_moderator(5, conflicts=[1]), la_moderator(6, conflicts=[1])]
    allocation = allocate(samples, moderators, AllocationRules(per_sample=2))
    counted = loads(allocation, moderators)
    assert counted[3] == counted[4] == 12  # forced by school 1's samples
    assert counted[5] == counted[6] == 12  # all of school 2's 24 slots go to 5 and 6
    assert counted[1] == counted[2] == 0


# --- infeasible rounds -------------------------------------------------------------------------------------------


def test_a_school_whose_only_moderators_work_there_cannot_be_allocated() -> None:
    samples = samples_at(1, [17, 18])
    moderators = [teacher(1, 1), teacher(2, 1), teacher(3, 1), la_moderator(4, conflicts=[1]), la_moderator(5)]
    with pytest.raises(AllocationError) as raised:
        allocate(samples, moderators, AllocationRules(per_sample=2))
    assert raised.value.problems == [
        f"Sample {i} needs 2 moderators but only 1 is eligible (3 work at its school, 1 declared a conflict with it)."
        for i in (17, 18)
    ]


def test_a_cross_phase_round_without_an_eligible_moderator_from_the_other_phase_says_so() -> None:
    samples = samples_at(1, [5])
    moderators = [la_moderator(1, PRIMARY), la_moderator(2, PRIMARY), teacher(3, 1, phase=SECONDARY)]
    with pytest.raises(AllocationError) as raised:
        allocate(samples, moderators, AllocationRules(per_sample=2, require_other_phase=True))
    assert raised.value.problems == [
        "Sample 5 (primary) needs a moderator from another phase, but none is eligible: "
        "1 moderator from another phase (1 works at its school)."
    ]


def test_an_impossible_round_lists_every_problem_and_allocates_nothing() -> None:
    samples = samples_at(1, [1]) + samples_at(2, [2], cluster_id=9) + samples_at(3, [3])
    moderators = [teacher(1, 1), teacher(2, 4, cluster_id=9), la_moderator(3, conflicts=[3])]
    with pytest.raises(AllocationError) as raised:
        allocate(samples, moderators, AllocationRules(per_sample=3, exclude_own_cluster=True))
    assert raised.value.problems == [
        "Sample 1 needs 3 moderators but only 2 are eligible (1 works at its school).",
        "Sample 2 needs 3 moderators but only 2 are eligible (1 works in its cluster).",
        "Sample 3 needs 3 moderators but only 2 are eligible (1 declared a conflict with it).",
    ]
    assert str(raised.value).startswith("The allocation cannot keep every rule:\nSample 1 needs")


def test_topping_up_counts_the_moderators_already_allocated_in_the_message() -> None:
    samples = samples_at(1, [8])
    with pytest.raises(AllocationError) as raised:
        allocate(samples, [la_moderator(1), la_moderator(2)], AllocationRules(per_sample=3), existing={8: [1]})
    assert raised.value.problems == [
        "Sample 8 needs 2 more moderators but only 1 is eligible (1 is already allocated to it)."
    ]


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one moderator"):
        AllocationRules(per_sample=0)
    with pytest.raises(ValueError, match="moderator id 1 appears more than once"):
        allocate(samples_at(1, [1]), [la_moderator(1), la_moderator(1)], AllocationRules(per_sample=1))
    with pytest.raises(ValueError, match="sample id 1 appears more than once"):
        allocate(samples_at(1, [1, 1]), [la_moderator(1)], AllocationRules(per_sample=1))


# --- existing allocations ----------------------------------------------------------------------------------------


def test_existing_allocations_are_kept_and_counted_in_the_loads() -> None:
    samples = samples_at(1, range(1, 7))
    moderators = [la_moderator(1), la_moderator(2), la_moderator(3)]
    existing = {1: [1], 2: [1], 3: [1], 4: [1, 2], 99: [3]}  # sample 99 is from elsewhere but still counts
    rules = AllocationRules(per_sample=2)
    allocation = allocate(samples, moderators, rules, existing)
    assert set(allocation) == {1, 2, 3, 5, 6}  # sample 4 is already full
    assert all(1 not in allocation[i] for i in (1, 2, 3))
    assert_keeps_rules(samples, moderators, rules, allocation, existing)
    # Moderator 1 already carries 4, so the 7 new slots go to 2 and 3 (1 each already): 13 as 4, 4 and 5.
    assert sorted(loads({**existing, **{-i: chosen for i, chosen in allocation.items()}}, moderators).values()) == [
        4,
        4,
        5,
    ]
    assert loads(allocation, moderators)[1] == 0


def test_an_existing_other_phase_moderator_satisfies_a_cross_phase_round() -> None:
    samples = samples_at(1, [1])
    moderators = [la_moderator(1, SECONDARY), la_moderator(2, PRIMARY), la_moderator(3, PRIMARY)]
    rules = AllocationRules(per_sample=3, require_other_phase=True)
    assert allocate(samples, moderators, rules, existing={1: [1]}) == {1: (2, 3)}


def test_a_full_sample_is_left_as_it_is() -> None:
    # Only adding is allocate's job: a moderator in ``existing`` who is no longer in the round (moderator 3 here)
    # may be the sample's other-phase moderator, and their profile is not known.
    samples = samples_at(1, [4])
    moderators = [la_moderator(1, PRIMARY), la_moderator(2, PRIMARY), la_moderator(5, SECONDARY)]
    assert allocate(samples, moderators, AllocationRules(require_other_phase=True), existing={4: [1, 3]}) == {}


def test_a_greedy_imbalance_is_repaired() -> None:
    # Filled one by one, the last sample can find its two lightest moderators are one it already has and one
    # already at two: the repair moves a slot along a chain so that every moderator carries two.
    samples = samples_at(1, [100, 101, 102])
    moderators = [la_moderator(10, SECONDARY), la_moderator(20, SECONDARY), la_moderator(30, SECONDARY)]
    allocation = allocate(samples, moderators, AllocationRules(per_sample=2, require_other_phase=True))
    assert load_spread(allocation, [10, 20, 30]) == (2, 2)


# --- re-allocation when a moderator drops out --------------------------------------------------------------------


def test_reallocation_gives_each_unfinished_sample_a_replacement_keeping_the_rules() -> None:
    samples = samples_at(1, range(1, 9)) + samples_at(2, range(9, 13))
    moderators = [la_moderator(1), la_moderator(2), teacher(3, 1), teacher(4, 2), la_moderator(5, conflicts=[2])]
    rules = AllocationRules(per_sample=2)
    current = allocate(samples, moderators, rules)
    dropped = 1
    unfinished = [sample_id for sample_id, chosen in current.items() if dropped in chosen][:-1]  # one is finished
    replacements = reallocate(dropped, unfinished, samples, moderators, rules, current)
    assert set(replacements) == set(unfinished)
    after = {
        sample_id: [replacements[sample_id] if m == dropped and sample_id in replacements else m for m in chosen]
        for sample_id, chosen in current.items()
    }
    assert_keeps_rules(samples, moderators, rules, after)
    assert all(replacements[sample_id] not in current[sample_id] for sample_id in unfinished)


def test_reallocation_spreads_the_work_over_the_lightest_moderators() -> None:
    samples = samples_at(1, range(1, 13))
    moderators = [la_moderator(i) for i in range(1, 5)]
    current = {i: [1] for i in range(1, 7)} | {i: [2] for i in range(7, 10)} | {i: [3] for i in range(10, 13)}
    replacements = reallocate(1, range(1, 7), samples, moderators, AllocationRules(per_sample=1), current)
    assert Counter(replacements.values()) == {4: 4, 2: 1, 3: 1}


def test_reallocation_replaces_the_only_other_phase_moderator_with_another() -> None:
    samples = samples_at(1, [1])
    moderators = [la_moderator(1, SECONDARY), la_moderator(2, PRIMARY), la_moderator(3, PRIMARY)]
    moderators.append(la_moderator(4, SECONDARY))
    rules = AllocationRules(per_sample=2, require_other_phase=True)
    assert reallocate(1, [1], samples, moderators, rules, {1: [1, 2]}) == {1: 4}


def test_reallocation_says_which_samples_cannot_be_reallocated_and_why() -> None:
    samples = samples_at(1, [1, 2]) + samples_at(2, [3])
    moderators = [la_moderator(1), la_moderator(2), teacher(3, 1)]
    rules = AllocationRules(per_sample=2)
    current = {1: [1, 2], 2: [1, 2], 3: [2, 3]}
    with pytest.raises(AllocationError) as raised:
        reallocate(1, [1, 2], samples, moderators, rules, current)
    assert raised.value.problems == [
        f"Sample {i} needs 1 more moderator but none is eligible (1 works at its school, 1 is already allocated to it)."
        for i in (1, 2)
    ]
    with pytest.raises(AllocationError) as raised:
        reallocate(1, [3, 4], samples, moderators, rules, current)
    assert raised.value.problems == ["Sample 3 is not allocated to moderator 1.", "Sample 4 is not in this round."]


# --- manual override ---------------------------------------------------------------------------------------------


def test_rule_breaches_names_each_moderator_and_rule() -> None:
    sample = SampleSlot(17, school_id=1, cluster_id=5, phase=PRIMARY)
    moderators = {
        1: teacher(1, 1),
        2: la_moderator(2, PRIMARY, conflicts=[1]),
        3: teacher(3, 2, cluster_id=5),
        4: la_moderator(4, PRIMARY),
    }
    rules = AllocationRules(per_sample=3, exclude_own_cluster=True, require_other_phase=True)
    assert rule_breaches(sample, [1, 2, 3, 4, 4, 9], moderators, rules) == [
        "Moderator 1 works at the school of sample 17.",
        "Moderator 2 declared a conflict with the school of sample 17.",
        "Moderator 3 works in the cluster (excluded in this round) of sample 17.",
        "Moderator 4 is listed more than once for sample 17.",
        "Moderator 9 is not a moderator in this round.",
        "Sample 17 needs 3 moderators but 5 are proposed.",
        "Sample 17 (primary) needs a moderator from another phase in this cross-phase round, "
        "but none of moderators 1, 2, 3, 4, 9 is.",
    ]


def test_rule_breaches_is_empty_for_a_set_that_keeps_every_rule() -> None:
    sample = SampleSlot(17, school_id=1, cluster_id=5, phase=PRIMARY)
    moderators = {3: teacher(3, 2, cluster_id=5), 4: la_moderator(4, SECONDARY)}
    assert rule_breaches(sample, [3, 4], moderators, AllocationRules(require_other_phase=True)) == []
    assert rule_breaches(sample, [4], moderators, AllocationRules()) == [
        "Sample 17 needs 2 moderators but 1 is proposed."
    ]


def test_load_spread_counts_moderators_without_work_as_zero() -> None:
    assert load_spread({1: [1, 2], 2: [1, 9]}, [1, 2, 3]) == (0, 2)
    assert load_spread({}, []) == (0, 0)


# --- every rule and the best balance on random small rounds, against brute force ---------------------------------


@st.composite
def small_rounds(draw: st.DrawFn):
    schools = draw(st.integers(2, 4))
    cluster = {school: draw(st.sampled_from([None, 1, 2])) for school in range(1, schools + 1)}
    phase = {school: draw(st.sampled_from([PRIMARY, SECONDARY])) for school in range(1, schools + 1)}
    moderators = []
    for user_id in range(1, draw(st.integers(2, 6)) + 1):
        works_at = draw(st.frozensets(st.integers(1, schools + 1), max_size=1))
        moderators.append(
            ModeratorProfile(
                id=user_id * 10,
                school_ids=works_at,
                cluster_ids=frozenset(cluster[s] for s in works_at if cluster.get(s) is not None),
                conflict_school_ids=draw(st.frozensets(st.integers(1, schools), max_size=1)),
                phase=draw(st.sampled_from([PRIMARY, SECONDARY, None])),
            )
        )
    school_of = draw(st.lists(st.integers(1, schools), min_size=1, max_size=7))
    ids = [m.id for m in moderators]
    seen_by = [draw(st.frozensets(st.sampled_from(ids), max_size=2)) for _ in school_of]
    samples = [SampleSlot(i + 100, s, cluster[s], phase[s], seen_by[i]) for i, s in enumerate(school_of)]
    rules = AllocationRules(
        per_sample=draw(st.sampled_from([1, 2, 2, 3])),
        exclude_own_cluster=draw(st.booleans()),
        require_other_phase=draw(st.booleans()),
        seed=draw(st.integers(0, 3)),
    )
    existing = {s.id: draw(st.lists(st.sampled_from(ids), max_size=2, unique=True)) for s in samples[:2]}
    return samples, moderators, rules, draw(st.sampled_from([{}, existing]))


def best_loads(samples, moderators, rules, existing) -> tuple[int, int] | None:
    """The lightest possible heaviest load and the heaviest possible lightest load, by trying every allocation;
    None when some sample cannot be completed."""
    by_id = {m.id: m for m in moderators}
    index = {m.id: i for i, m in enumerate(moderators)}
    start = [0] * len(moderators)
    for chosen in existing.values():
        for moderator_id in chosen:
            start[index[moderator_id]] += 1
    states = {tuple(start)}
    for sample in samples:
        kept = list(existing.get(sample.id, ()))
        free = [m.id for m in moderators if m.id not in kept and eligible(sample, m, rules)]
        need = max(0, rules.per_sample - len(kept))
        choices = [
            extra
            for extra in itertools.combinations(free, need)
            if not (rules.require_other_phase and need) or any(other_phase(sample, by_id[m]) for m in [*kept, *extra])
        ]
        if not choices:
            return None
        states = {
            tuple(load + sum(1 for m in extra if index[m] == i) for i, load in enumerate(state))
            for state in states
            for extra in choices
        }
    return min(max(state) for state in states), max(min(state) for state in states)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_rounds())
def test_random_rounds_keep_every_rule_with_the_best_balance(round_) -> None:
    samples, moderators, rules, existing = round_
    best = best_loads(samples, moderators, rules, existing)
    if best is None:
        with pytest.raises(AllocationError):
            allocate(samples, moderators, rules, existing)
        return
    allocation = allocate(samples, moderators, rules, existing)
    assert all(len(chosen) == len(set(chosen)) for chosen in allocation.values())
    for sample in samples:
        kept = existing.get(sample.id, [])
        chosen = allocation.get(sample.id, ())
        assert not set(chosen) & set(kept)
        assert all(eligible(sample, m, rules) for m in moderators if m.id in chosen)
        if len(kept) < rules.per_sample:
            assert len(kept) + len(chosen) == rules.per_sample
            if rules.require_other_phase:
                assert any(other_phase(sample, m) for m in moderators if m.id in {*kept, *chosen})
    everything = [*existing.values(), *allocation.values()]
    assert load_spread(dict(enumerate(everything)), [m.id for m in moderators]) == (best[1], best[0])
