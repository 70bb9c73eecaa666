"""The panel's pages at reveal: every sample's judgements side by side, and the lead's agreed outcomes."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from moderation_hub.audit.services import record
from moderation_hub.db import db
from moderation_hub.permissions import Permission, blind_holds, can
from moderation_hub.rounds import reveal
from moderation_hub.rounds.access import round_for
from moderation_hub.rounds.blueprint import blueprint
from moderation_hub.rounds.errors import RoundError
from moderation_hub.rounds.forms import OutcomeForm
from moderation_hub.rounds.models import RoundEntry, RoundState
from moderation_hub.rounds.paging import paging
from moderation_hub.samples.access import numbered_page, serve_page_image
from moderation_hub.templating import render_form_page, show_error


@blueprint.get("/rounds/<int:round_id>/reveal")
@login_required
def reveal_index(round_id: int) -> str:
    """The round's samples ``reveal.ENTRIES_PER_PAGE`` at a time (``page``), and its schools' outcomes counted, then
    listed ``reveal.SCHOOLS_PER_PAGE`` at a time (``schools``)."""
    round_ = round_for(Permission.ROUND_REVEAL_READ, round_id)
    if round_.state not in (RoundState.REVEAL, RoundState.CLOSED):
        abort(404)
    held = blind_holds(current_user)
    shown, withheld = reveal.count_shown(round_, held)
    page = paging(shown, reveal.ENTRIES_PER_PAGE, request.args.get("page", 1, type=int))
    # Schools' outcomes would tell which school a withheld sample came from, so they wait with the rest.
    summary = None if withheld else reveal.outcome_summary(round_)
    schools_page = paging(
        summary.schools if summary else 0, reveal.SCHOOLS_PER_PAGE, request.args.get("schools", 1, type=int)
    )
    if page is None or schools_page is None:
        abort(404)
    return render_template(
        "rounds/reveal.html",
        round_=round_,
        page=page,
        comparisons=reveal.comparisons_page(round_, held, page),
        summary=summary,
        schools_page=schools_page,
        outcomes=reveal.school_outcomes(round_, schools_page) if summary else [],
        withheld=withheld,
    )


@blueprint.route("/rounds/<int:round_id>/reveal/<code>", methods=["GET", "POST"])
@login_required
def reveal_entry(round_id: int, code: str) -> Response | tuple[str, int] | str:
    entry = _revealed_entry(round_id, code)
    round_ = entry.round
    deciding = can(current_user, Permission.ROUND_MANAGE, round_) and round_.state is RoundState.REVEAL
    form = OutcomeForm(version=entry.version)
    form.standard.choices = [SelectChoice(s.code, f"{s.code}: {s.label}") for s in entry.sample.framework.standards]
    if deciding and form.validate_on_submit():
        try:
            reveal.record_outcome(
                entry, form.standard.data or "", form.rationale.data or "", form.version.data or 0, current_user
            )
        except RoundError as error:
            show_error(form, error)
        else:
            flash(f"Agreed outcome for sample {entry.blind_code} recorded.", "success")
            return redirect(_index_url(entry))
    elif not deciding and form.is_submitted():
        abort(403)
    if entry.agreed_standard and not form.is_submitted():
        form.standard.data, form.rationale.data = entry.agreed_standard.code, entry.agreed_rationale
    record(current_user.id, "round.entry_revealed", entry)
    return render_form_page(
        "rounds/reveal_entry.html",
        form,
        round_=round_,
        comparison=reveal.compare(entry),
        deciding=deciding,
        index_url=_index_url(entry),
    )


def _index_url(entry: RoundEntry) -> str:
    """The index's page that lists ``entry``, at its row (the first page goes without a number)."""
    page = reveal.page_number_of(entry, blind_holds(current_user))
    return url_for(
        "rounds.reveal_index",
        round_id=entry.round_id,
        page=page if page > 1 else None,
        _anchor=f"sample-{entry.blind_code}",
    )


@blueprint.get("/rounds/<int:round_id>/reveal/<code>/pages/<int:number>/<variant>.jpg")
@login_required
def reveal_image(round_id: int, code: str, number: int, variant: str) -> Response:
    entry = _revealed_entry(round_id, code)
    page = numbered_page(entry.sample, number)
    record(current_user.id, f"round.entry_viewed_{variant}", entry, page_number=number)
    return serve_page_image(page, variant, f"reveal:{round_id}:{current_user.id}")


def _revealed_entry(round_id: int, code: str) -> RoundEntry:
    """The entry a revealed round calls ``code``, for someone who reads its reveal; 404 while they still judge its
    sample blind in another round, as if it were not there. Named by the round's random code, not its row id, as
    the panel are moderators too: sequential ids would let them count other rounds' work."""
    round_ = round_for(Permission.ROUND_REVEAL_READ, round_id)
    entry = db.session.scalar(select(RoundEntry).where(RoundEntry.round_id == round_.id, RoundEntry.blind_code == code))
    if entry is None or round_.state not in (RoundState.REVEAL, RoundState.CLOSED):
        abort(404)
    if entry.sample_id in blind_holds(current_user):
        abort(404)
    return entry
