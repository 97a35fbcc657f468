"""create_app: configuration, extensions, blueprints."""

import os
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from newsletter.content import display
from newsletter.platform import accounts, i18n, safemethods, sessioncookie

from . import config as config_module
from . import errors
from .extensions import csrf, db, login_manager, migrate

ROOT = Path(__file__).resolve().parent.parent


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: at most 2**31 - 1, what a database integer holds, so a
    huge id in a URL is a 404, not a database error."""

    def __init__(self, url_map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):
        super().__init__(url_map, fixed_digits, min, max, signed)
        if not fixed_digits and not signed and max is not None:
            # in the pattern itself: a larger number matches no rule at all (404), where a
            # refusal by to_python would leave Werkzeug answering 405 for a path whose GET
            # and POST are separate rules
            self.regex = _at_most(max)


def _at_most(limit: int) -> str:
    """A regular expression for the decimal numbers 0 to ``limit``."""
    digits = str(limit)
    shorter = [rf"\d{{1,{len(digits) - 1}}}"] if len(digits) > 1 else []
    same_length = [digits[:i] + f"[0-{int(d) - 1}]" + (rf"\d{{{len(digits) - i - 1}}}"
                                                      if i < len(digits) - 1 else "")
                   for i, d in enumerate(digits) if d != "0"]
    return "(?:" + "|".join([*shorter, *same_length, digits]) + ")"


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
    app.url_map.converters["int"] = IdConverter
    app.session_interface = sessioncookie.SessionInterface()  # background requests keep it
    app.wsgi_app = safemethods.SafeMethods(app.wsgi_app)  # GET/HEAD/OPTIONS never write
    if hops := app.config["PROXY_HOPS"]:  # the client's address and scheme from the proxy
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    i18n.init_app(app)
    from newsletter.admin import routes as admin
    from newsletter.api import routes as api
    from newsletter.public import routes as public

    errors.register(app, wrap=api.json_errors)  # JSON under /api/v1/, pages elsewhere

    @login_manager.user_loader
    def load_user(session_id: str):  # None once the session was ended (logout, new password)
        return accounts.session_user(db.session, session_id)

    for blueprint in (public.bp, admin.bp, api.bp, api.v1):
        app.register_blueprint(blueprint)
    # the API's OpenAPI document, for the admin's reference page (blueprints never import
    # each other; the app wires them)
    app.extensions["openapi"] = lambda: api.spec.spec
    app.after_request(display.page_headers)  # CSP and framing, unless a view set its own
    return app
