"""create_app: configuration, extensions, blueprints."""

import os
from pathlib import Path

from flask import Flask

from newsletter.content import display
from newsletter.platform import i18n

from . import config as config_module
from . import errors
from .extensions import csrf, db, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the app. ``config`` is the last configuration layer (tests use it)."""
    instance = (config or {}).get("INSTANCE_PATH") or os.environ.get("NEWSLETTER_INSTANCE_PATH")
    app = Flask(
        __name__,
        instance_path=str(instance or ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    config_module.load(app, config)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    errors.register(app)

    from newsletter.admin import routes as admin
    from newsletter.api import routes as api
    from newsletter.public import routes as public

    from . import models

    @login_manager.user_loader
    def load_user(user_id: str):
        return db.session.get(models.User, int(user_id))

    for blueprint in (public.bp, admin.bp, api.bp):
        app.register_blueprint(blueprint)
    app.after_request(display.page_headers)  # CSP and framing, unless a view set its own
    return app
