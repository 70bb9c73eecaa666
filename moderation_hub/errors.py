"""Friendly error pages; production never shows a traceback."""

from flask import Flask, render_template
from werkzeug.exceptions import HTTPException, InternalServerError

from moderation_hub.logs import logger

TEMPLATES = {
    400: "errors/400.html",
    403: "errors/403.html",
    404: "errors/404.html",
    413: "errors/413.html",
    429: "errors/429.html",
}


def init_error_pages(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> tuple[str, int]:
        code = error.code or 500
        template = TEMPLATES.get(code, "errors/generic.html")
        return render_template(template, error=error), code

    @app.errorhandler(InternalServerError)
    def _server_error(error: InternalServerError) -> tuple[str, int]:
        original = error.original_exception or error
        logger.error("unhandled error", exc_info=(type(original), original, original.__traceback__))
        return render_template("errors/500.html"), 500
