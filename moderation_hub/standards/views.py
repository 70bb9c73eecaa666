"""The standards file's pages: the library readers browse, each exemplar and its images; the LA lead's candidates,
rule, drafts and publication; the second person's page check; and the school's permissions and flags."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from moderation_hub import clock
from moderation_hub.accounts.models import Role
from moderation_hub.audit.services import record
from moderation_hub.db import db, get_or_404
from moderation_hub.downloads import services as downloads
from moderation_hub.frameworks.models import Framework, Standard
from moderation_hub.organisations.models import LocalAuthority, School
from moderation_hub.permissions import Permission, authorize, can
from moderation_hub.rounds.models import RoundEntry
from moderation_hub.samples.access import image_name, numbered_page, serve_page_image
from moderation_hub.samples.models import WorkSample
from moderation_hub.standards import booklet as booklets
from moderation_hub.standards import candidates, compare, library, progression, publication, statements, versions
from moderation_hub.standards.agreement import Rule
from moderation_hub.standards.booklet_forms import BookletForm
from moderation_hub.standards.commentary import Commentary, statement_field
from moderation_hub.standards.errors import StandardsError
from moderation_hub.standards.forms import (
    ButtonForm,
    CheckForm,
    NeverPublishForm,
    OutsideForm,
    PairForm,
    PermissionForm,
    RuleForm,
    VersionedButtonForm,
    commentary_form,
)
from moderation_hub.standards.models import BoundaryPair, Exemplar, NeverPublish, PublicationScope
from moderation_hub.standards.public import signed_in_or_public, template_values
from moderation_hub.standards.search import filter_choices, parse
from moderation_hub.standards.search import search as search_exemplars
from moderation_hub.standards.search_form import SearchForm
from moderation_hub.storage import storage
from moderation_hub.templating import render_form_page, show_error

blueprint = Blueprint("standards", __name__)
blueprint.context_processor(template_values)  # public_reader: leave out what might identify a school


# Readers.


@blueprint.get("/standards")
@signed_in_or_public
def browse() -> str:
    authorize(Permission.STANDARDS_BROWSE)
    found = library.browse(current_user, request.args, request.args.get("page", 1, type=int))
    if found is None:
        abort(404)
    return render_template(
        "standards/browse.html",
        found=found,
        labels=library.FACET_LABELS,
        curated=_led(LocalAuthority, current_user.authorities_with_role(Role.LA_LEAD)),
        schools=_led(School, current_user.schools_with_role(Role.ASSESSMENT_LEAD)),
    )


def _led(model: type[LocalAuthority] | type[School], ids: list[int]) -> list:
    """The authorities whose standards file the reader curates, or schools whose permission they record."""
    return list(db.session.scalars(select(model).where(model.id.in_(ids)).order_by(model.name))) if ids else []


@blueprint.get("/standards/search")
@signed_in_or_public
def search() -> tuple[str, int] | str:
    """Words found in the exemplars the reader may read (the public too, where the installation allows it), with the
    browse filters; an address the form refuses is answered 400 with its errors, a page past the last 404."""
    authorize(Permission.STANDARDS_BROWSE)
    form = SearchForm(request.args)
    form.offer(filter_choices())
    if not request.args:
        return render_template("standards/search.html", form=form, results=None)
    if not form.validate():
        return render_template("standards/search.html", form=form, results=None), 400
    query, page_number = parse(form.q.data or ""), request.args.get("page", 1, type=int)
    results = search_exemplars(current_user, query, form.filters(), page_number) if query and page_number > 0 else None
    if query and results is None:
        abort(404)
    return render_template("standards/search.html", form=form, results=results, query=query)


@blueprint.get("/standards/<code>")
@signed_in_or_public
def exemplar(code: str) -> str:
    """The current revision, or an earlier one (``revision=N``); annotated, or for practice (``view=unannotated``)."""
    shown = _readable(code)
    number = request.args.get("revision", type=int)
    revision = shown.current if number is None else next((r for r in shown.revisions if r.number == number), None)
    if revision is None:
        abort(404)
    record(current_user.id, "exemplar.viewed", shown, revision=revision.number)
    return render_template(
        "standards/exemplar.html",
        exemplar=shown,
        revision=revision,
        unannotated=request.args.get("view") == "unannotated",
        newer=versions.newer_version(shown.framework),
    )


@blueprint.get("/standards/<code>/pages/<int:number>/<variant>.jpg")
@signed_in_or_public
def exemplar_image(code: str, number: int, variant: str) -> Response:
    shown = _readable(code)
    image = library.image_of(shown, number)
    if image is None or variant not in ("display", "thumbnail"):
        abort(404)
    key = image.display_key if variant == "display" else image.thumbnail_key
    response = storage().serve(key, "image/jpeg", etag=image_name(f"standards:{current_user.id}", key))
    # The browser asks again every time (a 304 costs no read of the store), so the permission is checked every
    # time: once it is withdrawn or expires, no cache keeps showing the image.
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _readable(code: str) -> Exemplar:
    """The exemplar, if ``current_user`` may read it today; else 404, whatever the reason (it is not there to them)."""
    found = library.readable_by_code(current_user, code)
    if found is None:
        abort(404)
    return found


# Readers across key stages: progression, a statement at each standard, two exemplars side by side.


@blueprint.get("/standards/progression")
@signed_in_or_public
def progression_view() -> str:
    authorize(Permission.STANDARDS_BROWSE)
    found = progression.progression(current_user, request.args.get("subject"), _number_arg("framework"))
    if found is None:
        abort(404)
    pairs = compare.readable_pairs(current_user, framework_ids=[table.framework_id for table in found.tables])
    return render_template("standards/progression.html", found=found, pairs=pairs if found.tables else [])


@blueprint.get("/standards/frameworks/<int:framework_id>/statements")
@signed_in_or_public
def framework_statements(framework_id: int) -> str:
    authorize(Permission.STANDARDS_BROWSE)
    framework = get_or_404(Framework, framework_id)
    listed = statements.framework_statements(current_user, framework)
    return render_template("standards/statements.html", framework=framework, listed=listed)


@blueprint.get("/standards/frameworks/<int:framework_id>/statements/<code>")
@signed_in_or_public
def statement(framework_id: int, code: str) -> str:
    authorize(Permission.STANDARDS_BROWSE)
    criterion = statements.find_criterion(framework_id, code)
    if criterion is None:
        abort(404)
    standard = request.args.get("standard")
    found = statements.statement_view(current_user, criterion, standard, _number_arg("page") or 1)
    if found is None:
        abort(404)
    return render_template("standards/statement.html", found=found, one_standard=standard is not None)


@blueprint.get("/standards/compare")
@signed_in_or_public
def compare_view() -> str:
    """Two exemplars side by side (``a`` and ``b``); with ``a`` alone, the exemplars to compare it with."""
    authorize(Permission.STANDARDS_BROWSE)
    first = _readable_arg("a")
    if first is None:
        abort(400)
    second = _readable_arg("b")
    if second is None:
        found = compare.partners(current_user, first, _number_arg("page") or 1)
        if found is None:
            abort(404)
        pairs = compare.readable_pairs(current_user, exemplar_id=first.id)
        return render_template("standards/compare.html", first=first, page=found[0], partners=found[1], pairs=pairs)
    if second.id == first.id:
        abort(400)
    pair = compare.pair_between(current_user, first, second)
    return render_template("standards/compare.html", first=first, second=second, pair=pair)


def _readable_arg(name: str) -> Exemplar | None:
    """The exemplar whose code the query argument ``name`` gives: None when absent, 404 unless readable."""
    code = request.args.get(name)
    if code is None:
        return None
    if not compare.EXEMPLAR_CODE.fullmatch(code):
        abort(404)
    return _readable(code)


def _number_arg(name: str) -> int | None:
    """A query argument that must be a whole number: None when absent, 400 when it is anything else."""
    value = request.args.get(name)
    if value is None:
        return None
    if not (value.isascii() and value.isdigit()) or len(value) > 9:
        abort(400)
    return int(value)


@blueprint.route("/authorities/<int:authority_id>/standards/pairs", methods=["GET", "POST"])
@login_required
def pairs(authority_id: int) -> Response | tuple[str, int] | str:
    """The authority's boundary pairs, those the library proposes, and marking one."""
    authority = _curated_authority(authority_id)
    form = PairForm()
    if form.validate_on_submit():
        at = compare.curated_exemplar(authority, form.at.data or "")
        below = compare.curated_exemplar(authority, form.below.data or "")
        try:
            if at is None or below is None:
                raise StandardsError("Enter the codes of two of this authority's exemplars", "at")
            compare.mark_pair(authority, at, below, form.note.data or "", current_user)
        except StandardsError as error:
            show_error(form, error)
        else:
            flash(f"{at.code} and {below.code} are a boundary pair.", "success")
            return redirect(url_for(".pairs", authority_id=authority.id))
    return render_form_page(
        "standards/pairs.html",
        form,
        authority=authority,
        marked=compare.marked_pairs(authority),
        proposed=compare.proposed_pairs(authority),
        button=ButtonForm(),
    )


@blueprint.post("/authorities/<int:authority_id>/standards/pairs/<int:pair_id>/remove")
@login_required
def remove_pair(authority_id: int, pair_id: int) -> Response:
    authority = _curated_authority(authority_id)
    pair = get_or_404(BoundaryPair, pair_id)
    if pair.authority_id != authority.id:
        abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    compare.remove_pair(pair, current_user)
    flash("The boundary pair has been removed.", "success")
    return redirect(url_for(".pairs", authority_id=authority.id))


# A booklet: a selection printed as one PDF, prepared off the request path.


@blueprint.route("/standards/booklet", methods=["GET", "POST"])
@login_required
def booklet() -> Response | tuple[str, int] | str:
    authorize(Permission.STANDARDS_BROWSE)
    form = BookletForm()
    form.offer(booklets.choices_for(current_user))
    if form.validate_on_submit():
        try:
            asked = booklets.selection(current_user, form.filters())
        except StandardsError as error:
            show_error(form, error)
        else:
            download = downloads.ask_for(current_user, booklets.BOOKLET_KIND, asked.as_arguments())
            if download is not None:
                return redirect(url_for("downloads.progress", download_id=download.id), 303)
            show_error(form, StandardsError(booklets.NOTHING_MATCHES, "framework"))  # withdrawn since it was counted
    return render_form_page("standards/booklet.html", form)


# The LA lead: candidates, rule, drafts.


@blueprint.get("/authorities/<int:authority_id>/standards")
@login_required
def curate(authority_id: int) -> str:
    authority = _curated_authority(authority_id)
    found = candidates.candidates_page(authority, request.args.get("page", 1, type=int))
    rejudge = versions.to_rejudge(authority, request.args.get("rejudge_page", 1, type=int))
    exemplars = candidates.authority_exemplars(authority, request.args.get("exemplars_page", 1, type=int))
    if found is None or rejudge is None or exemplars is None:
        abort(404)
    return render_template(
        "standards/curate.html",
        authority=authority,
        found=found,
        rejudge=rejudge,
        exemplars=exemplars,
        button=ButtonForm(),
    )


@blueprint.route("/authorities/<int:authority_id>/standards/rule", methods=["GET", "POST"])
@login_required
def rule(authority_id: int) -> Response | tuple[str, int] | str:
    authority = _curated_authority(authority_id)
    current = candidates.rule_of(authority)
    form = RuleForm(obj=current)
    if form.validate_on_submit():
        settings = Rule(form.min_moderators.data, form.min_overall_percent.data, form.min_criterion_percent.data)
        try:
            candidates.save_rule(authority, settings, form.version.data, current_user)
        except StandardsError as error:
            show_error(form, error)
        else:
            flash("The rule for candidates has been saved.", "success")
            return redirect(url_for(".curate", authority_id=authority.id))
    return render_form_page("standards/rule.html", form, authority=authority)


@blueprint.route("/authorities/<int:authority_id>/standards/outside", methods=["GET", "POST"])
@login_required
def add_outside(authority_id: int) -> Response | tuple[str, int] | str:
    authority = _curated_authority(authority_id)
    form = OutsideForm()
    form.school.choices = [SelectChoice(school.id, school.name) for school in authority.schools]
    this_year = clock.current_academic_year()
    form.academic_year.choices = [
        SelectChoice(year, f"{year}/{(year + 1) % 100:02d}") for year in range(this_year, this_year - 6, -1)
    ]
    form.standard.choices = _standard_choices()
    if form.validate_on_submit():
        school = db.session.get(School, form.school.data)
        standard = db.session.get(Standard, form.standard.data)
        try:
            if school is None or standard is None:
                raise StandardsError("Choose the school and the standard", "school")
            added = candidates.add_outside(
                authority,
                current_user,
                school=school,
                pupil_code=form.pupil_code.data or "",
                academic_year=form.academic_year.data,
                standard=standard,
                note=form.note.data or "",
            )
        except StandardsError as error:
            show_error(form, error)
        else:
            flash(
                "The sample is in the standards file as a draft, marked as moderated outside the platform.", "success"
            )
            return redirect(url_for(".draft", code=added.code))
    return render_form_page("standards/outside.html", form, authority=authority)


def _standard_choices() -> list[SelectChoice]:
    statement = (
        select(Standard, Framework).join(Framework).order_by(Framework.title, Framework.version, Standard.position)
    )
    return [
        SelectChoice(standard.id, f"{framework.title} (version {framework.version}): {standard.code}, {standard.label}")
        for standard, framework in db.session.execute(statement)
    ]


@blueprint.post("/standards/candidates/<int:entry_id>/promote")
@login_required
def promote(entry_id: int) -> Response:
    entry = get_or_404(RoundEntry, entry_id)
    authorize(Permission.STANDARDS_CURATE, entry.round.authority)
    if not ButtonForm().validate_on_submit():
        abort(400)
    try:
        promoted = candidates.promote(entry, current_user)
    except StandardsError as error:
        flash(str(error), "error")
        return redirect(url_for(".curate", authority_id=entry.round.authority_id))
    flash("The sample is in the standards file as a draft. Ask the school for permission to publish it.", "success")
    return redirect(url_for(".draft", code=promoted.code))


def _curated_authority(authority_id: int) -> LocalAuthority:
    authority = get_or_404(LocalAuthority, authority_id)
    authorize(Permission.STANDARDS_CURATE, authority)
    return authority


@blueprint.route("/standards/drafts/<code>", methods=["GET", "POST"])
@login_required
def draft(code: str) -> Response | tuple[str, int] | str:
    curated = _exemplar_for(Permission.EXEMPLAR_CURATE, code)
    framework_statements = publication.statements_of(curated)
    drafted = {statement_field(code): text for code, text in curated.draft_statements.items()}
    form = commentary_form(
        framework_statements,
        publication.next_standard(curated),
        data={
            "commentary": curated.draft_commentary,
            "why_not_next": curated.draft_why_not_next,
            "version": curated.version,
            **drafted,
        },
    )
    if form.validate_on_submit():
        written = Commentary(form.commentary.data or "", form.why_not_next.data or "", form.statements())
        try:
            revision = publication.save_commentary(curated, written, form.version.data, current_user)
        except StandardsError as error:
            show_error(form, error)
        else:
            done = f"Revision {revision.number} is published." if revision else "The commentary has been saved."
            flash(done, "success")
            return redirect(url_for(".draft", code=curated.code))
    return render_form_page(
        "standards/draft.html",
        form,
        exemplar=curated,
        problems=publication.gate(curated),
        checks=publication.current_checks(curated),
        permission=publication.live_permission(curated.sample),
        newer=versions.newer_version(curated.framework),
        publish_form=VersionedButtonForm(version=curated.version),
    )


@blueprint.post("/standards/drafts/<code>/publish")
@login_required
def publish(code: str) -> Response:
    curated = _exemplar_for(Permission.EXEMPLAR_CURATE, code)
    form = VersionedButtonForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        revision = publication.publish(curated, form.version.data, current_user)
    except StandardsError as error:
        flash(str(error), "error")
        return redirect(url_for(".draft", code=curated.code))
    flash(f"Published as revision {revision.number}.", "success")
    return redirect(url_for(".draft", code=curated.code))


@blueprint.get("/standards/drafts/<code>/pages/<int:number>/<variant>.jpg")
@login_required
def draft_image(code: str, number: int, variant: str) -> Response:
    """The sample's own redacted images, for the LA lead and the second person to look at before publication."""
    found = db.session.scalar(select(Exemplar).where(Exemplar.code == code))
    if found is None or not (
        can(current_user, Permission.EXEMPLAR_CURATE, found) or can(current_user, Permission.EXEMPLAR_CHECK, found)
    ):
        abort(404)
    page = numbered_page(found.sample, number)
    record(current_user.id, f"exemplar.draft_viewed_{variant}", found, page_number=number)
    return serve_page_image(page, variant, f"standards-draft:{found.id}:{current_user.id}")


@blueprint.route("/standards/drafts/<code>/check", methods=["GET", "POST"])
@login_required
def check(code: str) -> Response | tuple[str, int] | str:
    checked = _exemplar_for(Permission.EXEMPLAR_CHECK, code)
    pages = publication.pages_of(checked)
    form = CheckForm()
    form.pages.choices = [SelectChoice(number, f"Page {number}") for number in range(1, len(pages) + 1)]
    if form.validate_on_submit():
        try:
            publication.confirm_pages(checked, set(form.pages.data or []), current_user)
        except StandardsError as error:
            show_error(form, error)
        else:
            flash("Thank you: every page is confirmed.", "success")
            return redirect(url_for(".check", code=checked.code))
    return render_form_page(
        "standards/check.html",
        form,
        exemplar=checked,
        pages=pages,
        checks=publication.current_checks(checked),
    )


def _exemplar_for(permission: Permission, code: str) -> Exemplar:
    found = db.session.scalar(select(Exemplar).where(Exemplar.code == code))
    if found is None:
        abort(404)
    authorize(permission, found)
    return found


# The school: permission and never-publish flags.


@blueprint.get("/schools/<int:school_id>/standards")
@login_required
def school(school_id: int) -> str:
    school_ = _school_for(school_id)
    return render_template(
        "standards/school.html",
        school=school_,
        exemplars=_school_exemplars(school_),
        flags=_flags(school_),
        flag_form=NeverPublishForm(),
        button=ButtonForm(),
        today=clock.today(),
        live_permission=publication.live_permission,
    )


@blueprint.route("/schools/<int:school_id>/standards/<code>/permission", methods=["GET", "POST"])
@login_required
def permission(school_id: int, code: str) -> Response | tuple[str, int] | str:
    school_ = _school_for(school_id)
    sample = _school_sample(school_, code)
    form = PermissionForm()
    if form.validate_on_submit():
        details = publication.PermissionDetails(
            form.given_by.data or "", form.given_on.data, PublicationScope(form.scope.data), form.expires_on.data
        )
        try:
            publication.record_permission(sample, details, current_user)
        except StandardsError as error:
            show_error(form, error)
        else:
            flash(f"Permission for {sample.pupil_code} has been recorded.", "success")
            return redirect(url_for(".school", school_id=school_.id))
    return render_form_page("standards/permission.html", form, school=school_, sample=sample, code=code)


@blueprint.post("/schools/<int:school_id>/standards/<code>/withdraw")
@login_required
def withdraw(school_id: int, code: str) -> Response:
    school_ = _school_for(school_id)
    sample = _school_sample(school_, code)
    if not ButtonForm().validate_on_submit():
        abort(400)
    publication.withdraw_permission(sample, current_user)
    flash(f"Permission for {sample.pupil_code} is withdrawn: nobody can see the exemplar now.", "success")
    return redirect(url_for(".school", school_id=school_.id))


@blueprint.post("/schools/<int:school_id>/standards/never-publish")
@login_required
def never_publish(school_id: int) -> Response | tuple[str, int]:
    school_ = _school_for(school_id)
    form = NeverPublishForm()
    if form.validate_on_submit():
        try:
            publication.flag_never_publish(school_, form.pupil_code.data or "", current_user)
        except StandardsError as error:
            show_error(form, error)
        else:
            flash(f"{form.pupil_code.data} will never be published.", "success")
            return redirect(url_for(".school", school_id=school_.id))
    page = render_template(
        "standards/school.html",
        school=school_,
        exemplars=_school_exemplars(school_),
        flags=_flags(school_),
        flag_form=form,
        form=form,
        button=ButtonForm(),
        today=clock.today(),
        live_permission=publication.live_permission,
    )
    return page, 400


@blueprint.post("/schools/<int:school_id>/standards/never-publish/<int:flag_id>/remove")
@login_required
def remove_flag(school_id: int, flag_id: int) -> Response:
    school_ = _school_for(school_id)
    flag = get_or_404(NeverPublish, flag_id)
    if flag.school_id != school_.id:
        abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    publication.remove_flag(flag, current_user)
    flash("The flag has been removed. Permission must be recorded again before anything is published.", "success")
    return redirect(url_for(".school", school_id=school_.id))


def _school_for(school_id: int) -> School:
    school_ = get_or_404(School, school_id)
    authorize(Permission.PUBLICATION_PERMISSION, school_)
    return school_


def _school_sample(school_: School, code: str) -> WorkSample:
    found = db.session.scalar(
        select(Exemplar).join(WorkSample).where(Exemplar.code == code, WorkSample.school_id == school_.id)
    )
    if found is None:
        abort(404)
    return found.sample


def _school_exemplars(school_: School) -> list[Exemplar]:
    statement = (
        select(Exemplar)
        .join(WorkSample)
        .where(WorkSample.school_id == school_.id)
        .order_by(WorkSample.pupil_code, Exemplar.id)
    )
    return list(db.session.scalars(statement))


def _flags(school_: School) -> list[NeverPublish]:
    return list(
        db.session.scalars(
            select(NeverPublish).where(NeverPublish.school_id == school_.id).order_by(NeverPublish.pupil_code)
        )
    )
