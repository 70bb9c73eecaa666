"""Agreement statistics at local-authority scale, and our Krippendorff's alpha against the krippendorff package.

(a) A synthetic moderation round, seeded: 10,000 samples from 300 schools on a 4-point scale, each judged
    by 3 of 300 moderators (each with a severity bias of their own) overall and on 20 criteria, with the
    agreed outcome the moderators' median; prints the time to compute every moderation measure (best of
    3; target under 1 s).
(b) Severity flags on a simulated LA round, seeded: 5,000 samples each judged by 3 of 300 moderators, of
    whom 30 are harsh and 30 lenient (half a standard below or above what they see) and 240 fair; the agreed
    outcome is the panel's median. Prints the share of harsh and lenient moderators flagged in the right
    direction (target at least 90%) and the share of fair ones flagged (target at most 5%).
(c) Ordinal alpha of 100,000 units x 5 raters with 10% of ratings missing, ours against
    ``krippendorff.alpha`` on the same data; both must agree to 1e-9 (exit 1 otherwise). Prints both
    times (best of 5) and, as its last line, ``alpha time ratio: X`` (ours / theirs; target at most 1.00).

Run: ``.venv/bin/python benchmarks/statistics.py`` (needs numpy, scipy and krippendorff; no app, no database).
"""

import sys
from pathlib import Path

# This file is called statistics.py: take its folder off the path so that it cannot shadow the standard
# library's statistics module, and put the project root there instead.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import time  # noqa: E402 - after the path fix above
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

import krippendorff  # noqa: E402
import numpy as np  # noqa: E402
import numpy.typing as npt  # noqa: E402

from moderation_hub.statistics import (  # noqa: E402
    CriterionJudgements,
    ModeratorJudgements,
    RoundRatings,
    Severity,
    krippendorff_alpha,
    moderation_report,
    moderator_severity,
)

SEED = 20240917
SCALE = ("WTS", "EXS", "EXS+", "GDS")
THRESHOLDS = (-1.0, 0.2, 1.2)  # latent attainment -> standard
SAMPLES, SCHOOLS, MODERATORS, PER_SAMPLE, CRITERIA = 10_000, 300, 300, 3, 20
FLAG_SAMPLES, HARSH, LENIENT, BIAS = 5_000, 30, 30, 0.5  # BIAS: half the gap between two standards
ALPHA_UNITS, ALPHA_RATERS, ALPHA_MISSING = 100_000, 5, 0.10
TOLERANCE = 1e-9


def synthetic_round(rng: np.random.Generator) -> RoundRatings:
    """A realistic round: moderators mostly agree, each a little severe or lenient; schools a little generous."""
    attainment = rng.normal(size=SAMPLES)
    schools = rng.integers(SCHOOLS, size=SAMPLES)
    school_bias = rng.normal(0.15, 0.25, size=SCHOOLS)
    teacher = np.digitize(attainment + school_bias[schools] + rng.normal(0, 0.45, SAMPLES), THRESHOLDS)
    moderators = rng.random((SAMPLES, MODERATORS)).argsort(axis=1)[:, :PER_SAMPLE]
    severity = rng.normal(0, 0.15, size=MODERATORS)
    seen = attainment[:, None] + severity[moderators] + rng.normal(0, 0.35, moderators.shape)
    judged = np.digitize(seen, THRESHOLDS)
    agreed = np.median(judged, axis=1).astype(np.int64)
    rounds = rng.integers(1, 5, size=SAMPLES)
    return RoundRatings(
        scale=SCALE,
        school_ids=schools,
        teacher_judgements=np.where(rng.random(SAMPLES) < 0.03, -1, teacher),
        agreed_outcomes=np.where(rng.random(SAMPLES) < 0.05, -1, agreed),
        moderator_judgements=ModeratorJudgements(
            sample_indices=np.repeat(np.arange(SAMPLES), PER_SAMPLE),
            moderator_ids=moderators.ravel(),
            standard_indices=judged.ravel(),
        ),
        criterion_judgements=criterion_judgements(rng, seen, moderators),
        round_ids=rounds,
        academic_years=np.where(rounds <= 2, "2023-24", "2024-25"),
    )


def criterion_judgements(
    rng: np.random.Generator, seen: npt.NDArray[np.float64], moderators: npt.NDArray[np.int64]
) -> CriterionJudgements:
    """Each moderator marks each criterion met when what they saw clears its difficulty; some lack evidence."""
    difficulty = rng.uniform(-1.5, 1.5, size=CRITERIA)
    lacking = rng.uniform(0.01, 0.15, size=CRITERIA)
    noisy = seen[:, :, None] + rng.normal(0, 0.5, (*seen.shape, CRITERIA))
    status = np.where(noisy > difficulty, 0, 1)
    status = np.where(rng.random(status.shape) < lacking, 2, status)
    shape = status.shape
    return CriterionJudgements(
        sample_indices=np.broadcast_to(np.arange(SAMPLES)[:, None, None], shape).ravel(),
        moderator_ids=np.broadcast_to(moderators[:, :, None], shape).ravel(),
        criterion_ids=np.broadcast_to(np.arange(CRITERIA), shape).ravel(),
        statuses=status.ravel(),
    )


def flagged_round(rng: np.random.Generator) -> tuple[RoundRatings, npt.NDArray[np.float64]]:
    """An LA round with known harsh and lenient moderators, and each moderator's bias (0 for the fair)."""
    bias = np.zeros(MODERATORS)
    bias[:HARSH], bias[HARSH : HARSH + LENIENT] = -BIAS, BIAS
    bias = rng.permutation(bias)
    attainment = rng.normal(size=FLAG_SAMPLES)
    moderators = rng.random((FLAG_SAMPLES, MODERATORS)).argsort(axis=1)[:, :PER_SAMPLE]
    judged = np.digitize(attainment[:, None] + bias[moderators] + rng.normal(0, 0.35, moderators.shape), THRESHOLDS)
    data = RoundRatings(
        scale=SCALE,
        school_ids=rng.integers(SCHOOLS // 2, size=FLAG_SAMPLES),
        teacher_judgements=[None] * FLAG_SAMPLES,
        agreed_outcomes=np.median(judged, axis=1).astype(np.int64),
        moderator_judgements=ModeratorJudgements(
            np.repeat(np.arange(FLAG_SAMPLES), PER_SAMPLE), moderators.ravel(), judged.ravel()
        ),
    )
    return data, bias


def flag_shares(data: RoundRatings, bias: npt.NDArray[np.float64]) -> tuple[float, float]:
    """The share of marked moderators flagged in their direction, and the share of fair ones flagged at all."""
    expected = {-BIAS: Severity.SEVERE, BIAS: Severity.LENIENT}
    rows = moderator_severity(data)
    found = [row.severity is expected[bias[row.moderator_id]] for row in rows if bias[row.moderator_id]]
    fair = [row.severity in set(expected.values()) for row in rows if not bias[row.moderator_id]]
    return float(np.mean(found)), float(np.mean(fair))


def reliability_data(rng: np.random.Generator) -> npt.NDArray[np.float64]:
    """Units x raters ratings 1-5 that mostly agree, with ALPHA_MISSING of them missing (NaN)."""
    latent = rng.normal(size=(ALPHA_UNITS, 1)) + rng.normal(0, 0.6, (ALPHA_UNITS, ALPHA_RATERS))
    ratings = (np.digitize(latent, (-1.2, -0.4, 0.4, 1.2)) + 1).astype(np.float64)
    ratings[rng.random(ratings.shape) < ALPHA_MISSING] = np.nan
    return ratings


def best_time(run: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    """The shortest of ``repeats`` runs, and what the last run returned."""
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - started)
    return min(times), result


def main() -> int:
    rng = np.random.default_rng(SEED)
    data = synthetic_round(rng)
    elapsed, report = best_time(lambda: moderation_report(data), repeats=3)
    print(
        f"moderation measures ({SAMPLES:,} samples x {PER_SAMPLE} moderators x {CRITERIA} criteria, "
        f"{SCHOOLS} schools, {MODERATORS} moderators): {elapsed:.3f} s (target < 1 s)"
    )
    print(
        f"  school accuracy {report.teacher_overall.exact.value:.3f}, "
        f"moderator ordinal alpha {report.moderators.krippendorff_alpha.value:.3f}, "
        f"flagged moderators {sum(row.severity not in {None, 'in_line'} for row in report.moderator_severity)}"
    )
    marked, fair = flag_shares(*flagged_round(rng))
    print(
        f"severity flags ({FLAG_SAMPLES:,} samples x {PER_SAMPLE} of {MODERATORS} moderators, "
        f"{HARSH} harsh and {LENIENT} lenient by {BIAS} of a standard)"
    )
    print(f"  harsh and lenient flagged: {marked:.1%} (target at least 90%)")
    print(f"  fair flagged: {fair:.1%} (target at most 5%)")
    ratings = reliability_data(rng)
    ours_time, ours = best_time(lambda: krippendorff_alpha(ratings, level="ordinal"), repeats=5)
    theirs_time, theirs = best_time(
        lambda: krippendorff.alpha(reliability_data=ratings.T, level_of_measurement="ordinal"), repeats=5
    )
    print(f"ordinal alpha, {ALPHA_UNITS:,} units x {ALPHA_RATERS} raters, {ALPHA_MISSING:.0%} missing")
    print(f"  ours:         {ours:.12f} in {ours_time * 1000:.1f} ms")
    print(f"  krippendorff: {float(theirs):.12f} in {theirs_time * 1000:.1f} ms")
    if abs(ours - float(theirs)) > TOLERANCE:
        print(f"alpha values differ by {abs(ours - float(theirs)):.3g} (more than {TOLERANCE})")
        return 1
    print(f"alpha time ratio: {ours_time / theirs_time:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
