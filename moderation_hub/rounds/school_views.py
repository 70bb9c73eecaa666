"""A school's side of a round: its assessment lead enters samples, sees what is missing, reads the outcome."""

from flask import abort, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from moderation_hub.db import get_or_404
from moderation_hub.permissions import Permission, authorize
from moderation_hub.rounds import reveal, services
from moderation_hub.rounds.access import attempt, part_of
from moderation_hub.rounds.blueprint import blueprint
from moderation_hub.rounds.forms import ActionForm, EnterSampleForm
from moderation_hub.rounds.models import ModerationRound, RoundEntry, RoundSchool, RoundState
from moderation_hub.samples.models import WorkSample


def _taking_part(round_id: int, taking_part_id: int, permission: Permission) -> RoundSchool:
    round_ = get_or_404(ModerationRound, round_id)
    taking_part = part_of(round_, RoundSchool, taking_part_id)
    authorize(permission, taking_part)
    return taking_part


@blueprint.get("/rounds/<int:round_id>/schools/<int:taking_part_id>/samples")
@login_required
def school_samples(round_id: int, taking_part_id: int) -> str:
    taking_part = _taking_part(round_id, taking_part_id, Permission.ROUND_SCHOOL_SUBMIT)
    entries = services.entries_of(taking_part)
    entered = {entry.sample_id for entry in entries}
    candidates = [sample for sample in services.school_candidates(taking_part) if sample.id not in entered]
    problems = services.problems_of(taking_part, candidates)
    return render_template(
        "rounds/school_samples.html",
        round_=taking_part.round,
        taking_part=taking_part,
        entries=entries,
        candidates=[(sample, problems[sample.id]) for sample in candidates],
        missing=services.missing_for(taking_part),
        form=EnterSampleForm(),
        action_form=ActionForm(version=0),
    )


@blueprint.post("/rounds/<int:round_id>/schools/<int:taking_part_id>/samples")
@login_required
def enter_sample(round_id: int, taking_part_id: int) -> Response:
    taking_part = _taking_part(round_id, taking_part_id, Permission.ROUND_SCHOOL_SUBMIT)
    form = EnterSampleForm()
    if not form.validate_on_submit():
        abort(400)
    sample = get_or_404(WorkSample, form.sample.data or 0)
    if sample.school_id != taking_part.school_id:
        abort(404)
    attempt(
        lambda: services.enter_sample(taking_part, sample, current_user),
        f"Pupil {sample.pupil_code}'s sample is entered in the round.",
    )
    return redirect(url_for("rounds.school_samples", round_id=round_id, taking_part_id=taking_part.id))


@blueprint.post("/rounds/<int:round_id>/schools/<int:taking_part_id>/entries/<int:entry_id>/withdraw")
@login_required
def withdraw_entry(round_id: int, taking_part_id: int, entry_id: int) -> Response:
    taking_part = _taking_part(round_id, taking_part_id, Permission.ROUND_SCHOOL_SUBMIT)
    entry = part_of(taking_part.round, RoundEntry, entry_id)
    if entry.school_id != taking_part.school_id or not ActionForm().validate_on_submit():
        abort(404 if entry.school_id != taking_part.school_id else 400)
    code = entry.sample.pupil_code
    attempt(lambda: services.withdraw_entry(entry, current_user), f"Pupil {code}'s sample is withdrawn.")
    return redirect(url_for("rounds.school_samples", round_id=round_id, taking_part_id=taking_part.id))


@blueprint.get("/rounds/<int:round_id>/schools/<int:taking_part_id>/outcome")
@login_required
def school_outcome(round_id: int, taking_part_id: int) -> str:
    taking_part = _taking_part(round_id, taking_part_id, Permission.ROUND_SCHOOL_OUTCOME)
    round_ = taking_part.round
    if round_.state not in (RoundState.REVEAL, RoundState.CLOSED):
        abort(404)
    # Until the round closes, only the samples whose outcome the panel has agreed are shown.
    entries = [
        entry
        for entry in services.entries_of(taking_part)
        if round_.state is RoundState.CLOSED or entry.agreed_standard_id is not None
    ]
    (outcome,) = reveal.school_outcomes(round_, school_id=taking_part.school_id)
    return render_template(
        "rounds/school_outcome.html", round_=round_, taking_part=taking_part, outcome=outcome, entries=entries
    )
