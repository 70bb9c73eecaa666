"""Pages to list, read, download and import assessment frameworks."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required

from moderation_hub.frameworks.forms import ImportFrameworkForm
from moderation_hub.frameworks.models import Framework
from moderation_hub.frameworks.services import (
    criteria_by_standard,
    export_framework,
    find_framework,
    framework_catalogue,
    framework_versions,
    import_framework_file,
)
from moderation_hub.frameworks.yaml_format import FrameworkFormatError
from moderation_hub.permissions import Permission, authorize

blueprint = Blueprint("frameworks", __name__)


def _framework_or_404(slug: str, version: int | None) -> Framework:
    framework = find_framework(slug, version)
    if framework is None:
        abort(404)
    return framework


@blueprint.get("/frameworks")
@login_required
def index() -> str:
    authorize(Permission.FRAMEWORK_READ)
    return render_template("frameworks/index.html", sections=framework_catalogue())


@blueprint.get("/frameworks/<slug>")
@blueprint.get("/frameworks/<slug>/v<int:version>")
@login_required
def read(slug: str, version: int | None = None) -> str:
    authorize(Permission.FRAMEWORK_READ)
    framework = _framework_or_404(slug, version)
    return render_template(
        "frameworks/read.html",
        framework=framework,
        criteria=criteria_by_standard(framework),
        versions=framework_versions(slug),
    )


@blueprint.get("/frameworks/<slug>/v<int:version>/export.yaml")
@login_required
def export(slug: str, version: int) -> Response:
    authorize(Permission.FRAMEWORK_READ)
    framework = _framework_or_404(slug, version)
    return Response(
        export_framework(framework),
        mimetype="application/yaml",
        headers={"Content-Disposition": f'attachment; filename="{framework.slug}-v{framework.version}.yaml"'},
    )


@blueprint.route("/frameworks/import", methods=["GET", "POST"])
@login_required
def import_file() -> ResponseReturnValue:
    authorize(Permission.FRAMEWORK_IMPORT)
    form = ImportFrameworkForm()
    if not form.validate_on_submit():
        return render_template("frameworks/import.html", form=form, problems=[]), 400 if form.errors else 200
    try:
        result = import_framework_file(form.file.data.read())
    except FrameworkFormatError as error:
        return render_template("frameworks/import.html", form=form, problems=error.messages), 400
    flash(result.summary, "success" if result.created else "info")
    return redirect(url_for("frameworks.read", slug=result.framework.slug, version=result.framework.version))
