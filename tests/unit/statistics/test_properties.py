"""Properties every agreement coefficient must have, checked on generated rating tables.

Invariance to the order of raters and of units, 1 for perfect agreement, nominal coefficients unchanged by
renaming the categories; and our alpha equals the krippendorff package's at every level.
"""

import math
from collections.abc import Callable
from random import Random
from typing import TypeAlias

import krippendorff
import numpy as np
import numpy.typing as npt
from hypothesis import given, settings
from hypothesis import strategies as st

from moderation_hub.statistics import (
    UndefinedCoefficientError,
    brennan_prediger,
    cohen_kappa,
    fleiss_kappa,
    gwet_ac,
    krippendorff_alpha,
    percent_agreement,
)

SCALE = [0, 1, 2, 3]
FEW = settings(max_examples=40, deadline=None, database=None)

Table: TypeAlias = list[list[int | None]]

COEFFICIENTS: dict[str, Callable[[Table], float]] = {
    "percent": lambda table: percent_agreement(table, SCALE),
    "fleiss": lambda table: fleiss_kappa(table, SCALE),
    "ac1": lambda table: gwet_ac(table, categories=SCALE),
    "ac2": lambda table: gwet_ac(table, "quadratic", SCALE),
    "bp": lambda table: brennan_prediger(table, "linear", SCALE),
    "alpha nominal": lambda table: krippendorff_alpha(table, "nominal", SCALE),
    "alpha ordinal": lambda table: krippendorff_alpha(table, "ordinal", SCALE),
    "alpha interval": lambda table: krippendorff_alpha(table, "interval", SCALE),
    "alpha ratio": lambda table: krippendorff_alpha(table, "ratio", SCALE),
}
NOMINAL: dict[str, Callable[[Table, list[object]], float]] = {
    "percent": percent_agreement,
    "fleiss": fleiss_kappa,
    "ac1": lambda table, scale: gwet_ac(table, categories=scale),
    "bp": lambda table, scale: brennan_prediger(table, categories=scale),
    "alpha": lambda table, scale: krippendorff_alpha(table, "nominal", scale),
}


@st.composite
def tables(draw: st.DrawFn) -> Table:
    """Up to 12 units x up to 5 raters on a 4-point scale, some ratings missing."""
    raters = draw(st.integers(2, 5))
    rating = st.one_of(st.sampled_from(SCALE), st.none())
    return draw(st.lists(st.lists(rating, min_size=raters, max_size=raters), min_size=1, max_size=12))


def outcome(compute: Callable[[], float]) -> float | str:
    """The value, or "undefined": a permuted table must be undefined exactly when the original is."""
    try:
        value = compute()
    except UndefinedCoefficientError:
        return "undefined"
    assert math.isfinite(value)
    return value


def same(first: float | str, second: float | str) -> bool:
    if isinstance(first, str) or isinstance(second, str):
        return first == second
    return math.isclose(first, second, rel_tol=1e-9, abs_tol=1e-12)


@FEW
@given(tables(), st.randoms(use_true_random=False))
def test_permuting_raters_and_units_changes_nothing(table: Table, rng: Random) -> None:
    order = list(range(len(table[0])))
    rng.shuffle(order)
    shuffled = [[row[rater] for rater in order] for row in table]
    rng.shuffle(shuffled)
    for compute in COEFFICIENTS.values():
        assert same(outcome(lambda: compute(table)), outcome(lambda: compute(shuffled)))  # noqa: B023


@FEW
@given(st.lists(st.sampled_from(SCALE), min_size=2, max_size=12, unique=False), st.integers(2, 5))
def test_perfect_agreement_gives_1(truth: list[int], raters: int) -> None:
    table = [[value] * raters for value in truth]
    varied = len(set(truth)) > 1
    for name, compute in COEFFICIENTS.items():
        expected = "undefined" if name.startswith(("fleiss", "alpha")) and not varied else 1.0
        assert same(outcome(lambda: compute(table)), expected), name  # noqa: B023


@FEW
@given(tables(), st.permutations(["wts", "exs", "gds", "hns"]))
def test_renaming_categories_leaves_nominal_coefficients_unchanged(table: Table, names: list[str]) -> None:
    renamed = [[None if value is None else names[value] for value in row] for row in table]
    for compute in NOMINAL.values():
        assert same(outcome(lambda: compute(table, SCALE)), outcome(lambda: compute(renamed, names)))  # noqa: B023


@FEW
@given(tables())
def test_cohen_kappa_is_symmetric_in_its_raters(table: Table) -> None:
    first, second = [row[0] for row in table], [row[1] for row in table]
    forwards = outcome(lambda: cohen_kappa(first, second, categories=SCALE))
    assert same(forwards, outcome(lambda: cohen_kappa(second, first, categories=SCALE)))


@FEW
@given(tables())
def test_alpha_equals_the_krippendorff_package(table: Table) -> None:
    """krippendorff.alpha takes raters x units with NaN for missing values."""
    as_array: npt.NDArray[np.float64] = np.array(
        [[np.nan if value is None else value for value in row] for row in table], dtype=np.float64
    )
    for level in ("nominal", "ordinal", "interval", "ratio"):
        ours = outcome(lambda: krippendorff_alpha(as_array, level, SCALE))  # noqa: B023
        if isinstance(ours, str):
            continue
        theirs = krippendorff.alpha(reliability_data=as_array.T, value_domain=SCALE, level_of_measurement=level)
        assert math.isclose(ours, float(theirs), abs_tol=1e-9)
