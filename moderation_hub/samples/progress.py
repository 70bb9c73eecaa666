"""Where each page of a sample stands, for the teacher: being made by the worker, failed, or ready
(and then whether it still needs redacting, or waits for the worker to burn new redactions in, or the
worker could not).

A file's pages are placed in the sample all together, once the worker has made every one of them, so
until then the sample shows a placeholder for each page the file will have (``page_count`` is known
from the check at upload): the teacher sees how many pages are coming and which file they come from.
"""

from dataclasses import dataclass

from moderation_hub.samples.models import FileStatus, Page, SourceFile, WorkSample


@dataclass(frozen=True, slots=True)
class Tag:
    """A GOV.UK tag: the words say the state, the colour only repeats it."""

    text: str
    colour: str = ""  # a govuk-tag--<colour> modifier; "" is the default blue

    @property
    def classes(self) -> str:
        return f"govuk-tag--{self.colour}" if self.colour else ""


READY = Tag("Ready", "green")
NEEDS_REDACTION = Tag("Needs redaction", "orange")
UPDATING = Tag("Updating redactions", "purple")
FAILED = Tag("Failed", "red")
REDACTIONS_FAILED = Tag("Redactions not applied", "red")


@dataclass(frozen=True, slots=True)
class PageProgress:
    """One page of the sample, or the placeholder of a page its file has yet to yield (``page`` None)."""

    source: SourceFile
    index_in_file: int
    page: Page | None
    tags: tuple[Tag, ...]
    in_progress: bool  # the worker has yet to do something for it

    @property
    def key(self) -> str:
        """Names the page before and after it exists, for the script that updates the statuses."""
        return f"{self.source.id}-{self.index_in_file}"

    @property
    def failure(self) -> str | None:
        if self.page is not None:
            return _remake_failure_text(self.page)
        return self.source.failure_reason if self.source.status is FileStatus.FAILED else None


def _remake_failure_text(page: Page) -> str | None:
    """Why the page's images do not show its redactions, and what to do, once the worker has given up."""
    return f"Its redactions could not be applied: {page.remake_failure}." if page.remake_failed else None


def file_tag(source: SourceFile) -> Tag:
    """The state of an uploaded file: a failed file's reason is its ``failure_reason``."""
    if source.status is FileStatus.READY:
        return READY
    if source.status is FileStatus.FAILED:
        return FAILED
    # Attempts are counted as each starts, so a second one means the first failed and it is tried again.
    return Tag(f"Retrying (attempt {source.attempts})", "yellow") if source.attempts > 1 else Tag("Processing")


def page_progress(sample: WorkSample) -> list[PageProgress]:
    """Every page in order, then a placeholder for each page of each file not yet placed, by file."""
    files = {source.id: source for source in sample.files}
    entries = [_placed(page, files[page.source_file_id]) for page in sample.pages]
    placed_files = {page.source_file_id for page in sample.pages}
    for source in files.values():
        if source.id in placed_files or source.status is FileStatus.READY:
            continue
        tag = file_tag(source)
        busy = source.status is FileStatus.PENDING
        entries += [PageProgress(source, index, None, (tag,), busy) for index in range(source.page_count)]
    return entries


def _placed(page: Page, source: SourceFile) -> PageProgress:
    waiting = page.images_outdated and not page.remake_failed
    flags = (
        (NEEDS_REDACTION, page.needs_redaction),
        (_updating_tag(page), waiting),
        (REDACTIONS_FAILED, page.remake_failed),
    )
    tags = tuple(tag for tag, shown in flags if shown) or (READY,)
    return PageProgress(source, page.index_in_file, page, tags, in_progress=waiting)


def _updating_tag(page: Page) -> Tag:
    # As for files: attempts are counted as each starts, so a second means the first failed.
    if page.remake_attempts > 1:
        return Tag(f"Retrying redactions (attempt {page.remake_attempts})", "yellow")
    return UPDATING
