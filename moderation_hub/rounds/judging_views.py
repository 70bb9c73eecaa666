"""A moderator's blind judging: the queue, the judging page, autosaved drafts, submission, page images.

Pages here are built from ``blind.blind_view`` only. URLs name a sample by the round and its blind code, a page
by its position and a comment by an opaque name; image ETags are opaque names in this moderator's view. So no
URL, header or page names the school, the pupil or the uploaded file, or carries a row id that would let a
moderator count or order other schools' work.
"""

from collections.abc import Mapping

from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from moderation_hub.audit.services import record
from moderation_hub.db import db
from moderation_hub.frameworks.models import Standard
from moderation_hub.opaque import opaque_name
from moderation_hub.organisations.models import School
from moderation_hub.permissions import Permission, authorize
from moderation_hub.rounds import judging, services
from moderation_hub.rounds.access import attempt, own_judgement, round_for
from moderation_hub.rounds.blind import blind_view
from moderation_hub.rounds.blueprint import blueprint
from moderation_hub.rounds.errors import RoundError
from moderation_hub.rounds.forms import ActionForm, CommentForm, ConflictForm
from moderation_hub.rounds.models import Judgement, JudgementComment, ModeratorConflict, Verdict
from moderation_hub.rounds.paging import paging
from moderation_hub.samples.access import numbered_page, serve_page_image
from moderation_hub.templating import render_form_page, show_error, wants_json
from moderation_hub.text_rules import TextKind, UnsafeTextError, checked_text


@blueprint.get("/rounds/<int:round_id>/judging")
@login_required
def queue(round_id: int) -> str:
    """The moderator's samples in this round, ``judging.QUEUE_PER_PAGE`` at a time (``page``)."""
    round_ = round_for(Permission.ROUND_MODERATE, round_id)
    given, done = judging.queue_counts(current_user, round_)
    page = paging(given, judging.QUEUE_PER_PAGE, request.args.get("page", 1, type=int))
    if page is None:
        abort(404)
    return render_template(
        "rounds/queue.html",
        round_=round_,
        page=page,
        submitted=done,
        judgements=judging.queue_page(current_user, round_, page),
        window_notice=judging.window_notice(round_),
    )


JUDGEMENT_URL = "/rounds/<int:round_id>/judging/<code>"


@blueprint.get(JUDGEMENT_URL)
@login_required
def judge(round_id: int, code: str) -> str:
    judgement = own_judgement(round_id, code)
    record(current_user.id, "judgement.viewed", judgement)
    return _judging_page(judgement)


def _judging_page(
    judgement: Judgement,
    problems: list[str] | None = None,
    field: str | None = None,
    typed: Mapping[str, str] | None = None,
    comment_form: CommentForm | None = None,
) -> str:
    """The judging page; ``problems`` head it, linked to the input ``field`` names when one does, whose message
    is also shown by that input. The inputs hold ``typed`` (a refused post, as posted) or else the judgement."""
    sample = blind_view(judgement.entry)
    return render_template(
        "rounds/judge.html",
        judgement=judgement,
        round_=judgement.entry.round,
        sample=sample,
        # The page shown: the link's, or the one a refused comment was posted on, so it is pinned there when sent again.
        current=min(max(request.values.get("page", 1, type=int) - 1, 0), max(len(sample.pages) - 1, 0)),
        Verdict=Verdict,
        editable=judging.why_locked(judgement) is None,
        window_notice=judging.window_notice(judgement.entry.round),
        # A refused post keeps the version it was typed on, so saving it again cannot overwrite a change made
        # in another tab; a saved one carries the judgement's new version.
        form=ActionForm() if typed else ActionForm(formdata=None, version=judgement.version),
        typed=typed or _stored(judgement),
        comment_form=comment_form or CommentForm(formdata=None),
        comments=[(_comment_name(pinned), pinned) for pinned in judgement.comments],
        problems=problems or [],
        problem_anchor=_anchor(sample.framework.standards, field) if field else None,
        field_errors={field: problems[0]} if field and problems else {},
        max_note=judging.MAX_NOTE,
        max_rationale=judging.MAX_TEXT,
    )


def _stored(judgement: Judgement) -> dict[str, str]:
    """The judgement as the form's inputs hold it, keyed by their names as a post is."""
    values = {"standard": judgement.standard.code if judgement.standard else "", "rationale": judgement.rationale}
    for criterion_id, row in judgement.verdicts().items():
        values |= {f"verdict-{criterion_id}": row.verdict.value, f"note-{criterion_id}": row.note}
    return values


def _anchor(standards: list[Standard], field: str) -> str:
    """The input a refusal of ``field`` links to: a group of radios by its first radio, as GOV.UK does."""
    if field == "standard":
        return f"standard-{standards[0].code}"
    if field.startswith("verdict-"):
        return f"{field}-{next(iter(Verdict)).value}"
    return field


def _given(judgement: Judgement) -> judging.JudgementInput:
    """The judging form as posted: a standard's code, a rationale, and per criterion a verdict and note.

    It is read by hand (its fields follow the framework's criteria), so its text is checked here, as a form's is,
    and a refusal names the field as the page labels it."""
    codes = {criterion.id: criterion.code for criterion in judgement.entry.sample.framework.criteria}
    verdicts, notes = {}, {}
    for name, value in request.form.items():
        prefix, _, raw_id = name.partition("-")
        if prefix not in ("verdict", "note") or not raw_id.isdigit():
            continue
        if int(raw_id) not in codes:
            raise RoundError("A criterion is not part of this sample's framework", name)
        code = codes[int(raw_id)]
        if prefix == "note":
            notes[int(raw_id)] = checked_text(f"Note on {code}", value, TextKind.LINE, name)
        elif value:
            if value not in Verdict.__members__.values():
                raise RoundError(f"Verdict on {code} must be {', '.join(v.label for v in Verdict)}", name)
            verdicts[int(raw_id)] = Verdict(value)
    return judging.JudgementInput(
        standard_code=checked_text("Standard", request.form.get("standard", ""), TextKind.LINE, "standard"),
        rationale=checked_text("Rationale", request.form.get("rationale", ""), TextKind.PROSE, "rationale"),
        verdicts=verdicts,
        notes=notes,
    )


@blueprint.post(JUDGEMENT_URL)
@login_required
def save(round_id: int, code: str) -> Response | tuple[Response | str, int]:
    """Autosave (JSON), "Save draft" or "Submit". A refusal changes nothing and says why."""
    judgement = own_judgement(round_id, code)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    submitting = request.form.get("action") == "submit"
    try:
        given = _given(judgement)
        if submitting:
            problems = judging.submit(judgement, given, form.version.data or 0, current_user)
        else:
            judging.save_draft(judgement, given, form.version.data or 0, current_user)
            problems = []
    except (RoundError, UnsafeTextError) as error:
        db.session.rollback()
        return _refused(judgement, error)
    if wants_json():
        return jsonify({"version": judgement.version, "state": judgement.state.value, "problems": problems})
    if problems:
        return _judging_page(judgement, ["Your draft is saved, but it cannot be submitted yet.", *problems]), 200
    if submitting:
        flash(f"Your judgement of sample {judgement.entry.blind_code} is submitted.", "success")
        return redirect(url_for("rounds.queue", round_id=judgement.entry.round_id))
    flash("Draft saved.", "success")
    return redirect(_judging_url(judgement))


def _refused(judgement: Judgement, error: RoundError | UnsafeTextError) -> tuple[Response | str, int]:
    """A refusal naming an input is the input's fault (400, fix that field); one naming none is the judgement's
    state (409: locked, or changed in another tab), which reloading shows."""
    status = 400 if error.field else 409
    if wants_json():  # read by static/js/rounds/autosave.mjs, which shows a field's refusal by the field
        return jsonify({"error": str(error), **({"field": error.field} if error.field else {})}), status
    # The rollback expired the judgement, so it reloads as stored: the inputs show what was posted instead.
    return _judging_page(judgement, [str(error)], error.field, request.form), status


def _judging_url(judgement: Judgement, **args: str) -> str:
    entry = judgement.entry
    return url_for("rounds.judge", round_id=entry.round_id, code=entry.blind_code, **args)


@blueprint.get(f"{JUDGEMENT_URL}/pages/<int:number>/<variant>.jpg")
@login_required
def page_image(round_id: int, code: str, number: int, variant: str) -> Response:
    """Page ``number`` (from 1) of the sample: the URL names neither the page's row nor its file."""
    judgement = own_judgement(round_id, code)
    page = numbered_page(judgement.entry.sample, number)
    record(current_user.id, f"judgement.viewed_{variant}", judgement, page_number=number)
    return serve_page_image(page, variant, f"judging:{round_id}:{current_user.id}")


@blueprint.post(f"{JUDGEMENT_URL}/comments")
@login_required
def add_comment(round_id: int, code: str) -> Response | tuple[str, int]:
    judgement = own_judgement(round_id, code)
    form = CommentForm()
    if not form.validate_on_submit():  # shown again with what was typed, the error by the comment box
        field, (message, *_) = next(iter(form.errors.items()))
        return _judging_page(judgement, [message], field, comment_form=form), 400
    page = numbered_page(judgement.entry.sample, form.page.data or 0)
    attempt(
        lambda: judging.add_comment(judgement, page, form.comment.data or "", current_user),
        f"Comment added to page {page.position + 1}.",
    )
    return redirect(_judging_url(judgement, _anchor="comments"))


def _comment_name(pinned: JudgementComment) -> str:
    """How the page names a comment: its row id is a count of every moderator's comments."""
    return opaque_name("comment", pinned.id)


@blueprint.post(f"{JUDGEMENT_URL}/comments/<name>/remove")
@login_required
def remove_comment(round_id: int, code: str, name: str) -> Response:
    judgement = own_judgement(round_id, code)
    pinned = next((c for c in judgement.comments if _comment_name(c) == name), None)
    if pinned is None:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    attempt(lambda: judging.remove_comment(pinned, current_user))
    return redirect(_judging_url(judgement, _anchor="comments"))


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
