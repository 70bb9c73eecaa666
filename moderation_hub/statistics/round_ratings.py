"""The plain data the moderation measures read: one round's (or several rounds') samples and judgements.

Everything is a sequence or NumPy array, indexed by position, so the service that loads the rows from the
database decides what an id is and the statistics never see a model. Standards are positions on the
ordered ``scale`` (lowest first); samples are positions in the per-sample sequences.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

CRITERION_STATUSES = ("met", "not_met", "insufficient")
NONE = -1  # index stored for "no judgement" / "no agreed outcome yet"


@dataclass(frozen=True, eq=False)
class ModeratorJudgements:
    """Moderators' overall judgements in long form: row r says moderator ``moderator_ids[r]`` judged sample
    ``sample_indices[r]`` to be at standard ``standard_indices[r]``. One row per moderator and sample."""

    sample_indices: npt.ArrayLike
    moderator_ids: npt.ArrayLike
    standard_indices: npt.ArrayLike


@dataclass(frozen=True, eq=False)
class CriterionJudgements:
    """Moderators' judgements of single criteria (statements) in long form, one row per moderator, sample and
    criterion. ``statuses`` holds "met", "not_met" or "insufficient", or their positions in
    CRITERION_STATUSES; "insufficient" (not enough evidence) is a judgement like the other two."""

    sample_indices: npt.ArrayLike
    moderator_ids: npt.ArrayLike
    criterion_ids: npt.ArrayLike
    statuses: npt.ArrayLike


@dataclass(frozen=True, eq=False)
class RoundRatings:
    """Samples (one entry per sample in each per-sample sequence) and the judgements made on them.

    ``teacher_judgements`` is the school's own judgement and ``agreed_outcomes`` the moderated outcome, both
    as positions on ``scale``, None (or -1 in an integer array) where there is none. Samples are known by
    position only: the caller keeps their ids. ``round_ids`` and ``academic_years`` are only needed for the
    trends; give every sample one, with round ids that sort in date order.
    """

    scale: Sequence[str]
    school_ids: npt.ArrayLike
    teacher_judgements: Sequence[int | None] | npt.NDArray[np.integer[Any]]
    agreed_outcomes: Sequence[int | None] | npt.NDArray[np.integer[Any]]
    moderator_judgements: ModeratorJudgements
    criterion_judgements: CriterionJudgements | None = None
    round_ids: npt.ArrayLike | None = None
    academic_years: npt.ArrayLike | None = None


@dataclass(frozen=True, eq=False)
class PreparedRound:
    """RoundRatings checked and turned into integer arrays (``NONE`` for a missing judgement)."""

    scale: tuple[str, ...]
    school_ids: npt.NDArray[Any]
    teacher: npt.NDArray[np.int64]
    agreed: npt.NDArray[np.int64]
    round_ids: npt.NDArray[Any] | None
    academic_years: npt.NDArray[Any] | None
    judged_sample: npt.NDArray[np.int64]
    judged_by: npt.NDArray[Any]
    judged_standard: npt.NDArray[np.int64]
    criterion_sample: npt.NDArray[np.int64]
    criterion_by: npt.NDArray[Any]
    criterion_ids: npt.NDArray[Any]
    criterion_status: npt.NDArray[np.int64]

    @property
    def samples(self) -> int:
        return self.teacher.shape[0]


def prepare(data: RoundRatings) -> PreparedRound:
    """Check ``data`` once and convert it; every error names the field at fault."""
    scale = tuple(data.scale)
    if not scale or len(set(scale)) != len(scale):
        raise ValueError("scale must list distinct standards, lowest first")
    teacher = _positions(data.teacher_judgements, len(scale), "teacher_judgements")
    samples = teacher.shape[0]
    judgements = data.moderator_judgements
    criteria = data.criterion_judgements or CriterionJudgements([], [], [], [])
    prepared = PreparedRound(
        scale=scale,
        school_ids=_per_sample(data.school_ids, samples, "school_ids"),
        teacher=teacher,
        agreed=_per_sample(_positions(data.agreed_outcomes, len(scale), "agreed_outcomes"), samples, "agreed_outcomes"),
        round_ids=None if data.round_ids is None else _per_sample(data.round_ids, samples, "round_ids"),
        academic_years=None
        if data.academic_years is None
        else _per_sample(data.academic_years, samples, "academic_years"),
        judged_sample=_indices(judgements.sample_indices, samples, "moderator sample_indices"),
        judged_by=np.asarray(judgements.moderator_ids),
        judged_standard=_indices(judgements.standard_indices, len(scale), "moderator standard_indices"),
        criterion_sample=_indices(criteria.sample_indices, samples, "criterion sample_indices"),
        criterion_by=np.asarray(criteria.moderator_ids),
        criterion_ids=np.asarray(criteria.criterion_ids),
        criterion_status=_statuses(criteria.statuses),
    )
    _check_long_form(prepared)
    return prepared


def _positions(values: Sequence[int | None] | npt.NDArray[Any], size: int, name: str) -> npt.NDArray[np.int64]:
    """Per-sample positions on the scale, ``NONE`` for None."""
    array = np.asarray(values)
    if array.dtype == object:
        array = np.array([NONE if value is None else value for value in array], dtype=np.int64)
    array = array.astype(np.int64, copy=False).reshape(-1)
    if ((array < NONE) | (array >= size)).any():
        raise ValueError(f"{name} must be positions on the scale (0 to {size - 1}) or None")
    return array


def _indices(values: npt.ArrayLike, size: int, name: str) -> npt.NDArray[np.int64]:
    array = np.asarray(values, dtype=np.int64).reshape(-1)
    if ((array < 0) | (array >= size)).any():
        raise ValueError(f"{name} must lie between 0 and {size - 1}")
    return array


def _per_sample(values: npt.ArrayLike, samples: int, name: str) -> npt.NDArray[Any]:
    array = np.asarray(values).reshape(-1)
    if array.shape[0] != samples:
        raise ValueError(f"{name} has {array.shape[0]} entries for {samples} samples")
    return array


def _statuses(values: npt.ArrayLike) -> npt.NDArray[np.int64]:
    array = np.asarray(values).reshape(-1)
    if array.dtype.kind in "iu":
        codes = array.astype(np.int64)
    else:
        codes = np.full(array.shape, NONE, dtype=np.int64)
        for position, status in enumerate(CRITERION_STATUSES):
            codes[array == status] = position
    unknown = (codes < 0) | (codes >= len(CRITERION_STATUSES))
    if unknown.any():
        raise ValueError(f"criterion status {str(array[unknown][0])!r} is not one of {', '.join(CRITERION_STATUSES)}")
    return codes


def _check_long_form(prepared: PreparedRound) -> None:
    """Lengths agree and nobody judged the same thing twice (a second judgement would count as a second rater)."""
    if not prepared.judged_sample.shape == prepared.judged_by.shape == prepared.judged_standard.shape:
        raise ValueError("moderator judgements: sample_indices, moderator_ids and standard_indices differ in length")
    criterion_columns = (prepared.criterion_sample, prepared.criterion_by, prepared.criterion_ids)
    if not all(column.shape == prepared.criterion_status.shape for column in criterion_columns):
        raise ValueError("criterion judgements: the four columns differ in length")
    if _has_repeats(prepared.judged_sample, prepared.judged_by):
        raise ValueError("a moderator judged the same sample twice: pass one judgement per moderator and sample")
    if _has_repeats(prepared.criterion_sample, prepared.criterion_by, prepared.criterion_ids):
        raise ValueError("a moderator judged the same criterion of a sample twice")


def _has_repeats(*columns: npt.NDArray[Any]) -> bool:
    """Whether two rows agree in every column: one sort of a combined integer key."""
    if columns[0].size < 2:
        return False
    dense = [_dense_codes(column) for column in columns]
    if math.prod(size for _, size in dense) >= 2**62:
        return np.unique(np.column_stack([codes for codes, _ in dense]), axis=0).shape[0] != columns[0].size
    key = np.zeros(columns[0].shape, dtype=np.int64)
    for codes, size in dense:
        key = key * size + codes
    key.sort()
    return bool((key[1:] == key[:-1]).any())


def _dense_codes(column: npt.NDArray[Any]) -> tuple[npt.NDArray[np.int64], int]:
    """Codes from 0 for a column, and how many there can be; integer ids in a narrow range are used as they are."""
    if column.dtype.kind in "iu":
        low, high = int(column.min()), int(column.max())
        if high - low < 4 * column.size:
            return column.astype(np.int64) - low, high - low + 1
    codes = np.unique(column, return_inverse=True)[1].reshape(-1)
    return codes, int(codes.max()) + 1
