"""Loading samples and pages for a view: missing is 404, not allowed is 404 (the policy decides)."""

from collections.abc import Callable
from typing import TypeVar

from flask import abort

from moderation_hub.db import get_or_404
from moderation_hub.permissions import Permission, authorize
from moderation_hub.samples.forms import VersionedActionForm
from moderation_hub.samples.models import Page, Piece, SourceFile, WorkSample
from moderation_hub.samples.services import SampleError


def readable_sample(sample_id: int) -> WorkSample:
    sample = get_or_404(WorkSample, sample_id)
    authorize(Permission.SAMPLE_READ, sample)
    return sample


def editable_sample(sample_id: int) -> WorkSample:
    sample = get_or_404(WorkSample, sample_id)
    authorize(Permission.SAMPLE_EDIT, sample)
    return sample


def readable_page(page_id: int) -> Page:
    page = get_or_404(Page, page_id)
    authorize(Permission.SAMPLE_READ, page.sample)
    return page


def editable_page(page_id: int) -> Page:
    page = get_or_404(Page, page_id)
    authorize(Permission.SAMPLE_EDIT, page.sample)
    return page


Part = TypeVar("Part", Piece, SourceFile)


IMAGE_VARIANTS = ("display", "thumbnail")


def image_key(page: Page, variant: str, *, own_school: bool = False) -> str:
    """The storage key of a page's display image or thumbnail: all a reader is ever sent. Else 404.

    Until the worker has burned a page's latest redactions in (or when it could not), its images may show
    what they hide, so only the school's own staff (``own_school``), who drew them, are sent its images.
    """
    if variant not in IMAGE_VARIANTS or (page.images_outdated and not own_school):
        abort(404)
    return page.display_key if variant == "display" else page.thumbnail_key


def numbered_page(sample: WorkSample, number: int) -> Page:
    """Page ``number`` (from 1) of the sample, for URLs that must not carry a page's row id."""
    if number > len(sample.pages):
        abort(404)
    return sample.pages[number - 1]


def part_of(sample: WorkSample, model: type[Part], row_id: int) -> Part:
    """A piece or file of this sample; another sample's is a 404, as a missing one is."""
    part = get_or_404(model, row_id)
    if part.sample_id != sample.id:
        abort(404)
    return part


def require_button() -> None:
    """A button's form was posted with its CSRF token and the sample version the person saw."""
    if not VersionedActionForm().validate_on_submit():
        abort(400)


def refuse_with_409(change: Callable[[], object]) -> object:
    """Run a change; a refusal (locked, changed meanwhile, not ready) is a 409 page saying why."""
    try:
        return change()
    except SampleError as error:
        abort(409, str(error))
