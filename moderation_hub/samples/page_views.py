"""Files and pages of a sample: uploading, processing status, the page viewer, page images,
annotations and redactions. Write routes answer JSON to the page's scripts and redirect otherwise."""

from dataclasses import asdict

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.datastructures import FileStorage as UploadedFile
from werkzeug.wrappers import Response

from moderation_hub.audit.services import record
from moderation_hub.db import db, get_or_404
from moderation_hub.forms import first_problem
from moderation_hub.frameworks.models import Criterion
from moderation_hub.ingestion.errors import RejectedFile
from moderation_hub.ingestion.formats import FileKind
from moderation_hub.ingestion.geometry import Box
from moderation_hub.opaque import opaque_name
from moderation_hub.samples import pages as page_service
from moderation_hub.samples import progress, uploads
from moderation_hub.samples.access import (
    SCHOOL_VIEW,
    editable_page,
    editable_sample,
    part_of,
    readable_page,
    readable_sample,
    refuse_with_409,
    require_button,
    school_image_url,
    serve_page_image,
)
from moderation_hub.samples.blueprint import blueprint
from moderation_hub.samples.forms import NeedsRedactionForm, VersionedActionForm
from moderation_hub.samples.models import Annotation, Page, Redaction, SourceFile, WorkSample
from moderation_hub.samples.pages import BoxError
from moderation_hub.samples.services import SampleError
from moderation_hub.storage import storage
from moderation_hub.templating import wants_json
from moderation_hub.text_rules import TextKind, UnsafeTextError, checked_text
from moderation_hub.wording import counted


@blueprint.post("/samples/<int:sample_id>/files")
@login_required
def upload(sample_id: int) -> Response | tuple[Response | str, int]:
    sample = editable_sample(sample_id)
    received = [item for item in request.files.getlist("files") if item.filename]
    if not received:
        return _refused(sample.id, ["Choose at least one file to upload"])
    problems = []
    for item in received:
        try:
            refuse_with_409(lambda item=item: uploads.accept_upload(sample, item.filename, _read(item), current_user))
        except RejectedFile as error:
            problems.append(str(error))
    if problems:
        return _refused(sample.id, problems)  # 400: nothing from this request is kept
    if wants_json():
        return jsonify({"files": [{"name": item.filename} for item in received]})
    flash(f"{counted(len(received), 'file')} uploaded. Their pages appear here once processed.", "success")
    return redirect(url_for("samples.detail", sample_id=sample.id, _anchor="files"))


def _read(item: UploadedFile) -> bytes:
    return item.stream.read()


def _refused(sample_id: int, problems: list[str]) -> tuple[Response | str, int]:
    if wants_json():
        return jsonify({"errors": problems}), 400
    sample = readable_sample(sample_id)
    return render_template("samples/upload_refused.html", sample=sample, problems=problems), 400


@blueprint.post("/samples/<int:sample_id>/files/<int:file_id>/remove")
@login_required
def remove_file(sample_id: int, file_id: int) -> Response:
    sample = editable_sample(sample_id)
    source = part_of(sample, SourceFile, file_id)
    require_button()
    refuse_with_409(lambda: uploads.remove_file(sample, source, current_user))
    flash(f"{source.school_file_name} and its pages have been removed.", "success")
    return redirect(url_for("samples.detail", sample_id=sample.id, _anchor="files"))


@blueprint.get("/samples/<int:sample_id>/files/<int:file_id>/original")
@login_required
def download_original(sample_id: int, file_id: int) -> Response:
    """The file as uploaded, kept when the school keeps originals: for the school's own staff only.

    Always an attachment named by its id: the browser never renders an uploaded PDF (it may carry scripts),
    and the school's file name, which may name the pupil, never leaves the page.
    """
    sample = editable_sample(sample_id)
    source = part_of(sample, SourceFile, file_id)
    if source.original_key is None:
        abort(404)
    record(current_user.id, "sample.original_downloaded", sample, source_file_id=source.id)
    content_type = uploads.CONTENT_TYPES[FileKind(source.kind)]
    return storage().serve(
        source.original_key,
        content_type,
        etag=opaque_name("original", source.original_key),
        download_name=f"original-{source.id}.{source.kind}",
    )


@blueprint.get("/samples/<int:sample_id>/status.json")
@login_required
def status(sample_id: int) -> Response:
    """The worker's progress, polled by the sample's pages (static/js/samples/file-status.mjs)."""
    sample = readable_sample(sample_id)
    entries = progress.page_progress(sample)
    return jsonify(
        {
            "files": [
                {
                    "id": f.id,
                    "status": f.status.value,
                    "pages": f.page_count,
                    "failure": f.failure_reason,
                    "tag": asdict(progress.file_tag(f)),
                }
                for f in sample.files
            ],
            "pages": len(sample.pages),
            # Pages waiting for the worker to burn redactions in: not those it gave up on.
            "pages_outdated": sum(entry.in_progress for entry in entries if entry.page is not None),
            "page_statuses": [_page_status(entry) for entry in entries],
        }
    )


def _page_status(entry: progress.PageProgress) -> dict[str, object]:
    thumbnail = school_image_url(entry.page, "thumbnail") if entry.page is not None else None
    return {
        "key": entry.key,
        "tags": [asdict(tag) for tag in entry.tags],
        "failure": entry.failure,
        "in_progress": entry.in_progress,
        "thumbnail": thumbnail,
    }


@blueprint.get("/pages/<int:page_id>")
@login_required
def page(page_id: int) -> str:
    page = readable_page(page_id)
    record(current_user.id, "page.viewed", page, sample_id=page.sample_id)
    return _render_page(page)


@blueprint.get("/pages/<int:page_id>/<variant>.jpg")
@login_required
def page_image(page_id: int, variant: str) -> Response:
    page = readable_page(page_id)  # the school's own staff only
    record(current_user.id, f"page.viewed_{variant}", page, sample_id=page.sample_id)
    return serve_page_image(page, variant, SCHOOL_VIEW, own_school=True)


@blueprint.post("/pages/<int:page_id>/annotations")
@login_required
def add_annotation(page_id: int) -> Response | tuple[Response | str, int]:
    page = editable_page(page_id)
    criteria = _criteria(request.form.getlist("criteria"))
    comment = request.form.get("comment", "")
    # Every field is checked before refusing, so each wrong one is named, not only the first.
    problems = {"comment": problem} if (problem := page_service.comment_problem(comment)) else {}
    try:
        box = page_service.box_from(request.form)
    except BoxError as error:
        problems |= error.problems
    if problems:
        return _page_refused(page_id, problems)
    try:
        annotation = page_service.add_annotation(page, box, comment, criteria, current_user)
    except SampleError as error:
        return _page_refused(page_id, {error.field: str(error)})
    if wants_json():
        return jsonify({"id": annotation.id, "number": annotation.number})
    flash(f"Annotation {annotation.number} added.", "success")
    return redirect(url_for("samples.page", page_id=page.id))


@blueprint.post("/annotations/<int:annotation_id>/remove")
@login_required
def remove_annotation(annotation_id: int) -> Response:
    annotation = get_or_404(Annotation, annotation_id)
    page = editable_page(annotation.page_id)
    refuse_with_409(lambda: page_service.remove_annotation(annotation, current_user))
    return _back_to(page.id, f"Annotation {annotation.number} removed.")


@blueprint.post("/pages/<int:page_id>/redactions")
@login_required
def add_redaction(page_id: int) -> Response | tuple[Response | str, int]:
    page = editable_page(page_id)
    try:
        page_service.add_redactions(page, [page_service.box_from(request.form)], current_user)
    except BoxError as error:
        return _page_refused(page_id, error.problems, form_prefix="redaction-")
    except SampleError as error:
        return _page_refused(page_id, {error.field: str(error)})
    return _back_to(page.id, "Redaction added. The page images are being updated.")


@blueprint.post("/redactions/<int:redaction_id>/remove")
@login_required
def remove_redaction(redaction_id: int) -> Response:
    redaction = get_or_404(Redaction, redaction_id)
    page = editable_page(redaction.page_id)
    refuse_with_409(lambda: page_service.remove_redaction(redaction, current_user))
    return _back_to(page.id, "Redaction removed. The page images are being updated.")


@blueprint.post("/pages/<int:page_id>/needs-redaction")
@login_required
def flag_redaction(page_id: int) -> Response:
    page = editable_page(page_id)
    form = NeedsRedactionForm()
    if not form.validate_on_submit():
        flash(first_problem(form), "error")
        return redirect(url_for("samples.page", page_id=page.id))
    needed = form.needed.chosen
    refuse_with_409(lambda: page_service.set_needs_redaction(page, needed, current_user))
    return _back_to(page.id, "Page flagged as needing redaction." if needed else "Page marked as redacted.")


@blueprint.route("/samples/<int:sample_id>/find-text", methods=["GET", "POST"])
@login_required
def find_text(sample_id: int) -> tuple[str, int] | str:
    """Find a typed name in the sample's text layers and propose every place as a redaction.

    The name is posted, never put in the URL (where history and logs would keep a pupil's name); revisiting
    the results' address gets the empty search instead.
    """
    sample = editable_sample(sample_id)
    if request.method == "GET":
        return _find_text_page(sample, [])
    try:
        query = checked_text("Name to find", request.form.get("query", ""), TextKind.LINE, "query")
        proposals = page_service.propose_redactions(sample, query)
    except (SampleError, UnsafeTextError) as error:
        return _find_text_page(sample, [], str(error)), 400
    return _find_text_page(sample, proposals)


def _find_text_page(sample: WorkSample, proposals: list[tuple[Page, Box]], error: str | None = None) -> str:
    return render_template(
        "samples/find_text.html", sample=sample, proposals=proposals, error=error, max_query=page_service.MAX_QUERY
    )


@blueprint.post("/samples/<int:sample_id>/redactions")
@login_required
def redact_proposals(sample_id: int) -> Response | tuple[Response | str, int]:
    """Apply the proposed boxes the teacher kept ticked: each is ``page_id:x0:y0:x1:y1``."""
    sample = editable_sample(sample_id)
    pages = {page.id: page for page in sample.pages}
    boxes_by_page: dict[int, list] = {}
    for value in request.form.getlist("box"):
        page_id, *corners = value.split(":")
        if not page_id.isdigit() or int(page_id) not in pages or len(corners) != 4:
            abort(400)
        box = page_service.box_from(dict(zip(("x0", "y0", "x1", "y1"), corners, strict=True)))
        boxes_by_page.setdefault(int(page_id), []).append(box)
    for page_id, boxes in boxes_by_page.items():
        refuse_with_409(lambda p=pages[page_id], b=boxes: page_service.add_redactions(p, b, current_user))
    count = sum(map(len, boxes_by_page.values()))
    flash(f"{counted(count, 'redaction')} added. The page images are being updated.", "success")
    return redirect(url_for("samples.detail", sample_id=sample.id, _anchor="pages"))


def _criteria(values: list[str]) -> list[Criterion]:
    ids = [int(value) for value in values if value.isdigit()]
    return list(db.session.scalars(select(Criterion).where(Criterion.id.in_(ids)))) if ids else []


def _page_refused(page_id: int, problems: dict[str | None, str], form_prefix: str = "") -> tuple[Response | str, int]:
    """The page again, each problem linked to its field; ``form_prefix`` is how the form prefixes its ids."""
    if wants_json():
        return jsonify({"errors": list(problems.values()), "fields": [field for field in problems if field]}), 400
    field_errors = {f"{form_prefix}{field}": text for field, text in problems.items() if field}
    errors = [{"text": text, "href": f"#{form_prefix}{field}" if field else None} for field, text in problems.items()]
    return _render_page(readable_page(page_id), errors, field_errors, refused=form_prefix), 400


def _render_page(
    page: Page,
    errors: list[dict[str, str | None]] | None = None,
    field_errors: dict[str, str] | None = None,
    refused: str | None = None,
) -> str:
    """The page; after a refusal, ``errors`` head it, ``field_errors`` (by input id) are shown by their inputs,
    and the refused form (named by its ``refused`` id prefix) holds what was posted."""
    return render_template(
        "samples/page.html",
        page=page,
        sample=page.sample,
        progress=progress.page_progress(page.sample),
        form=VersionedActionForm(version=page.sample.version),
        criteria=page.sample.framework.criteria,
        box_corners=page_service.CORNERS,
        max_comment=page_service.MAX_COMMENT_LENGTH,
        errors=errors or [],
        field_errors=field_errors or {},
        refused=refused,
    )


def _back_to(page_id: int, message: str) -> Response:
    if wants_json():
        return jsonify({"ok": True})
    flash(message, "success")
    return redirect(url_for("samples.page", page_id=page_id))
