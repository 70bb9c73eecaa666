"""A report's figures as tables: what the page, its charts, the spreadsheets and the PDF all draw from.

One table per figure: rows are its subjects (a school, a round, a criterion, a moderator), columns its
measures. Each value keeps its 95% interval and, when the data cannot give it, the reason in words, so
nothing downstream ever shows NaN or an empty cell without saying why.
"""

import enum
from dataclasses import dataclass

from moderation_hub.statistics import Estimate


class Kind(enum.StrEnum):
    PROPORTION = "proportion"  # 0 to 1, shown as a percentage
    COEFFICIENT = "coefficient"  # kappa, AC1, alpha and their like: at most 1, may be negative
    STEPS = "steps"  # a difference in steps of the scale
    COUNT = "count"
    TEXT = "text"


class ChartStyle(enum.StrEnum):
    INTERVALS = "intervals"  # one dot and its 95% interval per row
    TREND = "trend"  # rows in time order along the x axis
    MATRIX = "matrix"  # counts in a grid (a confusion matrix)


@dataclass(frozen=True)
class Measure:
    key: str  # the machine name: the CSV's ``measure`` column
    label: str
    kind: Kind


@dataclass(frozen=True)
class Value:
    value: float | int | str | None
    ci_low: float | None = None
    ci_high: float | None = None
    standard_error: float | None = None
    reason: str = ""  # why there is no value

    @classmethod
    def of(cls, estimate: Estimate | None, reason: str = "") -> "Value":
        if estimate is None:
            return cls(None, reason=reason or "the data do not give this figure")
        return cls(estimate.value, estimate.ci_low, estimate.ci_high, estimate.standard_error)


@dataclass(frozen=True)
class Row:
    subject: str
    n: int
    values: tuple[Value, ...]  # one per measure of the table
    notes: tuple[str, ...] = ()  # reliability notes, in words
    flagged: bool = False


@dataclass(frozen=True)
class Chart:
    style: ChartStyle
    measure: str  # the key of the measure drawn (ignored by MATRIX, which draws every count)
    x_title: str = ""  # MATRIX: the columns' title


@dataclass(frozen=True)
class Table:
    key: str  # stable: the chart's URL, the CSV's ``section``, the XLSX sheet
    title: str
    subject_label: str
    measures: tuple[Measure, ...]
    rows: tuple[Row, ...]
    chart: Chart | None = None
    n_label: str = "Samples (n)"
    about_data: str = ""  # what this table's own data show, read after its explanation: counted, never assumed

    def measure(self, key: str) -> Measure:
        return next(measure for measure in self.measures if measure.key == key)

    def column(self, key: str) -> list[Value]:
        index = [measure.key for measure in self.measures].index(key)
        return [row.values[index] for row in self.rows]

    @property
    def sheet_name(self) -> str:
        return self.key.replace("_", " ").capitalize()

    @property
    def charted(self) -> bool:
        """Whether the table's chart would draw anything: some value to plot."""
        if self.chart is None:
            return False
        if self.chart.style is ChartStyle.MATRIX:
            return any(row.n for row in self.rows)
        return any(value.value is not None for value in self.column(self.chart.measure))


def display(value: float | int | str | None, kind: Kind | str) -> float | int | str | None:
    """A number in the units and precision people read: percentages to 0.1, coefficients and steps to 0.01.

    Charts plot these, so a chart's labels and its data table show the same numbers.
    """
    kind = Kind(kind)
    if value is None or isinstance(value, str):
        return value
    if kind is Kind.PROPORTION:
        return round(100 * value, 1)
    if kind is Kind.COUNT:
        return int(value)
    return round(value, 2) + 0.0  # + 0.0 turns -0.0 into 0.0


def shown(value: Value, kind: Kind | str) -> str:
    """The value as text: '75.0%', '0.61', '-0.92 steps', a count, or 'Not available'; with the decimals of
    its interval (see ``interval``)."""
    kind = Kind(kind)
    if value.value is None:
        return "Not available"
    if isinstance(value.value, str) or kind not in _DECIMALS:
        return str(display(value.value, kind))
    text = _number(value.value, kind, _decimals(value, kind))
    return f"{text} steps" if kind is Kind.STEPS else text


def interval(value: Value, kind: Kind | str) -> str:
    """'95% CI 46.8% to 91.1%', or empty when the figure has no interval.

    Narrow intervals get more decimals, so that '0.97 to 0.97' reads '0.968 to 0.974': enough that the ends
    are at least two units of the last digit apart, up to three more than usual.
    """
    kind = Kind(kind)
    if value.ci_low is None or value.ci_high is None:
        return ""
    decimals = _decimals(value, kind)
    return f"95% CI {_number(value.ci_low, kind, decimals)} to {_number(value.ci_high, kind, decimals)}"


_DECIMALS = {Kind.PROPORTION: 1, Kind.COEFFICIENT: 2, Kind.STEPS: 2}  # the usual precision of each kind
_EXTRA_DECIMALS = 3


def _decimals(value: Value, kind: Kind) -> int:
    usual = _DECIMALS[kind]
    if value.ci_low is None or value.ci_high is None or value.ci_high <= value.ci_low:
        return usual
    width = (value.ci_high - value.ci_low) * (100 if kind is Kind.PROPORTION else 1)
    return next(
        (decimals for decimals in range(usual, usual + _EXTRA_DECIMALS) if width * 10**decimals >= 2),
        usual + _EXTRA_DECIMALS,
    )


def _number(number: float, kind: Kind, decimals: int) -> str:
    scaled = 100 * number if kind is Kind.PROPORTION else number
    text = f"{round(scaled, decimals) + 0.0:.{decimals}f}"  # + 0.0 turns -0.0 into 0.0
    return f"{text}%" if kind is Kind.PROPORTION else text
