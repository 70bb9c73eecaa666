"""Allocation speed and correctness on a realistic local authority: 5,000 samples, 300 moderators, k = 3.

Generates, from a fixed seed, an LA of 120 schools (about five primaries to each secondary) in 12 clusters;
260 teachers who moderate (each at one school, a few at two schools of the same trust) and 40 LA moderators
with no school, every one with up to three declared conflicts; and 5,000 samples over the schools (a
secondary sends more than a primary). Then times ``allocate`` with k = 3 and own-cluster moderation excluded
(best and median of three runs; the runs must agree) and checks every rule on the result: no moderator from the
sample's school, none who declared a conflict with it, none from its cluster, k distinct moderators per sample,
and loads within one of each other. A shuffled copy of the input must give the same allocation.

Then, for information, a cross-phase variant of the same round (each sample also needs a moderator from the
other phase): there are far fewer secondary than primary moderators, so loads cannot be within one; it checks
the rules and that the heaviest load is the least any allocation could have (the bound is computed below).

Prints the figures and, as its last line, ``allocation seconds: X`` (the median of the k = 3 runs).
Run: ``.venv/bin/python benchmarks/allocate.py``. Exits 1 if any check fails.
"""

import random
import sys
import time
from collections import Counter
from pathlib import Path

# Import from the project, not from beside this script: benchmarks/statistics.py would stand in for the
# standard library's statistics module, which the app's libraries import.
sys.path.remove(str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from moderation_hub.rounds.allocation import AllocationRules, ModeratorProfile, SampleSlot, allocate

SEED = 20250101
SCHOOLS, CLUSTERS, TEACHERS, LA_MODERATORS, SAMPLES, K = 120, 12, 260, 40, 5000, 3
RUNS = 3
School = tuple[int, int, str]  # id, cluster, phase


def local_authority() -> tuple[list[School], list[ModeratorProfile], list[SampleSlot]]:
    rng = random.Random(SEED)  # noqa: S311 - reproducible test data, nothing secret
    schools = [
        (school_id, rng.randrange(CLUSTERS), "secondary" if school_id % 6 == 0 else "primary")
        for school_id in range(1, SCHOOLS + 1)
    ]
    cluster_of = {school_id: cluster for school_id, cluster, _ in schools}
    phase_of = {school_id: phase for school_id, _, phase in schools}
    moderators = []
    for user_id in range(1, TEACHERS + 1):
        school_ids = {rng.randrange(1, SCHOOLS + 1)}
        if rng.random() < 0.05:  # works across two schools of one trust, in the same cluster
            home = next(iter(school_ids))
            school_ids |= {rng.choice([s for s, c, _ in schools if c == cluster_of[home]])}
        moderators.append(
            ModeratorProfile(
                id=user_id,
                school_ids=frozenset(school_ids),
                cluster_ids=frozenset(cluster_of[s] for s in school_ids),
                conflict_school_ids=frozenset(rng.sample(range(1, SCHOOLS + 1), rng.randrange(4))),
                phase=phase_of[min(school_ids)],
            )
        )
    for user_id in range(TEACHERS + 1, TEACHERS + LA_MODERATORS + 1):
        moderators.append(
            ModeratorProfile(
                id=user_id,
                conflict_school_ids=frozenset(rng.sample(range(1, SCHOOLS + 1), rng.randrange(4))),
                phase=rng.choice(["primary", "secondary", None]),
            )
        )
    weights = [3 if phase == "secondary" else 1 for _, _, phase in schools]
    samples = []
    for entry_id, (school_id, cluster, phase) in enumerate(rng.choices(schools, weights, k=SAMPLES), start=1):
        samples.append(SampleSlot(id=entry_id, school_id=school_id, cluster_id=cluster, phase=phase))
    return schools, moderators, samples


def median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def timed(samples, moderators, rules) -> tuple[list[float], dict[int, tuple[int, ...]]]:
    times, results = [], []
    for _ in range(RUNS):
        started = time.perf_counter()
        results.append(allocate(samples, moderators, rules))
        times.append(time.perf_counter() - started)
    if any(result != results[0] for result in results):
        raise SystemExit("FAIL: the runs gave different allocations")
    return times, results[0]


def rule_failures(samples, moderators, rules, result) -> list[str]:
    """Every rule, checked from the data here rather than through the module's own ``eligible``."""
    by_id = {moderator.id: moderator for moderator in moderators}
    failures = []
    for sample in samples:
        chosen = result.get(sample.id, ())
        if len(chosen) != rules.per_sample or len(set(chosen)) != len(chosen):
            failures.append(f"sample {sample.id}: {chosen} is not {rules.per_sample} distinct moderators")
        for moderator in (by_id[moderator_id] for moderator_id in chosen):
            if sample.school_id in moderator.school_ids:
                failures.append(f"sample {sample.id}: moderator {moderator.id} works at its school")
            if sample.school_id in moderator.conflict_school_ids:
                failures.append(f"sample {sample.id}: moderator {moderator.id} declared a conflict")
            if rules.exclude_own_cluster and sample.cluster_id in moderator.cluster_ids:
                failures.append(f"sample {sample.id}: moderator {moderator.id} is in its cluster")
        if rules.require_other_phase and not any(by_id[m].phase not in (None, sample.phase) for m in chosen):
            failures.append(f"sample {sample.id}: no moderator from another phase")
    return failures


def loads(moderators, result) -> Counter[int]:
    counts = Counter({moderator.id: 0 for moderator in moderators})
    counts.update(moderator_id for chosen in result.values() for moderator_id in chosen)
    return counts


def cross_phase_floor(samples, moderators, rules) -> int:
    """A lower bound on the heaviest load: the average load; and, for each phase, its samples (each needs one
    moderator from another phase) shared among the other-phase moderators eligible for at least one of them."""
    floor = -(-len(samples) * rules.per_sample // len(moderators))
    for phase in {sample.phase for sample in samples}:
        needing = [sample for sample in samples if sample.phase == phase]
        places = {(sample.school_id, sample.cluster_id) for sample in needing}
        helpers = [
            moderator
            for moderator in moderators
            if moderator.phase not in (None, phase)
            and any(
                school not in moderator.school_ids | moderator.conflict_school_ids
                and not (rules.exclude_own_cluster and cluster in moderator.cluster_ids)
                for school, cluster in places
            )
        ]
        floor = max(floor, -(-len(needing) // max(1, len(helpers))))
    return floor


def main() -> int:
    schools, moderators, samples = local_authority()
    phases = Counter(phase for _, _, phase in schools)
    print(
        f"{len(schools)} schools ({phases['primary']} primary, {phases['secondary']} secondary) in {CLUSTERS} "
        f"clusters; {len(moderators)} moderators ({LA_MODERATORS} LA); {len(samples)} samples; k = {K}"
    )
    failed = False

    rules = AllocationRules(per_sample=K, exclude_own_cluster=True, seed=7)
    times, result = timed(samples, moderators, rules)
    low, high = min(loads(moderators, result).values()), max(loads(moderators, result).values())
    print(f"k = 3, own cluster excluded: best {min(times):.3f} s, median {median(times):.3f} s; loads {low}-{high}")
    failures = rule_failures(samples, moderators, rules, result)
    if high - low > 1:
        failures.append(f"loads {low}-{high} are not within one")
    shuffled_samples, shuffled_moderators = samples[:], moderators[:]
    random.Random(1).shuffle(shuffled_samples)  # noqa: S311 - a reproducible shuffle
    random.Random(2).shuffle(shuffled_moderators)  # noqa: S311 - idem
    if allocate(shuffled_samples, shuffled_moderators, rules) != result:
        failures.append("a shuffled copy of the input gave a different allocation")
    for failure in failures[:20]:
        print("FAIL:", failure)
    print(f"checks: {'FAILED (' + str(len(failures)) + ')' if failures else 'every rule kept, loads within one'}")
    failed |= bool(failures)

    cross_rules = AllocationRules(per_sample=K, exclude_own_cluster=True, require_other_phase=True, seed=7)
    cross_times, cross_result = timed(samples, moderators, cross_rules)
    cross_loads = loads(moderators, cross_result)
    floor = cross_phase_floor(samples, moderators, cross_rules)
    print(
        f"cross-phase variant: median {median(cross_times):.3f} s; loads "
        f"{min(cross_loads.values())}-{max(cross_loads.values())} (no allocation can have its heaviest below {floor})"
    )
    cross_failures = rule_failures(samples, moderators, cross_rules, cross_result)
    if max(cross_loads.values()) != floor:
        cross_failures.append(f"heaviest load {max(cross_loads.values())} is above the bound {floor}")
    for failure in cross_failures[:20]:
        print("FAIL:", failure)
    print(f"cross-phase checks: {'FAILED' if cross_failures else 'every rule kept, heaviest load at its bound'}")
    failed |= bool(cross_failures)

    print(f"allocation seconds: {median(times):.2f}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
