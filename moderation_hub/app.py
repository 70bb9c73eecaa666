"""The application factory: settings, extensions, blueprints, error pages and the CLI."""

import os
from pathlib import Path
from typing import Any

from flask import Flask
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from moderation_hub import cli, errors
from moderation_hub.accounts import sessions
from moderation_hub.accounts.views import blueprint as accounts_blueprint
from moderation_hub.config import load_settings
from moderation_hub.db import PathTextConverter, RowIdConverter, db
from moderation_hub.downloads.views import blueprint as downloads_blueprint
from moderation_hub.extensions import csrf, limiter, login_manager
from moderation_hub.frameworks.views import blueprint as frameworks_blueprint
from moderation_hub.jobs import init_jobs
from moderation_hub.logs import configure_logging
from moderation_hub.organisations.views import blueprint as organisations_blueprint
from moderation_hub.pages.views import blueprint as pages_blueprint
from moderation_hub.reports.views import blueprint as reports_blueprint
from moderation_hub.rounds import judging_views, record_views, reveal_views, school_views  # noqa: F401 - routes
from moderation_hub.rounds import views as round_views  # noqa: F401
from moderation_hub.rounds.blueprint import blueprint as rounds_blueprint
from moderation_hub.samples import page_views, views  # noqa: F401 - importing them registers their routes
from moderation_hub.samples.blueprint import blueprint as samples_blueprint
from moderation_hub.security import init_security_headers
from moderation_hub.standards.views import blueprint as standards_blueprint
from moderation_hub.storage import init_storage
from moderation_hub.templating import init_templating

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application. ``config`` overrides every other source of settings (tests use it)."""
    instance_path = (config or {}).get("INSTANCE_PATH") or os.environ.get("INSTANCE_PATH") or PROJECT_ROOT / "instance"
    app = Flask(
        __name__,
        instance_path=str(instance_path),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    load_settings(app, config)
    app.url_map.converters["int"] = RowIdConverter
    app.url_map.converters["default"] = app.url_map.converters["string"] = PathTextConverter
    if app.config["PROXY_FIX_HOPS"]:
        hops = app.config["PROXY_FIX_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]
    configure_logging(app)
    db.init_app(app)
    init_jobs(app)
    init_storage(app)
    login_manager.init_app(app)
    login_manager.user_loader(sessions.load_session_user)
    csrf.init_app(app)
    limiter.init_app(app)
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(PROJECT_ROOT / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    WTFormsHelpers(app)
    init_templating(app)
    init_security_headers(app)
    for blueprint in (
        pages_blueprint,
        accounts_blueprint,
        organisations_blueprint,
        frameworks_blueprint,
        samples_blueprint,
        rounds_blueprint,
        reports_blueprint,
        standards_blueprint,
        downloads_blueprint,
    ):
        app.register_blueprint(blueprint)
    errors.init_error_pages(app)
    cli.init_cli(app)
    return app
