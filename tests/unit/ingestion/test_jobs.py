"""The worker's jobs, run through the sandbox as the app runs them: upload, propose boxes, redact."""

import contextlib
import io
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from moderation_hub.ingestion.errors import RejectedFile
from moderation_hub.ingestion.geometry import Box
from moderation_hub.ingestion.inspect import inspect_file
from moderation_hub.ingestion.jobs import ProcessedPage, process_file, redact_page
from moderation_hub.ingestion.limits import IngestLimits
from moderation_hub.ingestion.sandbox import JobOutOfMemory, JobTimedOut, iter_isolated, run_isolated
from moderation_hub.ingestion.text import find_words
from tests.unit.ingestion import child_jobs, samples

MB = 1024 * 1024
LIMITS = IngestLimits()
SANDBOX = {"timeout_seconds": 30, "memory_bytes": 512 * MB}


def processed(filename: str, data: bytes, redactions: dict[int, list[Box]] | None = None) -> list[ProcessedPage]:
    return list(iter_isolated(process_file, filename, data, LIMITS, redactions, **SANDBOX))


def pixels(jpeg: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(jpeg), formats=["JPEG"])
    image.load()
    return image


def centre_is_black(jpeg: bytes, box: Box) -> bool:
    image = pixels(jpeg)
    x = round((box.x0 + box.x1) / 2 * image.width)
    y = round((box.y0 + box.y1) / 2 * image.height)
    return max(image.getpixel((x, y))) <= 8


def test_a_pdf_comes_back_page_by_page_with_its_text() -> None:
    pages = processed("essay.pdf", samples.essay_pdf())
    assert [page.index for page in pages] == [0, 1]
    first = pages[0]
    assert "Amy Jones" in first.redacted.text
    assert (first.redacted.derivatives.width, first.redacted.derivatives.height) == (1131, 1600)
    assert pixels(first.master).size == (1131, 1600)


def test_redacting_a_typed_name_blacks_it_out_and_removes_it_from_the_search_text() -> None:
    (first, _) = processed("essay.pdf", samples.essay_pdf())
    boxes = find_words(first.words, "amy jones")
    assert len(boxes) == 2  # the name line and the sentence that mentions her

    redacted = run_isolated(redact_page, first.master, first.words, boxes, **SANDBOX)

    assert "Amy" not in redacted.text and "Jones" not in redacted.text
    assert redacted.text.startswith("Name: My holiday by the sea")
    assert all(word.text not in {"Amy", "Jones"} for word in redacted.words)
    for box in boxes:
        assert centre_is_black(redacted.derivatives.display_jpeg, box)
        assert centre_is_black(redacted.derivatives.thumbnail_jpeg, box)
    # The private master and word list keep everything, so the teacher can change the redactions.
    assert "Jones" in {word.text for word in first.words}
    assert not centre_is_black(first.master, boxes[0])


def test_redactions_given_at_upload_apply_to_their_page_only() -> None:
    name = Box(0.05, 0.04, 0.6, 0.09)
    first, second = processed("essay.pdf", samples.essay_pdf(), {0: [name]})
    assert first.redacted.text.startswith("My holiday")
    assert centre_is_black(first.redacted.derivatives.display_jpeg, name)
    assert second.redacted.text.startswith("Page two")
    assert not centre_is_black(second.redacted.derivatives.display_jpeg, name)


def test_a_page_redacted_at_upload_keeps_an_unredacted_master_of_its_own() -> None:
    name = Box(0.05, 0.04, 0.6, 0.09)
    first, second = processed("essay.pdf", samples.essay_pdf(), {0: [name]})
    assert centre_is_black(first.redacted.derivatives.display_jpeg, name)
    assert not centre_is_black(first.master, name)
    assert pixels(first.master).size == (1131, 1600)
    assert second.master == second.redacted.derivatives.display_jpeg


def test_a_page_without_redactions_keeps_its_display_image_as_master_and_remakes_it_almost_unchanged() -> None:
    """The page is encoded once; images made again from that master lose nothing anyone could see.

    The display image comes back within a grey level on average, closer than from a quality-95
    master (0.3 against 0.4 here); the thumbnail within one and a half, as its colour is now made
    from the display image's half-resolution colour (1.1 against 0.8 from a quality-95 master).
    """
    (page,) = processed("IMG_0001.JPG", samples.landscape_photo())
    assert page.master == page.redacted.derivatives.display_jpeg
    again = run_isolated(redact_page, page.master, page.words, [], **SANDBOX)
    for remade, original, limit in (
        (again.derivatives.display_jpeg, page.redacted.derivatives.display_jpeg, 1.0),
        (again.derivatives.thumbnail_jpeg, page.redacted.derivatives.thumbnail_jpeg, 1.5),
    ):
        difference = ImageChops.difference(pixels(remade), pixels(original))
        assert max(ImageStat.Stat(difference).mean) < limit


def test_a_long_scanned_pdf_is_processed_in_flat_memory() -> None:
    """MuPDF would keep every page's decoded picture (12 MB here) for later pages, up to 256 MB."""
    sizes = list(
        iter_isolated(child_jobs.resident_bytes_after_each_page, "scan.pdf", samples.scanned_pdf(16), **SANDBOX)
    )
    assert len(sizes) == 16
    assert max(sizes) - sizes[0] < 40 * MB


def test_a_photo_comes_back_as_one_upright_page_without_words() -> None:
    (page,) = processed("IMG_0001.JPG", samples.landscape_photo())
    assert (page.redacted.derivatives.width, page.redacted.derivatives.height) == (1200, 1600)
    assert (page.words, page.redacted.text) == ([], "")


def test_a_disguised_file_is_refused_from_inside_the_worker() -> None:
    with pytest.raises(
        RejectedFile, match=r'^"essay\.pdf" is not a PDF, JPEG, PNG or HEIC file \(it looks like HTML\)$'
    ):
        processed("essay.pdf", samples.html_page())


@pytest.mark.parametrize(
    "make",
    [
        samples.encrypted_pdf,
        lambda: samples.blank_pdf(61),
        lambda: samples.truncated(samples.essay_pdf()),
        lambda: samples.truncated(samples.landscape_photo()),
        lambda: samples.truncated(samples.png_with_metadata()),
        lambda: samples.truncated(samples.heic_photo()),
        lambda: samples.png_bomb(8000, 6000),
    ],
)
def test_the_worker_refuses_what_inspection_refuses_in_the_same_words(make: Callable[[], bytes]) -> None:
    data = make()
    with pytest.raises(RejectedFile) as at_upload:
        inspect_file("work.file", data, LIMITS)
    with pytest.raises(RejectedFile) as in_worker:
        processed("work.file", data)
    assert str(in_worker.value) == str(at_upload.value)


def test_a_photo_whose_damage_only_decoding_finds_passes_the_upload_check_and_is_refused_in_the_worker() -> None:
    data = samples.jpeg_with_a_bad_table()
    assert inspect_file("photo.jpg", data, LIMITS).page_count == 1
    damaged = r'^"photo\.jpg" is damaged or incomplete and cannot be read as a JPEG image$'
    with pytest.raises(RejectedFile, match=damaged):
        processed("photo.jpg", data)


def test_a_pdf_that_needs_more_memory_than_allowed_fails_cleanly() -> None:
    """MuPDF's own failed allocation, not Python's, comes back as out of memory."""
    with pytest.raises(JobOutOfMemory) as failure:
        list(
            iter_isolated(
                process_file, "scan.pdf", samples.memory_hungry_pdf(), LIMITS, timeout_seconds=30, memory_bytes=16 * MB
            )
        )
    assert "malloc" in failure.value.details


def test_a_pdf_that_would_take_minutes_to_draw_is_stopped_and_the_next_upload_goes_through() -> None:
    data = samples.slow_pdf()
    assert inspect_file("slow.pdf", data, LIMITS).page_count == 1  # nothing to see until it is drawn
    started = time.monotonic()
    with pytest.raises(JobTimedOut):
        list(iter_isolated(process_file, "slow.pdf", data, LIMITS, timeout_seconds=1, memory_bytes=512 * MB))
    assert time.monotonic() - started < 2.5
    assert len(processed("essay.pdf", samples.essay_pdf())) == 2


def test_no_upload_good_or_bad_leaves_a_temporary_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    uploads = [
        samples.essay_pdf(),
        samples.landscape_photo(),
        samples.png_with_metadata(),
        samples.heic_photo(),
        samples.encrypted_pdf(),
        samples.corrupt_pdf(),
        samples.truncated(samples.essay_pdf()),
        samples.truncated(samples.landscape_photo()),
        samples.png_bomb(),
        samples.html_page(),
    ]
    for data in uploads:
        with contextlib.suppress(RejectedFile):
            inspect_file("work.file", data, LIMITS)
        with contextlib.suppress(RejectedFile):
            list(process_file("work.file", data, LIMITS))
    assert list(tmp_path.iterdir()) == []
