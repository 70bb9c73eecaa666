"""Places on a page, in page-relative coordinates: (0, 0) is the top left corner, (1, 1) the bottom right.

Relative coordinates survive every resize, so one redaction box applies to the master, the display
image and the thumbnail alike, and to the words of the text layer.
"""

import math
from dataclasses import dataclass
from typing import Self


@dataclass(frozen=True, slots=True)
class Box:
    """A rectangle on the page with a positive area, inside the page."""

    x0: float
    y0: float
    x1: float
    y1: float

    def __post_init__(self) -> None:
        if not all(math.isfinite(value) for value in (self.x0, self.y0, self.x1, self.y1)):
            raise ValueError(f"box coordinates must be finite numbers: {self}")
        if not (0 <= self.x0 < self.x1 <= 1 and 0 <= self.y0 < self.y1 <= 1):
            raise ValueError(f"a box must lie inside the page (0 to 1) and have a positive size: {self}")

    @classmethod
    def clamped(cls, x0: float, y0: float, x1: float, y1: float) -> Self:
        """The part of the rectangle that lies on the page; ValueError when none of it does."""
        return cls(max(x0, 0.0), max(y0, 0.0), min(x1, 1.0), min(y1, 1.0))

    def overlaps(self, x0: float, y0: float, x1: float, y1: float) -> bool:
        """True when the rectangle shares any area with this box (touching edges do not count)."""
        return x0 < self.x1 and self.x0 < x1 and y0 < self.y1 and self.y0 < y1

    def to_pixels(self, width: int, height: int) -> tuple[int, int, int, int]:
        """Pixel edges (left, top, right, bottom; right and bottom exclusive), rounded outwards.

        Rounding outwards means a box never covers less than was marked, at any image size.
        """
        return (
            math.floor(self.x0 * width),
            math.floor(self.y0 * height),
            max(math.ceil(self.x1 * width), math.floor(self.x0 * width) + 1),
            max(math.ceil(self.y1 * height), math.floor(self.y0 * height) + 1),
        )


@dataclass(frozen=True, slots=True)
class Word:
    """One word of a page's text layer and where it is printed.

    Not a ``Box``: a text layer may hold words with no width (an empty glyph), which are still words.
    """

    text: str
    x0: float
    y0: float
    x1: float
    y1: float

    def is_under(self, box: Box) -> bool:
        return box.overlaps(self.x0, self.y0, self.x1, self.y1)
