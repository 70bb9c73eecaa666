"""Moderator severity, estimated jointly: each judgement against the other moderators' judgements of its sample.

Comparing a moderator with the agreed outcome wrongs fair people twice: their own judgement helped make the
outcome, and harsh panel-mates pull it down, so a fair moderator who sat with harsh ones looks lenient. So a
judgement y_r by moderator m is compared with a *leave-one-out reference*: the mean, over the other moderators
k who judged the same sample, of y_k - b_k, their judgement less their own severity. The severities solve

    b_m = mean over m's judgements r of (y_r - ref_r),

a linear system whose matrix is the weighted graph Laplacian of who judged with whom. Equivalently, b is the
least-squares fit of every within-sample difference y_m - y_k by b_m - b_k, each sample's pairs weighted
1 / (r_i - 1) so that each judgement counts once: the additive rater model of many-facet measurement (Linacre
1989), fitted on scale steps. Differences fix b only up to a constant within each group of moderators linked
by shared samples; that constant is set so that the group's judgement-weighted mean severity is its mean
difference from the agreed outcomes. The agreed outcomes therefore still set the standard, but who sat with
whom no longer moves anyone's figure.

A moderator's differences y_r - ref_r average to b_m; their spread gives a t interval and a two-sided p-value.
Testing every moderator of a round flags some fair ones by chance (about 1 in 20 at the 5% level), so the
flags follow Benjamini and Hochberg's (1995) step-up procedure across the moderators assessed, which keeps
the expected share of fair moderators among those flagged at 5% or less.
"""

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components
from scipy.special import stdtr

_NO_DIFFERENCE = 1e-9  # a severity this close to 0 is the solver's rounding, not a difference


@dataclass(frozen=True, eq=False)
class Severities:
    """Per moderator (by code 0 .. count - 1): judgements compared, severity, spread and p-value.

    ``n`` counts judgements of samples with an agreed outcome that another moderator also judged; where it is
    0 the other fields are 0 (severity, variance) or 1 (p-value) and mean nothing.
    """

    n: npt.NDArray[np.int64]
    severity: npt.NDArray[np.float64]  # b_m, in scale steps; below 0 is severe
    variance: npt.NDArray[np.float64]  # sample variance of y_r - ref_r over m's judgements
    p_value: npt.NDArray[np.float64]  # two-sided, t on n - 1 degrees of freedom


def estimate(
    sample: npt.NDArray[np.int64],
    moderator: npt.NDArray[np.int64],
    standard: npt.NDArray[np.int64],
    agreed: npt.NDArray[np.int64],
    count: int,
) -> Severities:
    """Severities of ``count`` moderators from long-form judgements (``agreed`` per sample, negative for none)."""
    pairs = _Pairs.build(sample, moderator, standard, agreed, count)
    severity = pairs.solve()
    difference = pairs.y - pairs.reference(severity)
    n = np.bincount(pairs.moderator, minlength=count)
    squares = np.bincount(pairs.moderator, weights=(difference - severity[pairs.moderator]) ** 2, minlength=count)
    variance = np.divide(squares, n - 1, out=np.zeros(count), where=n > 1)
    return Severities(n, severity, variance, _p_values(severity, variance, n))


def benjamini_hochberg(p_values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Benjamini-Hochberg adjusted p-values: flagging those at or below q keeps the false discovery rate at q.

    The step-up procedure of Benjamini and Hochberg (1995), as R's ``p.adjust(method = "BH")``: the i-th
    smallest of m p-values becomes min over j >= i of p_(j) m / j, capped at 1.
    """
    m = p_values.size
    order = np.argsort(p_values, kind="stable")
    scaled = p_values[order] * m / np.arange(1, m + 1)
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1.0)
    return adjusted


@dataclass(frozen=True, eq=False)
class _Pairs:
    """The judgements that can be compared: of samples with an agreed outcome that two or more moderators judged."""

    sample: npt.NDArray[np.int64]
    moderator: npt.NDArray[np.int64]
    y: npt.NDArray[np.float64]
    gap: npt.NDArray[np.float64]  # y - agreed outcome, which sets each group's level
    raters: npt.NDArray[np.int64]  # judgements of the same sample, per judgement
    samples: int
    count: int

    @classmethod
    def build(
        cls,
        sample: npt.NDArray[np.int64],
        moderator: npt.NDArray[np.int64],
        standard: npt.NDArray[np.int64],
        agreed: npt.NDArray[np.int64],
        count: int,
    ) -> "_Pairs":
        known = agreed[sample] >= 0
        raters = np.bincount(sample[known], minlength=agreed.size)
        kept = known & (raters[sample] >= 2)
        y = standard[kept].astype(np.float64)
        return cls(
            sample=sample[kept],
            moderator=moderator[kept],
            y=y,
            gap=y - agreed[sample[kept]],
            raters=raters[sample[kept]],
            samples=agreed.size,
            count=count,
        )

    def reference(self, severity: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Each judgement's leave-one-out reference: the others' judgements of its sample, less their severity."""
        corrected = self.y - severity[self.moderator]
        totals = np.bincount(self.sample, weights=corrected, minlength=self.samples)
        return (totals[self.sample] - corrected) / (self.raters - 1)

    def solve(self) -> npt.NDArray[np.float64]:
        """The severities: the Laplacian system, with one level-setting row per group of linked moderators."""
        severity = np.zeros(self.count)
        n = np.bincount(self.moderator, minlength=self.count)
        active = np.flatnonzero(n)
        if active.size == 0:
            return severity
        shared = self._shared_weights()[np.ix_(active, active)]
        np.fill_diagonal(shared, 0.0)
        laplacian = np.diag(n[active].astype(np.float64)) - shared
        own = np.bincount(self.moderator, weights=self.y - self.reference(np.zeros(self.count)), minlength=self.count)
        groups, group = connected_components(csr_matrix(shared), directed=False)
        level = np.zeros((active.size, groups))  # each group's judgement shares, so level.T @ b is its mean severity
        level[np.arange(active.size), group] = n[active] / np.bincount(group, weights=n[active])[group]
        gaps = np.bincount(self.moderator, weights=self.gap, minlength=self.count)[active]
        target = np.bincount(group, weights=gaps) / np.bincount(group, weights=n[active])
        # The Laplacian's null space is one constant per group; adding level @ level.T fixes each constant so
        # that the group's mean severity is its mean gap from the agreed outcomes, and leaves the rest exact.
        severity[active] = np.linalg.solve(laplacian + level @ level.T, own[active] + level @ target)
        return severity

    def _shared_weights(self) -> npt.NDArray[np.float64]:
        """G[m, k]: the sum over samples both judged of 1 / (r_i - 1)."""
        incidence = csr_matrix(
            (1 / np.sqrt(self.raters - 1), (self.sample, self.moderator)), shape=(self.samples, self.count)
        )
        return (incidence.T @ incidence).toarray()


def _p_values(
    severity: npt.NDArray[np.float64], variance: npt.NDArray[np.float64], n: npt.NDArray[np.int64]
) -> npt.NDArray[np.float64]:
    """Two-sided t-test p-values of severity 0; 1 where there is no spread and no difference, or too few judgements."""
    error = np.sqrt(np.divide(variance, n, out=np.zeros(n.size), where=n > 0))
    differs = np.abs(severity) > _NO_DIFFERENCE
    statistic = np.divide(np.abs(severity), error, out=np.where(differs, np.inf, 0.0), where=error > 0)
    p_value = 2 * stdtr(np.maximum(n - 1, 1), -statistic)
    return np.where(n > 1, p_value, 1.0)
