"""Work sample pages for the school's teachers: list, create, edit, pieces, evidence, submit."""

from typing import TypeVar

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from moderation_hub import clock
from moderation_hub.accounts.models import Role
from moderation_hub.audit.services import record
from moderation_hub.db import db, get_or_404
from moderation_hub.frameworks.models import Criterion, Framework
from moderation_hub.organisations.models import School
from moderation_hub.permissions import Permission, authorize
from moderation_hub.rounds.outcomes import outcomes_of
from moderation_hub.samples import services
from moderation_hub.samples.access import editable_sample, part_of, readable_sample, refuse_with_409, require_button
from moderation_hub.samples.blueprint import blueprint
from moderation_hub.samples.forms import EditSampleForm, NewSampleForm, PieceForm, UploadForm, VersionedActionForm
from moderation_hub.samples.models import EvidenceStatus, Independence, Piece
from moderation_hub.samples.pages import MAX_QUERY
from moderation_hub.samples.progress import file_tag, page_progress
from moderation_hub.samples.services import PieceDetails, SampleDetails, SampleError
from moderation_hub.samples.uploads import duplicates_of
from moderation_hub.templating import render_form_page, show_error


@blueprint.get("/samples")
@login_required
def index() -> str:
    authorize(Permission.SAMPLE_LIST)
    school_ids = current_user.schools_with_role(Role.TEACHER, Role.ASSESSMENT_LEAD)
    schools = list(db.session.scalars(select(School).where(School.id.in_(school_ids)).order_by(School.name)))
    return render_template("samples/index.html", schools=schools, samples=services.samples_of_schools(school_ids))


@blueprint.route("/schools/<int:school_id>/samples/new", methods=["GET", "POST"])
@login_required
def new(school_id: int) -> Response | tuple[str, int] | str:
    school = get_or_404(School, school_id)
    authorize(Permission.SAMPLE_CREATE, school)
    form = _details_form(NewSampleForm())
    form.framework.choices = [SelectChoice("", "Choose a framework")] + [
        SelectChoice(f.id, f"{f.title} (version {f.version})") for f in _frameworks()
    ]
    if form.validate_on_submit():
        try:
            sample = services.create_sample(
                school, db.session.get_one(Framework, form.framework.data), _details(form), current_user
            )
        except SampleError as error:
            show_error(form, error)
        else:
            flash("Sample created. Now add the pieces of work and upload their pages.", "success")
            return redirect(url_for("samples.detail", sample_id=sample.id))
    return render_form_page("samples/new.html", form, school=school)


@blueprint.get("/samples/<int:sample_id>")
@login_required
def detail(sample_id: int) -> str:
    sample = readable_sample(sample_id)
    record(current_user.id, "sample.viewed", sample)
    return render_template(
        "samples/detail.html",
        sample=sample,
        problems=services.submission_problems(sample),
        duplicates=duplicates_of(sample),
        progress=page_progress(sample),
        file_tags={source.id: file_tag(source) for source in sample.files},
        upload_form=UploadForm(),
        piece_form=PieceForm(),
        action_form=VersionedActionForm(version=sample.version),
        max_query=MAX_QUERY,
        outcomes=outcomes_of(current_user, sample),
    )


@blueprint.route("/samples/<int:sample_id>/edit", methods=["GET", "POST"])
@login_required
def edit(sample_id: int) -> Response | tuple[str, int] | str:
    sample = editable_sample(sample_id)
    form = _details_form(EditSampleForm(obj=sample))
    form.teacher_judgement.choices = [SelectChoice(s.code, f"{s.code}: {s.label}") for s in sample.framework.standards]
    if request.method == "GET":
        form.teacher_judgement.data = sample.teacher_judgement.code if sample.teacher_judgement else None
    if form.validate_on_submit():
        try:
            services.update_sample(sample, _details(form), form.version.data or 0, current_user)
        except SampleError as error:
            show_error(form, error)
        else:
            flash("Sample saved.", "success")
            return redirect(url_for("samples.detail", sample_id=sample.id))
    return render_form_page("samples/edit.html", form, sample=sample)


@blueprint.post("/samples/<int:sample_id>/pieces")
@login_required
def add_piece(sample_id: int) -> Response | tuple[str, int] | str:
    sample = editable_sample(sample_id)
    form = PieceForm()
    if form.validate_on_submit():
        details = PieceDetails(
            form.title.data or "", form.purpose.data or "", form.written_on.data, Independence(form.independence.data)
        )
        try:
            services.add_piece(sample, details, current_user)
        except SampleError as error:
            show_error(form, error)
        else:
            flash("Piece of work added.", "success")
            return redirect(url_for("samples.detail", sample_id=sample.id, _anchor="pieces"))
    return render_form_page("samples/add_piece.html", form, sample=sample)


@blueprint.post("/samples/<int:sample_id>/pieces/<int:piece_id>/remove")
@login_required
def remove_piece(sample_id: int, piece_id: int) -> Response:
    sample = editable_sample(sample_id)
    piece = part_of(sample, Piece, piece_id)
    require_button()
    refuse_with_409(lambda: services.remove_piece(sample, piece, current_user))
    flash("Piece of work removed.", "success")
    return redirect(url_for("samples.detail", sample_id=sample.id, _anchor="pieces"))


@blueprint.route("/samples/<int:sample_id>/evidence", methods=["GET", "POST"])
@login_required
def evidence(sample_id: int) -> Response | tuple[str, int] | str:
    sample = editable_sample(sample_id) if request.method == "POST" else readable_sample(sample_id)
    form = VersionedActionForm(version=sample.version)
    problems: dict[str, str] = {}
    if form.validate_on_submit():
        claims = {criterion: _posted_claim(criterion, problems) for criterion in sample.framework.criteria}
        if not problems:
            for criterion, (status, note) in claims.items():
                refuse_with_409(
                    lambda c=criterion, s=status, n=note: services.set_evidence(sample, c, s, n, current_user)
                )
            flash("Evidence saved.", "success")
            return redirect(url_for("samples.detail", sample_id=sample.id, _anchor="evidence"))
    claims = {claim.criterion_id: claim for claim in sample.evidence}
    page = render_template(
        "samples/evidence.html",
        sample=sample,
        form=form,
        claims=claims,
        statuses=EvidenceStatus,
        problems=problems,
        max_note=services.MAX_NOTE_LENGTH,
    )
    return (page, 400) if problems else page


def _posted_claim(criterion: Criterion, problems: dict[str, str]) -> tuple[EvidenceStatus | None, str]:
    """The claim posted for ``criterion``; what cannot be saved goes into ``problems`` by field, named by label."""
    status_field, note_field = f"status-{criterion.id}", f"note-{criterion.id}"
    raw_status = request.form.get(status_field, "")
    if raw_status and raw_status not in EvidenceStatus.__members__.values():
        problems[status_field] = (
            f"Claim for {criterion.code} must be No claim, {', '.join(s.label for s in EvidenceStatus)}"
        )
    note = request.form.get(note_field, "")
    if problem := services.note_problem(note):
        problems[note_field] = f"Note on {criterion.code} {problem}"
    if status_field in problems or note_field in problems:
        return None, ""
    return (EvidenceStatus(raw_status) if raw_status else None), note


@blueprint.post("/samples/<int:sample_id>/submit")
@login_required
def submit(sample_id: int) -> Response:
    sample = editable_sample(sample_id)
    form = VersionedActionForm()
    if not form.validate_on_submit():
        abort(400)
    refuse_with_409(lambda: services.submit(sample, form.version.data or 0, current_user))
    flash("Sample submitted. It is now locked: ask your assessment lead if something needs to change.", "success")
    return redirect(url_for("samples.detail", sample_id=sample.id))


def _frameworks() -> list[Framework]:
    return list(db.session.scalars(select(Framework).order_by(Framework.title, Framework.version.desc())))


DetailsForm = TypeVar("DetailsForm", NewSampleForm, EditSampleForm)


def _details_form(form: DetailsForm) -> DetailsForm:
    this_year = clock.current_academic_year()
    form.academic_year.choices = [
        SelectChoice(year, f"{year}/{(year + 1) % 100:02d}") for year in range(this_year, this_year - 3, -1)
    ]
    if request.method == "GET" and form.academic_year.data is None:
        form.academic_year.data = this_year
    return form


def _details(form: NewSampleForm | EditSampleForm) -> SampleDetails:
    judged = {}
    if isinstance(form, EditSampleForm):
        judged = {"teacher_judgement_code": form.teacher_judgement.data or "", "commentary": form.commentary.data or ""}
    return SampleDetails(
        pupil_code=form.pupil_code.data or "",
        year_group=form.year_group.data,
        academic_year=form.academic_year.data,
        **judged,
    )
