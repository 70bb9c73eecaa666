"""Schools and clusters: pages for LA leads to manage them, and each school's own page."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from moderation_hub.db import get_or_404
from moderation_hub.organisations import services
from moderation_hub.organisations.forms import ClusterForm, SchoolFilterForm, SchoolForm, SchoolSettingsForm
from moderation_hub.organisations.models import Cluster, LocalAuthority, School
from moderation_hub.organisations.services import OrganisationError, SchoolFilter
from moderation_hub.permissions import Permission, authorize
from moderation_hub.templating import render_form_page, show_error

blueprint = Blueprint("organisations", __name__)


@blueprint.get("/schools")
@login_required
def schools() -> tuple[str, int]:
    authorize(Permission.SCHOOL_LIST)
    authorities = services.authorities_led_by(current_user)
    form = SchoolFilterForm(request.args, services.clusters_in(authorities), name_authority=len(authorities) > 1)
    valid = form.validate()
    sections = services.schools_by_authority(authorities, form.school_filter() if valid else SchoolFilter())
    page = render_template("organisations/schools.html", form=form, sections=sections)
    return page, 200 if valid else 400


@blueprint.get("/schools/<int:school_id>")
@login_required
def school(school_id: int) -> str:
    school = get_or_404(School, school_id)
    authorize(Permission.SCHOOL_READ, school)
    return render_template("organisations/school.html", school=school, staff=services.school_staff(school))


@blueprint.route("/authorities/<int:authority_id>/schools/new", methods=["GET", "POST"])
@login_required
def new_school(authority_id: int) -> Response | tuple[str, int] | str:
    authority = get_or_404(LocalAuthority, authority_id)
    authorize(Permission.AUTHORITY_MANAGE, authority)
    form = SchoolForm(services.clusters_in([authority]))
    if form.validate_on_submit():
        try:
            school = services.create_school(authority, form.details())
        except OrganisationError as error:
            show_error(form, error)
        else:
            flash(f"{school.name} has been added.", "success")
            return redirect(url_for(".school", school_id=school.id))
    return render_form_page("organisations/school_form.html", form, authority=authority, school=None)


@blueprint.route("/schools/<int:school_id>/edit", methods=["GET", "POST"])
@login_required
def edit_school(school_id: int) -> Response | tuple[str, int] | str:
    school = get_or_404(School, school_id)
    authorize(Permission.SCHOOL_MANAGE, school)
    form = SchoolForm(services.clusters_in([school.authority]), obj=school)
    if form.validate_on_submit():
        try:
            services.update_school(school, form.details())
        except OrganisationError as error:
            show_error(form, error)
        else:
            flash(f"{school.name} has been updated.", "success")
            return redirect(url_for(".school", school_id=school.id))
    return render_form_page("organisations/school_form.html", form, authority=school.authority, school=school)


@blueprint.route("/schools/<int:school_id>/settings", methods=["GET", "POST"])
@login_required
def school_settings(school_id: int) -> Response | tuple[str, int] | str:
    school = get_or_404(School, school_id)
    authorize(Permission.SCHOOL_SETTINGS, school)
    form = SchoolSettingsForm(obj=school)
    if form.validate_on_submit():
        deleted = services.set_school_settings(school, form.keep_originals.data, current_user)
        flash(f"{school.name}'s settings have been saved.{_originals_deleted(deleted)}", "success")
        return redirect(url_for(".school", school_id=school.id))
    return render_form_page("organisations/school_settings.html", form, school=school)


def _originals_deleted(count: int) -> str:
    if count == 0:
        return ""
    return f" {count} kept original file{'s have' if count > 1 else ' has'} been deleted."


@blueprint.route("/authorities/<int:authority_id>/clusters", methods=["GET", "POST"])
@login_required
def clusters(authority_id: int) -> Response | tuple[str, int] | str:
    authority = get_or_404(LocalAuthority, authority_id)
    authorize(Permission.AUTHORITY_MANAGE, authority)
    form = ClusterForm()
    if form.validate_on_submit():
        try:
            cluster = services.create_cluster(authority, form.name.data or "")
        except OrganisationError as error:
            show_error(form, error)
        else:
            flash(f"{cluster.name} has been added.", "success")
            return redirect(url_for(".clusters", authority_id=authority.id))
    return render_form_page(
        "organisations/clusters.html",
        form,
        authority=authority,
        clusters=services.clusters_with_schools(authority),
        unclustered=services.schools_without_cluster(authority),
    )


@blueprint.route("/clusters/<int:cluster_id>/edit", methods=["GET", "POST"])
@login_required
def rename_cluster(cluster_id: int) -> Response | tuple[str, int] | str:
    cluster = get_or_404(Cluster, cluster_id)
    authorize(Permission.AUTHORITY_MANAGE, cluster.authority)
    form = ClusterForm(obj=cluster)
    if form.validate_on_submit():
        try:
            services.rename_cluster(cluster, form.name.data or "")
        except OrganisationError as error:
            show_error(form, error)
        else:
            flash(f"The cluster is now called {cluster.name}.", "success")
            return redirect(url_for(".clusters", authority_id=cluster.authority_id))
    return render_form_page("organisations/rename_cluster.html", form, cluster=cluster)
