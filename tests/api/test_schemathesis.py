"""Schemathesis against the live app (real HTTP, real database and Redis): every operation
of /api/v1/openapi.json, with generated requests, never answers 5xx and always answers
with a status, content type and body that the document describes."""

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from newsletter.audience import lists
from newsletter.extensions import db

from .helpers import make_key

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


def _check_operation(operation, token: str) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=25, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

    run()


def test_every_operation_keeps_to_the_document(live_server):
    lists.create_list(db.session, "Weekly")  # list 1 exists, so some calls get further
    db.session.commit()
    token = make_key(rate_limit="1000000/60")
    schema = schemathesis.openapi.from_url(f"{live_server}/api/v1/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 14
    for operation in operations:
        _check_operation(operation, token)
