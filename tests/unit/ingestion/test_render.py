"""Pages come out one at a time, upright, at display resolution, with the words where they are printed."""

import inspect as python_inspect

import pymupdf
import pytest

from moderation_hub.ingestion.errors import UnreadableError
from moderation_hub.ingestion.formats import FileKind
from moderation_hub.ingestion.limits import IngestLimits
from moderation_hub.ingestion.render import PAGE_LONG_EDGE, render_pages
from moderation_hub.ingestion.text import find_words
from tests.unit.ingestion import samples

LIMITS = IngestLimits()


def test_pdf_pages_are_rendered_one_at_a_time_at_display_size() -> None:
    pages = render_pages(samples.essay_pdf(), FileKind.PDF, LIMITS)
    assert python_inspect.isgenerator(pages)
    first = next(pages)
    assert (first.index, first.image.mode, max(first.image.size)) == (0, "RGB", PAGE_LONG_EDGE)
    assert first.image.width / first.image.height == pytest.approx(samples.A4.width / samples.A4.height, abs=0.01)
    assert [page.index for page in pages] == [1]


def test_pdf_words_are_placed_relative_to_the_page() -> None:
    page = next(render_pages(samples.essay_pdf(), FileKind.PDF, LIMITS))
    amy = next(word for word in page.words if word.text == "Amy")
    x, baseline = samples.NAME_ORIGIN
    assert 0.1 < amy.x0 < 0.3
    assert amy.y0 < baseline / samples.A4.height < amy.y1
    assert amy.x0 > x / samples.A4.width
    assert " ".join(word.text for word in page.words).startswith("Name: Amy Jones My holiday")


def test_words_on_a_rotated_page_are_where_the_reader_sees_them() -> None:
    page = next(render_pages(samples.rotated_pdf(), FileKind.PDF, LIMITS))
    assert page.image.width > page.image.height
    boxes = find_words(page.words, "Amy Jones")
    # Turned a quarter clockwise, the top left of the portrait page shows at the top right.
    assert all(box.x0 > 0.8 and box.y1 < 0.4 for box in boxes)
    for box in boxes:
        left, top, right, bottom = box.to_pixels(*page.image.size)
        darkest = min(page.image.crop((left, top, right, bottom)).convert("L").getextrema())
        assert darkest < 64, "the box should cover printed text"


def test_a_photo_is_turned_upright_from_its_exif_orientation() -> None:
    (page,) = render_pages(samples.landscape_photo(), FileKind.JPEG, LIMITS)
    assert page.image.size == (1200, 1600)
    assert page.image.info == {}
    assert page.words == []
    red, green, blue = page.image.getpixel((page.image.width - 10, 10))
    assert red > 200 and green < 60 and blue < 60, "the marked corner should now be top right"


def test_a_heic_photo_renders() -> None:
    (page,) = render_pages(samples.heic_photo(), FileKind.HEIC, LIMITS)
    assert (page.image.mode, page.image.size, page.image.info) == ("RGB", (1600, 1200), {})


def test_transparent_areas_of_a_png_show_as_white_paper() -> None:
    (page,) = render_pages(samples.png_with_metadata(), FileKind.PNG, LIMITS)
    assert page.image.getpixel((10, 10)) == (255, 255, 255)
    assert page.image.info == {}


def test_a_small_image_is_never_enlarged() -> None:
    (page,) = render_pages(samples.heic_photo((400, 300)), FileKind.HEIC, LIMITS)
    assert page.image.size == (400, 300)


def test_a_page_that_cannot_be_drawn_is_refused_with_its_number(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise pymupdf.mupdf.FzErrorFormat("syntax error in content stream")

    pages = render_pages(samples.essay_pdf(), FileKind.PDF, LIMITS)
    next(pages)
    monkeypatch.setattr(pymupdf.Page, "get_pixmap", broken)
    with pytest.raises(UnreadableError, match=r"^has a damaged page that cannot be shown \(page 2\)$"):
        next(pages)


def test_mupdf_running_out_of_memory_stays_a_memory_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def starved(*_args: object, **_kwargs: object) -> None:
        raise pymupdf.mupdf.FzErrorSystem("malloc (13029168 bytes) failed")

    monkeypatch.setattr(pymupdf.Page, "get_pixmap", starved)
    with pytest.raises(MemoryError):
        next(render_pages(samples.essay_pdf(), FileKind.PDF, LIMITS))
