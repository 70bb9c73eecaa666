"""The limits on what a teacher may upload. The app maps its settings onto ``IngestLimits``."""

from dataclasses import dataclass

MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class IngestLimits:
    """Upper bounds, each with a default that a normal upload never reaches.

    ``max_image_pixels`` (40 million) lets through every phone's default photo (12-24 megapixels) and
    refuses the opt-in 48 and 50 megapixel modes: we only ever show 1600 pixels on the long edge, and a
    48 megapixel HEIC decodes to some 145 MB of RGB plus the decoder's own buffers before we can shrink
    it. It is also below Pillow's own guard (89 million pixels), which we make an error, not a warning.
    """

    max_file_bytes: int = 50 * MB
    max_pdf_pages: int = 60
    max_image_pixels: int = 40_000_000
    max_files_per_sample: int = 100

    def __post_init__(self) -> None:
        for name in ("max_file_bytes", "max_pdf_pages", "max_image_pixels", "max_files_per_sample"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
