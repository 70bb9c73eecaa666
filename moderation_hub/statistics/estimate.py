"""An agreement figure with its standard error and 95% confidence interval, and the intervals themselves."""

import math
from dataclasses import dataclass

from scipy.special import ndtri, stdtrit

CONFIDENCE = 0.95
_UPPER_TAIL = 1 - (1 - CONFIDENCE) / 2


@dataclass(frozen=True, slots=True)
class Estimate:
    """A coefficient, its standard error and a 95% confidence interval.

    ``standard_error``, ``ci_low`` and ``ci_high`` are None when the data cannot support them (fewer than two
    units); they are never NaN. ``method`` says how the interval was made, for a footnote. ``n`` is the
    number of units (samples) that entered the estimate.
    """

    value: float
    standard_error: float | None
    ci_low: float | None
    ci_high: float | None
    method: str
    n: int


def t_estimate(
    value: float, variance: float | None, n: int, method: str, bounds: tuple[float, float] = (-1.0, 1.0)
) -> Estimate:
    """Estimate with a t interval on n - 1 degrees of freedom, clipped to the coefficient's range.

    Gwet (2014, ch. 5) and his irrCAC package build intervals for AC1, Fleiss' kappa, Brennan-Prediger and
    percent agreement this way; clipping keeps "(0.461, 1)" from reading "(0.461, 1.09)".
    """
    if variance is None or n < 2:
        return Estimate(value, None, None, None, method, n)
    error = math.sqrt(max(variance, 0.0))
    margin = float(stdtrit(n - 1, _UPPER_TAIL)) * error
    return Estimate(value, error, *_clip(value - margin, value + margin, bounds), f"{method}, t interval", n)


def normal_estimate(
    value: float, variance: float | None, n: int, method: str, bounds: tuple[float, float] = (-1.0, 1.0)
) -> Estimate:
    """Estimate with a normal (Wald) interval, as SAS PROC FREQ and R's vcd give for Cohen's kappa."""
    if variance is None or n < 2:
        return Estimate(value, None, None, None, method, n)
    error = math.sqrt(max(variance, 0.0))
    margin = float(ndtri(_UPPER_TAIL)) * error
    return Estimate(value, error, *_clip(value - margin, value + margin, bounds), f"{method}, normal interval", n)


def wilson_estimate(successes: int, n: int) -> Estimate | None:
    """A proportion with Wilson's score interval (Wilson 1927); None when there is nothing to count.

    For the small groups moderation produces (a school's dozen samples, often all agreeing) the Wald
    interval collapses to a point at 0% or 100%; Wilson's does not, and Brown, Cai and DasGupta (2001,
    Statistical Science 16(2)) recommend it for small n. The standard error reported is the usual
    sqrt(p(1 - p) / n).
    """
    if n == 0:
        return None
    proportion = successes / n
    z = float(ndtri(_UPPER_TAIL))
    shrink = 1 + z * z / n
    centre = (proportion + z * z / (2 * n)) / shrink
    margin = z * math.sqrt(proportion * (1 - proportion) / n + z * z / (4 * n * n)) / shrink
    error = math.sqrt(proportion * (1 - proportion) / n)
    low, high = _clip(centre - margin, centre + margin, (0.0, 1.0))
    return Estimate(proportion, error, low, high, "Wilson score interval", n)


def _clip(low: float, high: float, bounds: tuple[float, float]) -> tuple[float, float]:
    return max(low, bounds[0]), min(high, bounds[1])
