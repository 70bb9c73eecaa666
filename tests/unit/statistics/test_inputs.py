"""What the engine accepts, what it refuses, and what it says about data that define no coefficient."""

import math

import numpy as np
import pytest

from moderation_hub.statistics import (
    UndefinedCoefficientError,
    adjacent_agreement,
    brennan_prediger,
    cohen_kappa,
    cohen_kappa_with_ci,
    fleiss_kappa,
    gwet_ac,
    gwet_ac_with_ci,
    krippendorff_alpha,
    krippendorff_alpha_with_ci,
    percent_agreement,
    percent_agreement_with_ci,
)
from moderation_hub.statistics.estimate import wilson_estimate
from tests.unit.statistics.published import KRIPPENDORFF_2011

SCALE = ["WTS", "EXS", "GDS"]


def test_lists_with_none_and_arrays_with_nan_give_the_same_values() -> None:
    as_array = np.array([[np.nan if value is None else value for value in row] for row in KRIPPENDORFF_2011])
    assert fleiss_kappa(as_array) == fleiss_kappa(KRIPPENDORFF_2011)
    assert krippendorff_alpha(as_array, "ordinal") == krippendorff_alpha(KRIPPENDORFF_2011, "ordinal")


def test_text_categories_follow_the_given_order() -> None:
    ratings = [["WTS", "WTS"], ["EXS", "GDS"], ["GDS", "GDS"], ["EXS", None]]
    numbers = [[0, 0], [1, 2], [2, 2], [1, None]]
    assert krippendorff_alpha(ratings, "ordinal", SCALE) == krippendorff_alpha(numbers, "ordinal", [0, 1, 2])
    assert gwet_ac(ratings, "quadratic", SCALE) == gwet_ac(numbers, "quadratic", [0, 1, 2])


def test_a_rating_outside_the_categories_is_named() -> None:
    with pytest.raises(ValueError, match="'EXS\\+' is not one of the categories"):
        percent_agreement([["WTS", "EXS+"]], SCALE)
    with pytest.raises(ValueError, match="rating 7 is not one of the categories"):
        fleiss_kappa([[1, 7], [2, 2]], [1, 2, 3])


def test_without_categories_the_scale_is_the_values_seen() -> None:
    """Brennan-Prediger's chance agreement is 1/q, so an unused grade matters when the scale is given."""
    assert brennan_prediger([[1, 3], [3, 3]]) == 0.0
    assert math.isclose(brennan_prediger([[1, 3], [3, 3]], categories=[1, 2, 3]), 0.25)


def test_adjacent_agreement_counts_steps_on_the_given_scale() -> None:
    assert adjacent_agreement([[1, 3], [3, 3]], [1, 2, 3]) == 0.5
    assert adjacent_agreement([[1, 3], [3, 3]], [1, 3, 5]) == 1.0


def test_malformed_input_is_refused_clearly() -> None:
    with pytest.raises(ValueError, match="units x raters table"):
        percent_agreement([1, 2, 3])
    with pytest.raises(ValueError, match="rectangular"):
        percent_agreement([[1, 2], [1]])
    with pytest.raises(ValueError, match="mix numbers and text"):
        percent_agreement([[1, "a"], [2, 2]])
    with pytest.raises(ValueError, match="distinct"):
        percent_agreement([[1, 1]], [1, 1])
    with pytest.raises(ValueError, match="weights must be"):
        gwet_ac([[1, 2]], "cubic")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="level must be"):
        krippendorff_alpha([[1, 2], [2, 2]], "circular")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="interval alpha needs numeric categories"):
        krippendorff_alpha([["WTS", "EXS"]], "interval", SCALE)
    with pytest.raises(ValueError, match="same length"):
        cohen_kappa([1, 2], [1])


def test_one_rater_observes_no_agreement() -> None:
    for compute in (percent_agreement, fleiss_kappa, gwet_ac, brennan_prediger, krippendorff_alpha):
        with pytest.raises(UndefinedCoefficientError, match="two or more raters"):
            compute([[1], [2], [3]])


def test_all_missing_is_undefined() -> None:
    with pytest.raises(UndefinedCoefficientError, match="no ratings"):
        percent_agreement([[None, None], [None, None]])
    with pytest.raises(UndefinedCoefficientError, match="no ratings"):
        krippendorff_alpha(np.full((3, 2), np.nan))
    with pytest.raises(UndefinedCoefficientError, match="both raters"):
        cohen_kappa([1, None], [None, 2])


def test_identical_ratings_leave_kappa_and_alpha_undefined_but_not_ac1() -> None:
    """Chance agreement is 1 for kappa, and alpha's expected disagreement is 0: both are 0/0. AC1 and
    Brennan-Prediger keep chance agreement below 1 on a scale of two or more, so they give 1."""
    same = [["EXS", "EXS"], ["EXS", "EXS"], ["EXS", "EXS"]]
    with pytest.raises(UndefinedCoefficientError, match="chance agreement is 1"):
        fleiss_kappa(same, SCALE)
    with pytest.raises(UndefinedCoefficientError, match="chance agreement is 1"):
        cohen_kappa(["EXS"] * 3, ["EXS"] * 3, categories=SCALE)
    with pytest.raises(UndefinedCoefficientError, match="expected disagreement is 0"):
        krippendorff_alpha(same, "ordinal", SCALE)
    assert gwet_ac(same, categories=SCALE) == 1.0
    assert brennan_prediger(same, categories=SCALE) == 1.0
    assert percent_agreement(same) == 1.0
    with pytest.raises(UndefinedCoefficientError, match="single category"):
        gwet_ac(same)


def test_one_unit_gives_a_value_without_an_interval() -> None:
    estimate = percent_agreement_with_ci([[1, 1, 2]])
    assert math.isclose(estimate.value, 1 / 3)
    assert (estimate.standard_error, estimate.ci_low, estimate.ci_high, estimate.n) == (None, None, None, 1)
    alpha = krippendorff_alpha_with_ci([[1, 1, 2]], "nominal", [1, 2])
    assert alpha.standard_error is None


def test_perfect_agreement_has_a_zero_width_interval_not_nan() -> None:
    estimate = gwet_ac_with_ci([[1, 1], [2, 2], [3, 3]])
    assert (estimate.value, estimate.standard_error, estimate.ci_low, estimate.ci_high) == (1.0, 0.0, 1.0, 1.0)
    kappa = cohen_kappa_with_ci([1, 2, 3], [1, 2, 3])
    assert (kappa.value, kappa.standard_error) == (1.0, 0.0)


def test_intervals_stay_within_the_coefficients_range() -> None:
    estimate = percent_agreement_with_ci([[1, 1], [1, 2]])
    assert estimate.ci_low == 0.0
    assert estimate.ci_high == 1.0


def test_the_alpha_bootstrap_is_seeded() -> None:
    first = krippendorff_alpha_with_ci(KRIPPENDORFF_2011, "ordinal")
    assert first == krippendorff_alpha_with_ci(KRIPPENDORFF_2011, "ordinal")
    assert first != krippendorff_alpha_with_ci(KRIPPENDORFF_2011, "ordinal", seed=1)
    assert first.ci_low is not None
    assert first.ci_high is not None
    assert first.ci_low < first.value < first.ci_high
    assert "seed 2011" in first.method


@pytest.mark.parametrize(("successes", "n"), [(0, 20), (15, 148), (81, 263), (20, 20)])
def test_wilson_interval_inverts_the_score_test(successes: int, n: int) -> None:
    """Wilson (1927): each limit p0 satisfies |p - p0| = z sqrt(p0 (1 - p0) / n)."""
    estimate = wilson_estimate(successes, n)
    assert estimate is not None
    z = 1.959963984540054
    for limit in (estimate.ci_low, estimate.ci_high):
        assert limit is not None
        assert math.isclose(abs(successes / n - limit), z * math.sqrt(limit * (1 - limit) / n), abs_tol=1e-12)
    assert wilson_estimate(0, 0) is None
