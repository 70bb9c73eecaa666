"""The samples blueprint; its routes live in ``views`` (samples) and ``page_views`` (files and pages)."""

from flask import Blueprint

blueprint = Blueprint("samples", __name__)
