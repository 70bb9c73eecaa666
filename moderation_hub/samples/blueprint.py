"""The samples blueprint; its routes live in ``views`` (samples) and ``page_views`` (files and pages)."""

from flask import Blueprint

from moderation_hub.samples.access import school_image_url

blueprint = Blueprint("samples", __name__)
blueprint.add_app_template_global(school_image_url)  # the school's pages load page images only by this
