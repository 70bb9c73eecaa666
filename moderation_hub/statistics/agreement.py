"""Multi-rater agreement in Gwet's framework: percent agreement, Fleiss' kappa, AC1/AC2, Brennan-Prediger.

All four share one observed agreement and differ only in the chance agreement they subtract. With missing
ratings they follow Gwet (2014), Handbook of Inter-Rater Reliability, 4th ed., ch. 2 and 5 (and his
irrCAC package, which prints the values our tests reproduce):

- r_ik raters put unit i in category k, r_i = sum_k r_ik; units nobody rated are left out;
- observed agreement p_a is the mean, over the n' units rated by two or more raters, of
  sum_k r_ik (r*_ik - 1) / (r_i (r_i - 1)) with r*_ik = sum_l w_kl r_il;
- pi_k = mean over all n units of r_ik / r_i;
- the coefficient is (p_a - p_e) / (1 - p_e), and its variance is Gwet's linearisation:
  v = sum_i (k*_i - k)^2 / (n (n - 1)), with k_i = (n / n') (p_a|i - p_e [r_i >= 2]) / (1 - p_e) and
  k*_i = k_i - 2 (1 - k) (p_e|i - p_e) / (1 - p_e). The interval is t on n - 1 degrees of freedom.

For complete data and identity weights Fleiss' kappa reduces to Fleiss (1971) exactly.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from moderation_hub.statistics.estimate import Estimate, t_estimate
from moderation_hub.statistics.ratings import Categories, CategoryCounts, UndefinedCoefficientError, tabulate
from moderation_hub.statistics.weights import WeightName, adjacency_weights, weight_matrix

_GWET_VARIANCE = "Gwet (2014) variance"
_NEARLY_ONE = 1e-12  # chance agreement this close to 1 leaves nothing to correct for


@dataclass(frozen=True, eq=False)
class _ObservedAgreement:
    """Per-unit observed agreement and the category prevalences chance agreement is built from."""

    counts: npt.NDArray[np.float64]
    raters: npt.NDArray[np.float64]  # r_i
    paired: npt.NDArray[np.bool_]  # units rated by two or more raters
    unit_agreement: npt.NDArray[np.float64]  # p_a|i, 0 for units with a single rating
    agreement: float  # p_a
    prevalence: npt.NDArray[np.float64]  # pi_k

    @property
    def units(self) -> int:
        return self.counts.shape[0]


def percent_agreement(ratings: npt.ArrayLike, categories: Categories | None = None) -> float:
    """Share of agreeing pairs of ratings within a unit, averaged over units rated at least twice."""
    return percent_agreement_with_ci(ratings, categories).value


def percent_agreement_with_ci(ratings: npt.ArrayLike, categories: Categories | None = None) -> Estimate:
    """Percent agreement with Gwet's standard error and t interval (irrCAC ``pa.coeff.raw``)."""
    return percent_agreement_from_counts(tabulate(ratings, categories))


def adjacent_agreement(ratings: npt.ArrayLike, categories: Categories) -> float:
    """Share of pairs of ratings at most one step apart on the scale ``categories`` (lowest first).

    The scale is required: without it, a grade nobody used would vanish and two grades either side of it
    would look adjacent.
    """
    return adjacent_agreement_with_ci(ratings, categories).value


def adjacent_agreement_with_ci(ratings: npt.ArrayLike, categories: Categories) -> Estimate:
    """Adjacent agreement: percent agreement with credit for one-step disagreements, Gwet's interval."""
    table = tabulate(ratings, categories)
    return percent_agreement_from_counts(table, adjacency_weights(len(table.categories)))


def fleiss_kappa(ratings: npt.ArrayLike, categories: Categories | None = None) -> float:
    """Fleiss' (1971) kappa, generalised to missing ratings by Gwet (2014).

    Raises UndefinedCoefficientError when chance agreement is 1 (every rating in one category): kappa is
    then 0/0, and no convention makes it meaningful.
    """
    return fleiss_kappa_with_ci(ratings, categories).value


def fleiss_kappa_with_ci(ratings: npt.ArrayLike, categories: Categories | None = None) -> Estimate:
    """Fleiss' kappa with Gwet's standard error and t interval (irrCAC ``fleiss.kappa.raw``)."""
    return fleiss_kappa_from_counts(tabulate(ratings, categories))


def gwet_ac(ratings: npt.ArrayLike, weights: WeightName | None = None, categories: Categories | None = None) -> float:
    """Gwet's AC1 (no weights; Gwet 2008) or AC2 (weighted; Gwet 2014, ch. 3).

    Chance agreement is T_w sum_k pi_k (1 - pi_k) / (q (q - 1)) with T_w the sum of the weights, so it stays
    below 1 whenever the scale has two or more categories: AC1 of unanimous ratings is 1. A one-category
    scale raises UndefinedCoefficientError.
    """
    return gwet_ac_with_ci(ratings, weights, categories).value


def gwet_ac_with_ci(
    ratings: npt.ArrayLike, weights: WeightName | None = None, categories: Categories | None = None
) -> Estimate:
    """AC1/AC2 with Gwet's standard error and t interval (irrCAC ``gwet.ac1.raw``)."""
    return gwet_ac_from_counts(tabulate(ratings, categories), weights)


def brennan_prediger(
    ratings: npt.ArrayLike, weights: WeightName | None = None, categories: Categories | None = None
) -> float:
    """Brennan and Prediger's (1981) coefficient: chance agreement T_w / q^2, as if categories were equally likely.

    Give ``categories`` when some grades went unused: q is the size of the scale, not of what was seen.
    """
    return brennan_prediger_with_ci(ratings, weights, categories).value


def brennan_prediger_with_ci(
    ratings: npt.ArrayLike, weights: WeightName | None = None, categories: Categories | None = None
) -> Estimate:
    """Brennan-Prediger with Gwet's standard error and t interval (irrCAC ``bp.coeff.raw``)."""
    return brennan_prediger_from_counts(tabulate(ratings, categories), weights)


def percent_agreement_from_counts(table: CategoryCounts, weights: npt.NDArray[np.float64] | None = None) -> Estimate:
    """Percent agreement (weighted by ``weights`` when given) of counted ratings."""
    size = len(table.categories)
    observed = _observe(table, np.eye(size) if weights is None else weights)
    return _corrected(observed, 0.0, np.zeros(observed.units), bounds=(0.0, 1.0))


def fleiss_kappa_from_counts(table: CategoryCounts) -> Estimate:
    """Fleiss' kappa of counted ratings: chance agreement sum_k pi_k^2, and p_e|i = sum_k r_ik pi_k / r_i."""
    observed = _observe(table, np.eye(len(table.categories)))
    prevalence = observed.prevalence
    return _corrected(observed, float(prevalence @ prevalence), observed.counts @ prevalence / observed.raters)


def gwet_ac_from_counts(table: CategoryCounts, weights: WeightName | None = None) -> Estimate:
    """AC1/AC2 of counted ratings."""
    size = _scale_size(table)
    matrix = weight_matrix(weights, table.scores)
    observed = _observe(table, matrix)
    scale = matrix.sum() / (size * (size - 1))
    chance = float(scale * (observed.prevalence * (1 - observed.prevalence)).sum())
    unit_chance = scale * (observed.counts @ (1 - observed.prevalence)) / observed.raters
    return _corrected(observed, chance, unit_chance)


def brennan_prediger_from_counts(table: CategoryCounts, weights: WeightName | None = None) -> Estimate:
    """Brennan-Prediger of counted ratings."""
    size = _scale_size(table)
    matrix = weight_matrix(weights, table.scores)
    observed = _observe(table, matrix)
    chance = float(matrix.sum() / size**2)
    return _corrected(observed, chance, np.full(observed.units, chance))


def _scale_size(table: CategoryCounts) -> int:
    size = len(table.categories)
    if size < 2:
        raise UndefinedCoefficientError("the scale has a single category: there is no chance agreement to correct")
    return size


def _observe(table: CategoryCounts, weights: npt.NDArray[np.float64]) -> _ObservedAgreement:
    counts = table.counts
    if counts.shape[0] == 0:
        raise UndefinedCoefficientError("there are no ratings")
    raters = counts.sum(axis=1)
    paired = raters >= 2
    if not paired.any():
        raise UndefinedCoefficientError("no unit was rated by two or more raters, so agreement was never observed")
    agreeing = (counts * (counts @ weights.T - 1)).sum(axis=1)
    pairs = raters * (raters - 1)
    unit_agreement = np.divide(agreeing, pairs, out=np.zeros_like(agreeing), where=paired)
    return _ObservedAgreement(
        counts=counts,
        raters=raters,
        paired=paired,
        unit_agreement=unit_agreement,
        agreement=float(unit_agreement[paired].mean()),
        prevalence=(counts / raters[:, np.newaxis]).mean(axis=0),
    )


def _corrected(
    observed: _ObservedAgreement,
    chance: float,
    unit_chance: npt.NDArray[np.float64],
    bounds: tuple[float, float] = (-1.0, 1.0),
) -> Estimate:
    """(p_a - p_e) / (1 - p_e) with Gwet's linearised variance (see the module docstring)."""
    if 1 - chance < _NEARLY_ONE:
        raise UndefinedCoefficientError(
            "chance agreement is 1 (every rating is in one category), so the coefficient is 0/0"
        )
    value = (observed.agreement - chance) / (1 - chance)
    units = observed.units
    paired_units = int(np.count_nonzero(observed.paired))
    per_unit = (units / paired_units) * (observed.unit_agreement - chance * observed.paired) / (1 - chance)
    linearised = per_unit - 2 * (1 - value) * (unit_chance - chance) / (1 - chance)
    variance = float(((linearised - value) ** 2).sum() / (units * (units - 1))) if units >= 2 else None
    return t_estimate(value, variance, units, _GWET_VARIANCE, bounds)
