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
    """The value as text: '75.0%', '0.61', '-0.92 steps', a count, or 'Not available'."""
    kind = Kind(kind)
    number = display(value.value, kind)
    if number is None:
        return "Not available"
    if kind is Kind.PROPORTION:
        return f"{number:.1f}%"
    if kind in (Kind.COEFFICIENT, Kind.STEPS):
        text = f"{number:.2f}"
        return f"{text} steps" if kind is Kind.STEPS else text
    return str(number)


def interval(value: Value, kind: Kind | str) -> str:
    """'95% CI 46.8% to 91.1%', or empty when the figure has no interval."""
    if value.ci_low is None or value.ci_high is None:
        return ""
    low, high = (shown(Value(bound), kind).removesuffix(" steps") for bound in (value.ci_low, value.ci_high))
    return f"95% CI {low} to {high}"
