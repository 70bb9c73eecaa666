"""Words that agree with a count, so every page and message says "1 sample" and "3 samples" the same way.

Pure, so the allocation core may use it, and templates have it as the ``plural`` and ``counted``
filters.
"""


def plural(number: int, one: str, many: str | None = None) -> str:
    """``one`` when ``number`` is 1, else ``many`` (by default ``one`` with an "s"): ``plural(2, "criterion",
    "criteria")``. ``one`` may be a phrase whose verb agrees too: ``plural(n, "sample is", "samples are")``."""
    if number == 1:
        return one
    return many if many is not None else f"{one}s"


def counted(number: int, one: str, many: str | None = None) -> str:
    """The number and the words that agree with it: "1 sample", "3 samples", "2 judgements have"."""
    return f"{number} {plural(number, one, many)}"
