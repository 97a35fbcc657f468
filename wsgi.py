"""WSGI entry point for production servers: ``gunicorn wsgi:app``."""

import gc

from newsletter.app import create_app

app = create_app()
# Everything made so far (the app, its routes, models and schemas) lives as long as the
# process: keep it out of the garbage collector's full scans, which a large request (a bulk
# upsert of 10,000 contacts allocates some 200,000 objects) would otherwise repeat.
gc.freeze()
