"""The live API against its own OpenAPI document (schemathesis, bounded in time).

Requests generated from /api/v1/openapi.json (valid ones and deliberately invalid ones)
go over HTTP to pytest-django's live server; every answer must be no server error, a
declared status code and content type, and a body that matches the declared schema.
"""

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from rejoinder.interop.api.service import openapi_document
from tests.factories import make_comment, make_post

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


# The document the server serves, built by the same object (schemathesis's lazy fixture
# loader does not run under pytest 9); the test below checks the served one is this one.
schema = schemathesis.openapi.from_dict(openapi_document())


@pytest.fixture
def some_comments(lenient_rules):
    post = make_post(title="Fuzzed")
    ann = make_comment(post, name="Ann", author_url="https://ann.example")
    make_comment(post, parent=ann, name="Bob")


def test_the_document_is_the_served_one(client, db):
    built = json.loads(json.dumps(openapi_document()))  # as JSON has it (lists, not tuples)
    assert client.get("/api/v1/openapi.json").json() == built


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_to_its_openapi_document(case, live_server, some_comments):
    case.call_and_validate(base_url=live_server.url, checks=CHECKS)
