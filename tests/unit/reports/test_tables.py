"""How figures and their intervals read: enough decimals that an interval never looks like a point."""

import pytest

from moderation_hub.reports.tables import Kind, Value, interval, shown


@pytest.mark.parametrize(
    ("value", "kind", "figure", "ci"),
    [
        (Value(0.75, 0.468, 0.911), Kind.PROPORTION, "75.0%", "95% CI 46.8% to 91.1%"),
        (Value(0.9734, 0.9712, 0.9751), Kind.COEFFICIENT, "0.973", "95% CI 0.971 to 0.975"),
        (Value(0.9734, 0.9731, 0.9737), Kind.COEFFICIENT, "0.9734", "95% CI 0.9731 to 0.9737"),
        (Value(0.99812, 0.99791, 0.99833), Kind.PROPORTION, "99.81%", "95% CI 99.79% to 99.83%"),
        (Value(-0.9166, -1.0, -0.8), Kind.STEPS, "-0.92 steps", "95% CI -1.00 to -0.80"),
        (Value(-1.0, -1.0, -1.0), Kind.STEPS, "-1.00 steps", "95% CI -1.00 to -1.00"),
    ],
)
def test_a_narrow_interval_gets_the_decimals_that_tell_its_ends_apart(
    value: Value, kind: Kind, figure: str, ci: str
) -> None:
    assert (shown(value, kind), interval(value, kind)) == (figure, ci)


def test_figures_without_intervals_read_as_usual() -> None:
    assert shown(Value(-0.0001), Kind.COEFFICIENT) == "0.00"
    assert shown(Value(None, reason="no data"), Kind.PROPORTION) == "Not available"
    assert (shown(Value(3), Kind.COUNT), shown(Value("Severe"), Kind.TEXT)) == ("3", "Severe")
    assert interval(Value(0.5), Kind.COEFFICIENT) == ""
