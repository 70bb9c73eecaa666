"""A moderator's blind judging: the queue, the judging page, autosaved drafts, submission, page images.

Pages here are built from ``blind.blind_view`` only, and images are addressed by the judgement and the
page's position, so no URL, header or page names the school, the pupil or the uploaded file.
"""

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from moderation_hub.audit.services import record
from moderation_hub.db import db, get_or_404
from moderation_hub.organisations.models import School
from moderation_hub.permissions import Permission, authorize
from moderation_hub.rounds import judging, services
from moderation_hub.rounds.access import attempt, own_judgement, round_for
from moderation_hub.rounds.blind import blind_view
from moderation_hub.rounds.blueprint import blueprint
from moderation_hub.rounds.errors import RoundError
from moderation_hub.rounds.forms import ActionForm, CommentForm, ConflictForm
from moderation_hub.rounds.models import Judgement, JudgementComment, ModeratorConflict, Verdict
from moderation_hub.samples.access import image_key, numbered_page
from moderation_hub.storage import storage
from moderation_hub.templating import render_form_page, show_error, wants_json


@blueprint.get("/rounds/<int:round_id>/judging")
@login_required
def queue(round_id: int) -> str:
    round_ = round_for(Permission.ROUND_MODERATE, round_id)
    return render_template(
        "rounds/queue.html",
        round_=round_,
        judgements=judging.queue_of(current_user, round_),
        window_notice=judging.window_notice(round_),
    )


@blueprint.get("/judgements/<int:judgement_id>")
@login_required
def judge(judgement_id: int) -> str:
    judgement = own_judgement(judgement_id)
    record(current_user.id, "judgement.viewed", judgement)
    return _judging_page(judgement)


def _judging_page(judgement: Judgement, problems: list[str] | None = None) -> str:
    sample = blind_view(judgement.entry)
    return render_template(
        "rounds/judge.html",
        judgement=judgement,
        round_=judgement.entry.round,
        sample=sample,
        current=min(max(request.args.get("page", 1, type=int) - 1, 0), max(len(sample.pages) - 1, 0)),
        verdicts=judgement.verdicts(),
        Verdict=Verdict,
        editable=judging.why_locked(judgement) is None,
        window_notice=judging.window_notice(judgement.entry.round),
        form=ActionForm(version=judgement.version),
        comment_form=CommentForm(),
        problems=problems or [],
    )


def _given() -> judging.JudgementInput:
    """The judging form as posted: a standard's code, a rationale, and per criterion a verdict and note."""
    verdicts, notes = {}, {}
    for name, value in request.form.items():
        prefix, _, raw_id = name.partition("-")
        if not raw_id.isdigit():
            continue
        if prefix == "verdict" and value:
            if value not in Verdict.__members__.values():
                abort(400)
            verdicts[int(raw_id)] = Verdict(value)
        elif prefix == "note":
            notes[int(raw_id)] = value
    return judging.JudgementInput(
        standard_code=request.form.get("standard", ""),
        rationale=request.form.get("rationale", ""),
        verdicts=verdicts,
        notes=notes,
    )


@blueprint.post("/judgements/<int:judgement_id>")
@login_required
def save(judgement_id: int) -> Response | tuple[Response | str, int]:
    """Autosave (JSON), "Save draft" or "Submit". A refusal changes nothing and says why."""
    judgement = own_judgement(judgement_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    submitting = request.form.get("action") == "submit"
    try:
        if submitting:
            problems = judging.submit(judgement, _given(), form.version.data or 0, current_user)
        else:
            judging.save_draft(judgement, _given(), form.version.data or 0, current_user)
            problems = []
    except RoundError as error:
        db.session.rollback()
        if wants_json():
            return jsonify({"error": str(error)}), 409
        return _judging_page(db.session.get_one(Judgement, judgement_id), [str(error)]), 409
    if wants_json():
        return jsonify({"version": judgement.version, "state": judgement.state.value, "problems": problems})
    if problems:
        return _judging_page(judgement, ["Your draft is saved, but it cannot be submitted yet.", *problems]), 200
    if submitting:
        flash(f"Your judgement of sample {judgement.entry.blind_code} is submitted.", "success")
        return redirect(url_for("rounds.queue", round_id=judgement.entry.round_id))
    flash("Draft saved.", "success")
    return redirect(url_for("rounds.judge", judgement_id=judgement.id))


@blueprint.get("/judgements/<int:judgement_id>/pages/<int:number>/<variant>.jpg")
@login_required
def page_image(judgement_id: int, number: int, variant: str) -> Response:
    """Page ``number`` (from 1) of the sample: the URL names neither the page's row nor its file."""
    judgement = own_judgement(judgement_id)
    key = image_key(numbered_page(judgement.entry.sample, number), variant)
    record(current_user.id, f"judgement.viewed_{variant}", judgement, page_number=number)
    return storage().serve(key, "image/jpeg")


@blueprint.post("/judgements/<int:judgement_id>/comments")
@login_required
def add_comment(judgement_id: int) -> Response:
    judgement = own_judgement(judgement_id)
    form = CommentForm()
    if not form.validate_on_submit():
        flash("Write the comment before adding it.", "error")
        return redirect(url_for("rounds.judge", judgement_id=judgement.id, _anchor="comments"))
    pages = {page.id: page for page in judgement.entry.sample.pages}
    page = pages.get(form.page.data or 0)
    if page is None:
        abort(404)
    attempt(
        lambda: judging.add_comment(judgement, page, form.comment.data or "", current_user),
        f"Comment added to page {page.position + 1}.",
    )
    return redirect(url_for("rounds.judge", judgement_id=judgement.id, _anchor="comments"))


@blueprint.post("/judgements/<int:judgement_id>/comments/<int:comment_id>/remove")
@login_required
def remove_comment(judgement_id: int, comment_id: int) -> Response:
    judgement = own_judgement(judgement_id)
    pinned = get_or_404(JudgementComment, comment_id)
    if pinned.judgement_id != judgement.id or not ActionForm().validate_on_submit():
        abort(404 if pinned.judgement_id != judgement.id else 400)
    attempt(lambda: judging.remove_comment(pinned, current_user))
    return redirect(url_for("rounds.judge", judgement_id=judgement.id, _anchor="comments"))


@blueprint.route("/conflicts", methods=["GET", "POST"])
@login_required
def conflicts() -> Response | tuple[str, int] | str:
    """Anyone who may moderate declares the schools they should never judge."""
    authorize(Permission.CONFLICT_DECLARE)
    authority_ids = {m.authority_id or (m.school.authority_id if m.school else None) for m in current_user.memberships}
    schools = list(
        db.session.scalars(select(School).where(School.authority_id.in_(authority_ids - {None})).order_by(School.name))
    )
    form = ConflictForm()
    form.school.choices = [SelectChoice(school.id, f"{school.name} (URN {school.urn})") for school in schools]
    if form.validate_on_submit():
        school = db.session.get_one(School, form.school.data)
        try:
            services.declare_conflict(current_user, school, form.reason.data or "")
        except RoundError as error:
            show_error(form, error)
        else:
            flash(f"Conflict with {school.name} declared: you will not be given its work.", "success")
            return redirect(url_for("rounds.conflicts"))
    declared = db.session.scalars(
        select(ModeratorConflict).where(ModeratorConflict.user_id == current_user.id).order_by(ModeratorConflict.id)
    )
    return render_form_page("rounds/conflicts.html", form, declared=list(declared))
