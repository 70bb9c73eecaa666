"""Agreement weights: how much credit two different ratings of one unit earn.

Definitions follow Gwet (2014), Handbook of Inter-Rater Reliability, 4th ed., ch. 3, as implemented in his
irrCAC package: w_kl = 1 for identical ratings, and for x_k the score of category k (its value when the
categories are numbers, its rank otherwise):

- linear (Cicchetti & Allison 1971): 1 - |x_k - x_l| / (x_max - x_min);
- quadratic (Fleiss & Cohen 1973): 1 - (x_k - x_l)^2 / (x_max - x_min)^2;
- ordinal: with d = |rank_k - rank_l| and M_kl = d(d + 1)/2, 1 - M_kl / max M.
"""

from typing import Literal, TypeAlias

import numpy as np
import numpy.typing as npt

WeightName: TypeAlias = Literal["linear", "quadratic", "ordinal"]


def weight_matrix(name: WeightName | None, scores: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """The q x q weights for categories at ``scores``; None gives identity weights (no partial credit)."""
    if name not in {None, "linear", "quadratic", "ordinal"}:
        raise ValueError(f"weights must be None, 'linear', 'quadratic' or 'ordinal', not {name!r}")
    size = len(scores)
    if name is None or size < 2:
        return np.eye(size)
    if name == "ordinal":
        steps = np.abs(np.subtract.outer(np.arange(size), np.arange(size)))
        pairs = steps * (steps + 1) / 2
        return 1 - pairs / pairs.max()
    distance = np.abs(np.subtract.outer(scores, scores)) / (scores.max() - scores.min())
    return 1 - (distance if name == "linear" else distance**2)


def adjacency_weights(size: int) -> npt.NDArray[np.float64]:
    """Full credit for ratings at most one step apart on the ordered scale, none beyond."""
    steps = np.abs(np.subtract.outer(np.arange(size), np.arange(size)))
    return (steps <= 1).astype(np.float64)
