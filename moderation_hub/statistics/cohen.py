"""Cohen's kappa for two raters, unweighted (Cohen 1960) or weighted (Cohen 1968).

kappa_w = (p_o - p_e) / (1 - p_e) with p_o = sum_ij w_ij p_ij and p_e = sum_ij w_ij p_i. p_.j. Its
asymptotic variance is that of Fleiss, Cohen and Everitt (1969), Psychological Bulletin 72(5), the formula
SAS PROC FREQ and R's vcd::Kappa print:

    var = [sum_ij p_ij (w_ij - (w_i. + w_.j)(1 - kappa))^2 - (kappa - p_e (1 - kappa))^2] / (n (1 - p_e)^2)

with w_i. = sum_j p_.j w_ij and w_.j = sum_i p_i. w_ij. Kappa is computed from many contingency tables at
once (one per school, say), so the moderation measures need no Python loop over groups.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from moderation_hub.statistics.estimate import Estimate, normal_estimate
from moderation_hub.statistics.ratings import (
    MISSING,
    Categories,
    UndefinedCoefficientError,
    category_scores,
    encode,
)
from moderation_hub.statistics.weights import WeightName, weight_matrix

_NEARLY_ONE = 1e-12
_FCE_VARIANCE = "Fleiss, Cohen & Everitt (1969) asymptotic variance"


@dataclass(frozen=True, eq=False)
class KappaTables:
    """Kappa and its variance for each of a stack of contingency tables; ``defined`` is False where p_e is 1."""

    values: npt.NDArray[np.float64]
    variances: npt.NDArray[np.float64]
    totals: npt.NDArray[np.float64]
    defined: npt.NDArray[np.bool_]


def cohen_kappa(
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    weights: WeightName | None = None,
    categories: Categories | None = None,
) -> float:
    """Cohen's kappa between rater ``a`` and rater ``b`` (equal-length vectors, None/NaN for no rating).

    Only units both raters rated count. Raises UndefinedCoefficientError when chance agreement is 1 (both
    raters used a single, identical category throughout): kappa is 0/0 there, not 1.
    """
    return cohen_kappa_with_ci(a, b, weights, categories).value


def cohen_kappa_with_ci(
    a: npt.ArrayLike,
    b: npt.ArrayLike,
    weights: WeightName | None = None,
    categories: Categories | None = None,
) -> Estimate:
    """Cohen's kappa with the Fleiss-Cohen-Everitt standard error and a normal 95% interval."""
    codes, labels = encode(_pair(a, b), categories)
    both = (codes != MISSING).all(axis=1)
    if not both.any():
        raise UndefinedCoefficientError("no unit was rated by both raters")
    size = len(labels)
    table = np.bincount(codes[both, 0] * size + codes[both, 1], minlength=size * size).reshape(1, size, size)
    result = kappa_from_tables(table, weight_matrix(weights, category_scores(labels)))
    if not result.defined[0]:
        raise UndefinedCoefficientError("chance agreement is 1 (both raters used one category), so kappa is 0/0")
    units = int(result.totals[0])
    return normal_estimate(float(result.values[0]), float(result.variances[0]), units, _FCE_VARIANCE)


def _pair(a: npt.ArrayLike, b: npt.ArrayLike) -> npt.NDArray[np.generic]:
    """The two raters side by side as a units x 2 table, keeping a numeric type when both are numeric."""
    first, second = np.asarray(a), np.asarray(b)
    if first.ndim != 1 or first.shape != second.shape:
        raise ValueError("a and b must be vectors of the same length, one rating per unit")
    if first.dtype.kind in "biuf" and second.dtype.kind in "biuf":
        return np.column_stack([first, second])
    return np.column_stack([first.astype(object), second.astype(object)])


def kappa_from_tables(tables: npt.NDArray[np.int64], weights: npt.NDArray[np.float64]) -> KappaTables:
    """Weighted kappa and its asymptotic variance for a (groups, q, q) stack of contingency tables.

    Rows are the first rater's categories, columns the second's. Where a table is empty or its chance
    agreement is 1, ``defined`` is False and the value and variance are 0, never NaN.
    """
    totals = tables.sum(axis=(1, 2)).astype(np.float64)
    shares = np.divide(tables, totals[:, None, None], out=np.zeros(tables.shape), where=totals[:, None, None] > 0)
    rows, columns = shares.sum(axis=2), shares.sum(axis=1)
    observed = (shares * weights).sum(axis=(1, 2))
    chance = np.einsum("gi,ij,gj->g", rows, weights, columns)
    defined = (totals > 0) & (1 - chance >= _NEARLY_ONE)
    room = np.where(defined, 1 - chance, 1.0)
    values = np.where(defined, (observed - chance) / room, 0.0)
    row_weights, column_weights = columns @ weights.T, rows @ weights
    spread = weights - (row_weights[:, :, None] + column_weights[:, None, :]) * (1 - values)[:, None, None]
    numerator = (shares * spread**2).sum(axis=(1, 2)) - (values - chance * (1 - values)) ** 2
    size = np.where(defined, totals, 1.0)
    variances = np.where(defined, np.maximum(numerator, 0.0) / (size * room**2), 0.0)
    return KappaTables(values, variances, totals, defined)
