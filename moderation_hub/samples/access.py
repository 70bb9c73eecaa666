"""Loading samples and pages for a view: missing is 404, not allowed is 404 (the policy decides)."""

from collections.abc import Callable
from typing import TypeVar

from flask import abort, url_for
from werkzeug.wrappers import Response

from moderation_hub.db import get_or_404
from moderation_hub.opaque import opaque_name
from moderation_hub.permissions import Permission, authorize
from moderation_hub.samples.forms import VersionedActionForm
from moderation_hub.samples.models import Page, Piece, SourceFile, WorkSample
from moderation_hub.samples.services import SampleError
from moderation_hub.storage import storage


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
SCHOOL_VIEW = "school"  # the school's own pages; rounds name their views by round and person


def serve_page_image(page: Page, variant: str, view: str, *, own_school: bool = False) -> Response:
    """A page's display image or thumbnail, as ``view`` shows it to a reader already authorised. Else 404.

    ``view`` names who looks and where (``SCHOOL_VIEW``, or a round, its judging or reveal, and the person): the
    image's ETag is its ``image_name`` in that view, so the same image seen by the school, by a moderator and by
    the panel carries three unrelated tags, none of them the key, and nothing in a header ties the views
    together. Each view's browser still revalidates with its own tag.

    Until the worker has burned a page's latest redactions in (or when it could not), its images may show
    what they hide, so only the school's own staff (``own_school``), who drew them, are sent its images.
    """
    if variant not in IMAGE_VARIANTS or (page.images_outdated and not own_school):
        abort(404)
    key = _image_key(page, variant)
    return storage().serve(key, "image/jpeg", etag=image_name(view, key))


def image_name(view: str, key: str) -> str:
    """What the browser calls the image stored under ``key`` in ``view``: its ETag, and its URL's version."""
    return opaque_name("image", view, key)


def school_image_url(page: Page, variant: str) -> str:
    """Where the school's own pages load a page image (a template global).

    Its ``v`` changes whenever a redaction re-makes the image under a new key, so a browser that cached the old
    image never shows it again; ``v`` is the image's name in the school's view, so the URL carries no piece of
    the key.
    """
    version = image_name(SCHOOL_VIEW, _image_key(page, variant))
    return url_for("samples.page_image", page_id=page.id, variant=variant, v=version)


def _image_key(page: Page, variant: str) -> str:
    return page.display_key if variant == "display" else page.thumbnail_key


def numbered_page(sample: WorkSample, number: int) -> Page:
    """Page ``number`` (from 1) of the sample, for URLs that must not carry a page's row id."""
    if not 1 <= number <= len(sample.pages):  # 0 or less would count from the end
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
