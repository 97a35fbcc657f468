"""The migrations in migrations/ build exactly the schema the models describe."""

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from newsletter.app import create_app
from newsletter.extensions import db
from tests.conftest import make_config


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    """An empty database of the same kind as the suite's: a new SQLite file, or a new
    schema in the PostgreSQL test database."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path}/empty.db"
        return
    schema = f"mig_{uuid.uuid4().hex[:8]}"
    engine = create_engine(database_url)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in database_url else "?"
    yield f"{database_url}{sep}options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


def test_upgrade_on_empty_database_matches_models(empty_database_url, redis_url, tmp_path):
    app = create_app(make_config(empty_database_url, redis_url, None, tmp_path))
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True})
        diff = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert diff == [], "models and migrations differ:\n" + "\n".join(map(describe, diff))


def describe(change) -> str:
    """One line per difference; server defaults shown as SQL text, not object reprs."""
    if isinstance(change, list):  # column changes come as a list of tuples
        return "\n".join(map(describe, change))
    if change[0] == "modify_default":
        _op, _schema, table, column, _info, database, model = change
        return (f"server default of {table}.{column}: migrations {sql_text(database)}, "
                f"models {sql_text(model)}")
    return repr(change)


def sql_text(default) -> str:
    if default is None:
        return "none"
    arg = getattr(default, "arg", default)
    return repr(arg if isinstance(arg, str) else str(getattr(arg, "text", arg)))


def test_downgrade_to_base_and_up_again(empty_database_url, redis_url, tmp_path):
    app = create_app(make_config(empty_database_url, redis_url, None, tmp_path))
    runner = app.test_cli_runner()
    for args in (["db", "upgrade"], ["db", "downgrade", "base"], ["db", "upgrade"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, result.output
    with app.app_context():
        db.engine.dispose()
