"""Raw ratings in, per-unit category counts out: the common input of every coefficient.

Ratings arrive as a *units x raters* table (rows are samples of work, columns are raters), as lists of lists
or a NumPy array, with ``None`` or NaN where a rater gave no rating. Every multi-rater coefficient here
depends on the table only through the *distribution of raters by unit and category* (Gwet 2014, ch. 2;
Krippendorff 2011 calls the same thing the values-by-units matrix), so the table is reduced to that once.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Real
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt

Category: TypeAlias = int | float | str
Categories: TypeAlias = Sequence[Category] | npt.NDArray[Any]

MISSING = -1  # code of an absent rating in an encoded table


class UndefinedCoefficientError(ValueError):
    """The data are well formed but do not define the coefficient.

    Raised, for example, when chance agreement is 1 (every rating in one category) or when no unit was rated
    by two raters, so that agreement was never observed. Callers that must not fail (the moderation
    measures) catch this and report the reason instead of a number.
    """


@dataclass(frozen=True, eq=False)
class CategoryCounts:
    """How many raters put each unit in each category.

    ``counts[i, k]`` is r_ik in Gwet's notation. Units nobody rated are not kept: they carry no information
    and Gwet's formulas assume every unit has at least one rating.
    """

    counts: npt.NDArray[np.float64]
    categories: tuple[Category, ...]

    @property
    def scores(self) -> npt.NDArray[np.float64]:
        return category_scores(self.categories)

    @property
    def units(self) -> int:
        return self.counts.shape[0]


def category_scores(categories: tuple[Category, ...]) -> npt.NDArray[np.float64]:
    """Numeric position of each category: its value when every category is a number, else its rank.

    Gwet (2014, ch. 3) and Krippendorff (2011) both measure distances between numeric categories by their
    values; text categories only have an order.
    """
    if is_numeric(categories):
        return np.asarray(categories, dtype=np.float64)
    return np.arange(len(categories), dtype=np.float64)


def is_numeric(categories: tuple[Category, ...]) -> bool:
    """Whether every category is a number (so that differences between them have a size)."""
    return all(_is_number(category) for category in categories)


def tabulate(ratings: npt.ArrayLike, categories: Categories | None = None) -> CategoryCounts:
    """Count the ratings of a units x raters table by unit and category (see :func:`encode`)."""
    codes, labels = encode(ratings, categories)
    return counts_from_codes(codes, len(labels), labels)


def counts_from_codes(codes: npt.NDArray[np.int64], size: int, categories: tuple[Category, ...]) -> CategoryCounts:
    """Counts from a table of category codes (``MISSING`` for no rating), dropping units nobody rated."""
    units = codes.shape[0]
    rated = codes != MISSING
    rows = np.broadcast_to(np.arange(units)[:, np.newaxis], codes.shape)[rated]
    counts = np.bincount(rows * size + codes[rated], minlength=units * size).reshape(units, size)
    return CategoryCounts(counts[counts.sum(axis=1) > 0].astype(np.float64), categories)


def encode(
    ratings: npt.ArrayLike, categories: Categories | None = None
) -> tuple[npt.NDArray[np.int64], tuple[Category, ...]]:
    """Replace each rating by the position of its category; ``MISSING`` where there is none.

    When ``categories`` is given it fixes both the order and the set: a rating outside it is an error that
    names the value. Otherwise the categories are the distinct values seen, sorted.
    """
    table = _as_table(ratings)
    if table.dtype.kind in "biuf":
        return _encode_numbers(table, categories)
    return _encode_objects(table, categories)


def _as_table(ratings: npt.ArrayLike) -> npt.NDArray[Any]:
    try:
        table = np.asarray(ratings)
        if table.dtype.kind in "US" and not isinstance(ratings, np.ndarray):
            table = np.asarray(ratings, dtype=object)  # NumPy would turn 1 into "1" beside text
    except ValueError as error:
        raise ValueError("ratings must be a rectangular units x raters table") from error
    if table.ndim != 2:
        raise ValueError(f"ratings must be a units x raters table (2 dimensions), not {table.ndim}")
    return table.astype(object) if table.dtype.kind in "US" else table


def _encode_numbers(
    table: npt.NDArray[Any], categories: Categories | None
) -> tuple[npt.NDArray[np.int64], tuple[Category, ...]]:
    present = ~np.isnan(table) if table.dtype.kind == "f" else np.ones(table.shape, dtype=bool)
    values = table[present]
    if categories is None:
        scale = np.unique(values)
        labels = tuple(_plain(label) for label in scale)
        positions = np.searchsorted(scale, values)
    else:
        labels = _numeric_categories(categories)
        scale = np.asarray(labels, dtype=np.float64)
        order = np.argsort(scale, kind="stable")
        found = np.minimum(np.searchsorted(scale[order], values), len(scale) - 1)
        unknown = scale[order][found] != values
        if unknown.any():
            raise ValueError(f"rating {_plain(values[unknown][0])!r} is not one of the categories")
        positions = order[found]
    codes = np.full(table.shape, MISSING, dtype=np.int64)
    codes[present] = positions
    return codes, labels


def _numeric_categories(categories: Categories) -> tuple[Category, ...]:
    labels = _checked_categories(categories)
    text = next((label for label in labels if not _is_number(label)), None)
    if text is not None:
        raise ValueError(f"the ratings are numbers but category {text!r} is not")
    return labels


def _encode_objects(
    table: npt.NDArray[Any], categories: Categories | None
) -> tuple[npt.NDArray[np.int64], tuple[Category, ...]]:
    cells = table.ravel()
    present = np.fromiter((not _is_missing(cell) for cell in cells), dtype=bool, count=cells.size)
    values = [_plain(cell) for cell in cells[present]]
    labels = _checked_categories(categories) if categories is not None else _sorted_distinct(values)
    position = {label: index for index, label in enumerate(labels)}
    unknown = next((value for value in values if value not in position), None)
    if unknown is not None:
        raise ValueError(f"rating {unknown!r} is not one of the categories")
    codes = np.full(cells.size, MISSING, dtype=np.int64)
    codes[present] = [position[value] for value in values]
    return codes.reshape(table.shape), labels


def _checked_categories(categories: Categories) -> tuple[Category, ...]:
    labels = tuple(_plain(label) for label in categories)
    if not labels:
        raise ValueError("categories must not be empty")
    if any(_is_missing(label) for label in labels):
        raise ValueError("categories must not contain None or NaN")
    if len(set(labels)) != len(labels):
        raise ValueError("categories must be distinct")
    return labels


def _sorted_distinct(values: list[Category]) -> tuple[Category, ...]:
    try:
        return tuple(sorted(set(values)))
    except TypeError as error:
        raise ValueError("ratings mix numbers and text: pass categories to fix their order") from error


def _plain(value: Any) -> Category:
    """A Python scalar for a NumPy one, so categories print and compare as the caller wrote them."""
    value = value.item() if isinstance(value, np.generic) else value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, Real) and math.isnan(value))


def _is_number(value: Any) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)
