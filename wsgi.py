"""WSGI entry point for production servers: ``gunicorn wsgi:app``."""

from newsletter import create_app

app = create_app()
