"""Prepared downloads' pages: ask for one, watch it being prepared, fetch it, and the list of one's own.

Each route loads what it names (404 when missing), authorises (404 when refused: a download is its asker's alone,
and only while they may still read what it was made from), then acts. Asking is a POST; its GET shows the button,
for links from elsewhere (a round too large to answer its old download address at once sends people here).
"""

import datetime as dt

from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from moderation_hub.clock import UK
from moderation_hub.db import get_or_404
from moderation_hub.downloads import jobs, services  # noqa: F401 - jobs: declares the hourly sweep
from moderation_hub.downloads.forms import AskForm
from moderation_hub.downloads.kinds import KINDS
from moderation_hub.downloads.models import DownloadState, PreparedDownload
from moderation_hub.permissions import Permission, authorize
from moderation_hub.storage import storage

blueprint = Blueprint("downloads", __name__)


@blueprint.get("/downloads")
@login_required
def index() -> str:
    authorize(Permission.DASHBOARD_VIEW)
    listed = services.page_of(current_user, request.args.get("page", 1, type=int))
    if listed is None:
        abort(404)
    page, downloads = listed
    return render_template("downloads/index.html", page=page, downloads=downloads, kinds=KINDS, uk_time=uk_time)


@blueprint.route("/downloads/new/<kind>", methods=["GET", "POST"])
@login_required
def ask(kind: str) -> Response | str:
    kind_ = KINDS.get(kind) or abort(404)
    arguments = kind_.parse(request.args)
    if arguments is None:
        abort(404)
    subject = kind_.subject(arguments)
    if subject is None:
        abort(404)
    authorize(kind_.permission, subject)
    described = kind_.describe(subject, arguments)
    if described is None:
        abort(404)
    form = AskForm()
    if not form.validate_on_submit():
        return render_template("downloads/ask.html", kind=kind_, described=described, form=form)
    download, _new = services.ask(current_user, kind_, described)
    return redirect(url_for("downloads.progress", download_id=download.id), 303)


@blueprint.get("/downloads/<int:download_id>")
@login_required
def progress(download_id: int) -> str:
    download = _own(download_id)
    return render_template(
        "downloads/progress.html",
        download=download,
        kind=KINDS[download.kind],
        form=AskForm(),
        again=url_for("downloads.ask", kind=download.kind, **download.arguments),
        uk_time=uk_time,
    )


@blueprint.get("/downloads/<int:download_id>.json")
@login_required
def status(download_id: int) -> Response:
    """Polled by static/js/downloads/progress.mjs while the file is prepared."""
    response = jsonify(services.status_of(_own(download_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.get("/downloads/<int:download_id>/file")
@login_required
def file(download_id: int) -> Response:
    """The file, streamed from storage, to its asker while they may still read what it was made from."""
    download = _own(download_id)
    if download.state is not DownloadState.READY or download.storage_key is None:
        abort(404)
    kind = KINDS[download.kind]
    if kind.served is not None:
        kind.served(current_user, services.subject_of(download), download.done)
    response = storage().serve(
        download.storage_key,
        kind.content_type,
        etag=f"download-{download.id}",
        download_name=kind.file_name(download.arguments),
    )
    # A report or a list of pupils' judgements: no copy kept by the browser past this download, so a permission
    # withdrawn is a permission withdrawn.
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _own(download_id: int) -> PreparedDownload:
    download = get_or_404(PreparedDownload, download_id)
    if not services.may_read(current_user, download):
        abort(404)
    return download


def uk_time(instant: dt.datetime) -> str:
    return instant.astimezone(UK).strftime("%-d %B %Y, %H:%M")
