"""schemathesis against /api/schema/ with every role's credentials: no 5xx, no undocumented status,
no body that breaks its documented schema (issue 13 §5; probe findings 13 and "API fuzzing").

A bounded run (a few cases per operation and principal, fixed seed); ``bench/api_fuzz.py`` runs
the longer one. The data: declarations registered and departed, with a plate read, origin and
destination scans and their comparison, so that cases reach real rows as well as 404s.
"""

import pytest

from tests.security import fixtures
from tests.security.apifuzz import fuzz, load_schema

pytestmark = pytest.mark.fuzz

MAX_EXAMPLES = 4

# The principals' fixtures (tests/security has no conftest of its own here).
camera, ics, in_process_wsgi, principals = fixtures.camera, fixtures.ics, fixtures.in_process_wsgi, fixtures.principals


@pytest.fixture
def evidence(bazargan, tehran, origin_clerk, dest_clerk, camera):
    return fixtures.make_evidence(bazargan, tehran, origin_clerk, dest_clerk, camera)


def test_no_operation_answers_a_5xx_or_breaks_its_schema_for_any_role(in_process_wsgi, principals, evidence):
    schema = load_schema()

    outcome = fuzz(schema, principals, max_examples=MAX_EXAMPLES, seed=13, path_ids=evidence)

    assert outcome.cases > len(principals) * 30 * MAX_EXAMPLES, outcome.summary()  # every principal, every operation
    assert outcome.statuses[200] > 100, outcome.statuses  # not only refusals
    assert not outcome.failures, outcome.summary()
