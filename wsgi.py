"""The WSGI entry point for production servers: ``gunicorn wsgi:app``. Settings come from the environment."""

from moderation_hub import create_app

app = create_app()
