"""The round lead's view of the record: the live meeting board, the audit log, and the exports."""

import tempfile
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from itertools import chain

from flask import Response, abort, jsonify, redirect, render_template, request, stream_with_context, url_for
from flask_login import current_user, login_required
from werkzeug.wsgi import wrap_file

from moderation_hub.audit.services import record
from moderation_hub.db import MAX_ROW_ID, db
from moderation_hub.downloads.kinds import JUDGEMENTS_XLSX
from moderation_hub.permissions import Permission
from moderation_hub.responses import attachment
from moderation_hub.rounds import board as meeting_board
from moderation_hub.rounds import exports
from moderation_hub.rounds.access import round_for
from moderation_hub.rounds.blueprint import blueprint
from moderation_hub.rounds.models import ModerationRound


@blueprint.get("/rounds/<int:round_id>/board")
@login_required
def board(round_id: int) -> str:
    round_ = round_for(Permission.ROUND_MANAGE, round_id)
    view = _board_view()
    etag = meeting_board.fingerprint(round_.id, view)  # read first: a change after it makes the next poll answer
    data = meeting_board.as_json(meeting_board.board_of(round_, view))
    return render_template("rounds/board.html", round_=round_, board=data, etag=f'"{etag}"')


@blueprint.get("/rounds/<int:round_id>/board.json")
@login_required
def board_data(round_id: int) -> Response:
    """Polled by static/js/rounds/board.mjs for the page it shows; an unchanged board is a 304 with no body,
    answered from the board's fingerprint without building it."""
    round_ = round_for(Permission.ROUND_MANAGE, round_id)
    view = _board_view()
    etag = meeting_board.fingerprint(round_.id, view)  # read first: a change after it makes the next poll answer
    if request.if_none_match.contains_weak(etag):
        response = Response(status=304)
    else:
        response = jsonify(meeting_board.as_json(meeting_board.board_of(round_, view)))
    response.set_etag(etag)
    return response


def _board_view() -> meeting_board.BoardView:
    show = request.args.get("show", "all")
    if show not in meeting_board.SHOWS:
        abort(404)
    return meeting_board.BoardView(
        show, request.args.get("page", 1, type=int), request.args.get("moderators_page", 1, type=int)
    )


@blueprint.get("/rounds/<int:round_id>/judgements.<extension>")
@login_required
def export(round_id: int, extension: str) -> Response:
    round_ = round_for(Permission.ROUND_MANAGE, round_id)
    if extension not in exports.FORMATS:
        abort(404)
    if extension == "csv":
        return _judgements_csv(round_)
    if exports.count_judgements(round_.id) > exports.DIRECT_XLSX_ROWS:  # prepared off the request path
        return redirect(url_for("downloads.ask", kind=JUDGEMENTS_XLSX.key, round=round_.id), 303)
    return _judgements_xlsx(round_)


def _judgements_csv(round_: ModerationRound) -> Response:
    """Sent as it is read. The rows are counted first, so that the record is committed with the request,
    before the first row goes out: a download cut short is recorded too."""
    record(current_user.id, "round.exported", round_, format="csv", rows=exports.count_judgements(round_.id))
    chunks = exports.judgement_chunks(round_)
    return attachment(
        stream_with_context(_streamed_csv(exports.JUDGEMENT_COLUMNS, chunks)),
        exports.FORMATS["csv"],
        f"round-{round_.id}-judgements.csv",
    )


def _judgements_xlsx(round_: ModerationRound) -> Response:
    """Written to an unnamed temporary file (an XLSX file is a zip, finished only at its end) and sent from it;
    the file is gone once the response is closed. Recorded with the rows written, once the file is complete."""
    with ExitStack() as on_failure:
        file = on_failure.enter_context(tempfile.TemporaryFile())
        rows = chain.from_iterable(exports.judgement_chunks(round_))
        count = exports.write_xlsx(file, exports.JUDGEMENT_COLUMNS, rows, "Judgements")
        size = file.tell()
        file.seek(0)
        on_failure.pop_all()  # written: from here the response closes it
    record(current_user.id, "round.exported", round_, format="xlsx", rows=count)
    response = attachment(
        wrap_file(request.environ, file), exports.FORMATS["xlsx"], f"round-{round_.id}-judgements.xlsx"
    )
    response.content_length = size
    response.direct_passthrough = True  # the server may send the file itself (sendfile)
    return response


@blueprint.get("/rounds/<int:round_id>/audit")
@login_required
def audit(round_id: int) -> str:
    round_ = round_for(Permission.ROUND_MANAGE, round_id)
    with_views = request.args.get("views") != "hide"
    before = _event_id("before")
    after = None if before is not None else _event_id("after")
    shown = exports.audit_page(round_.id, with_views, before=before, after=after)
    if shown is None:  # an event of another round's log, or none
        abort(404)
    newest = before is None and after is None
    return render_template("rounds/audit.html", round_=round_, shown=shown, with_views=with_views, newest=newest)


def _event_id(name: str) -> int | None:
    """The event a page of the log is asked from; one that cannot be a row's id is no page."""
    value = request.args.get(name, type=int)
    if value is not None and not 1 <= value <= MAX_ROW_ID:
        abort(404)
    return value


@blueprint.get("/rounds/<int:round_id>/audit.csv")
@login_required
def audit_export(round_id: int) -> Response:
    round_ = round_for(Permission.ROUND_MANAGE, round_id)
    record(current_user.id, "round.audit_exported", round_)
    return attachment(
        stream_with_context(_streamed_csv(exports.AUDIT_COLUMNS, _audit_chunks(round_.id))),
        exports.FORMATS["csv"],
        f"round-{round_.id}-audit.csv",
    )


def _audit_chunks(round_id: int) -> Iterator[list[list[exports.Cell]]]:
    """The whole log, oldest first, a chunk of events at a time, each read from where the last ended (with the
    request's own record of the download, last)."""
    after = None
    while True:
        rows = exports.audit_chunk(round_id, after)
        if rows:
            yield [row.csv_cells() for row in rows]
        if len(rows) < exports.AUDIT_CHUNK:
            return
        after = (rows[-1].occurred_at, rows[-1].id)


def _streamed_csv(header: Sequence[str], chunks: Iterator[list[list[exports.Cell]]]) -> Iterator[bytes]:
    """A CSV file sent a chunk of rows at a time, each read after the request's own work is committed."""
    yield exports.as_csv(header, []).encode()
    for rows in chunks:
        # End each chunk's read before sending it: a download may take minutes, and on SQLite an open
        # transaction holds the lock that every other request's transaction waits for.
        db.session.commit()
        yield exports.as_csv((), rows).encode()
