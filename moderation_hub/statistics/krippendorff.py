"""Krippendorff's alpha, following Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability".

alpha = 1 - D_o / D_e = 1 - (n.. - 1) sum_ck o_ck d2_ck / sum_ck n_c n_k d2_ck, where o is the coincidence
matrix (each unit u with m_u >= 2 values adds (n_uc n_uk - [c = k] n_uc) / (m_u - 1)), n_c its margins and
n.. the number of pairable values. Krippendorff's difference functions:

- nominal: 0 for equal values, 1 otherwise;
- ordinal: (sum_{g=c..k} n_g - (n_c + n_k) / 2)^2, over the ranks between c and k;
- interval: (c - k)^2;
- ratio: ((c - k) / (c + k))^2.

The coincidence matrix is one matrix product over the count table, so 100,000 units take milliseconds.
The interval is a bootstrap over units (resampling units with replacement, seeded so that a page shows the
same interval every time it is drawn); Krippendorff's own bootstrap resamples pairable values instead.
"""

from typing import Literal, TypeAlias

import numpy as np
import numpy.typing as npt

from moderation_hub.statistics.estimate import CONFIDENCE, Estimate
from moderation_hub.statistics.ratings import (
    Categories,
    CategoryCounts,
    UndefinedCoefficientError,
    is_numeric,
    tabulate,
)

Level: TypeAlias = Literal["nominal", "ordinal", "interval", "ratio"]
LEVELS: tuple[Level, ...] = ("nominal", "ordinal", "interval", "ratio")

BOOTSTRAP_RESAMPLES = 1000
BOOTSTRAP_SEED = 2011  # any fixed seed would do: it makes the interval reproducible, not better


def krippendorff_alpha(ratings: npt.ArrayLike, level: Level = "nominal", categories: Categories | None = None) -> float:
    """Krippendorff's alpha of a units x raters table at the given level of measurement.

    Units with fewer than two ratings are not pairable and do not count. Raises UndefinedCoefficientError
    when no unit is pairable, or when every pairable value is the same: the expected disagreement D_e is
    then 0 and alpha is 0/0. We report no value, not even 1: data without variation cannot show whether
    raters tell units apart (the krippendorff package raises too, or returns NaN when given a wider
    value domain). Interval and ratio levels need numeric categories.
    """
    return alpha_from_counts(tabulate(ratings, categories), level)


def krippendorff_alpha_with_ci(
    ratings: npt.ArrayLike,
    level: Level = "nominal",
    categories: Categories | None = None,
    *,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> Estimate:
    """Alpha with a percentile bootstrap interval over units and the bootstrap standard error."""
    return alpha_from_counts_with_ci(tabulate(ratings, categories), level, resamples=resamples, seed=seed)


def alpha_from_counts(table: CategoryCounts, level: Level) -> float:
    """Alpha of counted ratings."""
    counts = _pairable(table)
    differences = _differences_for(table, level)
    coincidences = _coincidences(counts)
    alphas, defined = _alphas(coincidences[np.newaxis], differences)
    if not defined[0]:
        raise UndefinedCoefficientError("every pairable value is the same: expected disagreement is 0, alpha is 0/0")
    return float(alphas[0])


def alpha_from_counts_with_ci(
    table: CategoryCounts, level: Level, *, resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED
) -> Estimate:
    """Alpha of counted ratings with its bootstrap standard error and percentile interval.

    Resampling units uniformly is the same as drawing how often each distinct pattern of counts occurs
    from a multinomial, so the bootstrap costs resamples x patterns, not resamples x units. Replicates in
    which alpha is undefined are left out; with fewer than two pairable units there is no interval.
    """
    value = alpha_from_counts(table, level)
    counts = _pairable(table)
    method = f"bootstrap over units, {resamples} resamples, seed {seed}, percentile interval"
    if counts.shape[0] < 2:
        return Estimate(value, None, None, None, method, counts.shape[0])
    patterns, frequency = np.unique(counts, axis=0, return_counts=True)
    draws = np.random.default_rng(seed).multinomial(counts.shape[0], frequency / frequency.sum(), size=resamples)
    size = patterns.shape[1]
    per_pattern = _unit_coincidences(patterns).reshape(len(patterns), size * size)
    replicates = (draws @ per_pattern).reshape(resamples, size, size)
    alphas, defined = _alphas(replicates, _differences_for(table, level))
    kept = alphas[defined]
    if kept.size < 2:
        return Estimate(value, None, None, None, method, counts.shape[0])
    tail = (1 - CONFIDENCE) / 2
    low, high = np.quantile(kept, [tail, 1 - tail])
    return Estimate(value, float(kept.std(ddof=1)), float(low), float(high), method, counts.shape[0])


def _pairable(table: CategoryCounts) -> npt.NDArray[np.float64]:
    if table.units == 0:
        raise UndefinedCoefficientError("there are no ratings")
    counts = table.counts[table.counts.sum(axis=1) >= 2]
    if counts.shape[0] == 0:
        raise UndefinedCoefficientError("no unit was rated by two or more raters, so no value is pairable")
    return counts


def _coincidences(counts: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    scaled = counts / (counts.sum(axis=1) - 1)[:, np.newaxis]
    return scaled.T @ counts - np.diag(scaled.sum(axis=0))


def _unit_coincidences(counts: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Each unit's own contribution to the coincidence matrix, (units, q, q)."""
    pairs = counts[:, :, np.newaxis] * counts[:, np.newaxis, :]
    pairs[:, np.arange(counts.shape[1]), np.arange(counts.shape[1])] -= counts
    return pairs / (counts.sum(axis=1) - 1)[:, np.newaxis, np.newaxis]


def _differences_for(table: CategoryCounts, level: Level) -> npt.NDArray[np.float64] | None:
    """The fixed squared differences of a level; None for ordinal, whose differences depend on the margins."""
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    if level == "nominal":
        return 1 - np.eye(len(table.categories))
    if level == "ordinal":
        return None
    if not is_numeric(table.categories):
        raise ValueError(f"{level} alpha needs numeric categories, not {table.categories!r}")
    values = table.scores
    if level == "interval":
        return np.subtract.outer(values, values) ** 2
    if (values < 0).any():
        raise ValueError("ratio alpha needs non-negative values: the ratio metric measures from an absolute zero")
    total = np.add.outer(values, values)
    gap = np.subtract.outer(values, values)
    return np.divide(gap, total, out=np.zeros_like(gap), where=total > 0) ** 2


def _ordinal_differences(margins: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Krippendorff's ordinal metric for each row of margins n_g (shape (replicates, q) → (replicates, q, q))."""
    size = margins.shape[1]
    low = np.minimum.outer(np.arange(size), np.arange(size))
    high = np.maximum.outer(np.arange(size), np.arange(size))
    cumulative = margins.cumsum(axis=1)
    between = cumulative[:, high] - cumulative[:, low] + margins[:, low]
    return (between - (margins[:, low] + margins[:, high]) / 2) ** 2


def _alphas(
    coincidences: npt.NDArray[np.float64], differences: npt.NDArray[np.float64] | None
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    """Alpha of each (q, q) coincidence matrix in a stack, and whether it is defined (D_e > 0).

    ``differences`` None means the ordinal metric, computed from each matrix's own margins.
    """
    margins = coincidences.sum(axis=1)
    metric = _ordinal_differences(margins) if differences is None else np.broadcast_to(differences, coincidences.shape)
    pairable = margins.sum(axis=1)
    expected = np.einsum("ri,rij,rj->r", margins, metric, margins)
    observed = (coincidences * metric).sum(axis=(1, 2))
    defined = expected > 0
    ratio = np.divide(observed, expected, out=np.zeros_like(observed), where=defined)
    return 1 - (pairable - 1) * ratio, defined
