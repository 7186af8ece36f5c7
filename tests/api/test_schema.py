"""schemathesis against the live API and its published OpenAPI document: valid and invalid requests
generated from the document must never meet a server error, nor an answer (status, media type,
body) that the document does not describe.

The operations are read from the live document, then each is fuzzed with Hypothesis in both of
schemathesis's modes (positive: requests the document allows; negative: requests it forbids),
sending a department system's client-credentials token as an integrator would. Operations on one
thing are fuzzed once more against a real one (a case of the system's own department, a demo
service and policy), so that generated moves really go through the state machine.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, reject, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import DEPT_SYSTEM, file_live_case

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 20  # per operation and mode: the whole run stays within a couple of minutes on a small machine
# gunicorn answers a request line or a header longer than this itself (414/400, before the portal sees
# it); invalid requests that long test gunicorn, not the API, and are not sent.
GUNICORN_LIMIT = 4094


def _fits_the_server(case) -> bool:
    line = len(quote(case.formatted_path)) + len(urlencode(case.query or {}, doseq=True)) + 40
    headers = [f"{name}: {value}" for name, value in (case.headers or {}).items()]
    return line < GUNICORN_LIMIT and all(len(header.encode()) < GUNICORN_LIMIT for header in headers)


@pytest.fixture(scope="module")
def department_system_token(live_server) -> str:
    response = requests.post(f"{live_server}/oidc/token", auth=DEPT_SYSTEM,
                             data={"grant_type": "client_credentials"}, timeout=10)
    response.raise_for_status()
    return response.json()["access_token"]


@pytest.fixture(scope="module")
def api_schema(live_server):
    schema = schemathesis.openapi.from_url(f"{live_server}/api/v1/openapi.json", timeout=10)
    schema.validate()  # a document that is not valid OpenAPI 3.1 fails here
    return schema


@pytest.fixture(scope="module")
def real_things(live_server, live_settings) -> dict[str, str]:
    """Path parameters naming things that exist: a case of the demo system's department, a service, a policy."""
    for n in range(3):
        file_live_case(live_settings, title=f"接口契约测试 {n}")
    services = requests.get(f"{live_server}/api/v1/services", timeout=10).json()["items"]
    policies = requests.get(f"{live_server}/api/v1/policies", timeout=10).json()["items"]
    return {"case_id": file_live_case(live_settings, title="接口契约测试"), "code": services[0]["code"],
            "policy_id": policies[0]["id"]}


def _fuzz(operation, mode: GenerationMode, headers: dict, session: requests.Session, path: dict) -> None:
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path or None))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def run(case):
        if not _fits_the_server(case):
            reject()
        case.call_and_validate(session=session, headers=headers, checks=CHECKS, timeout=10)

    run()


def test_the_live_api_keeps_to_its_document(api_schema, department_system_token, real_things):
    headers = {"Authorization": f"Bearer {department_system_token}"}
    tested, failures = [], []
    with requests.Session() as session:
        for result in api_schema.get_all_operations():
            operation = result.ok()
            names = {parameter.name for parameter in operation.path_parameters}
            runs = [(mode, {}) for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]
            if names and names <= set(real_things):
                runs.append((GenerationMode.POSITIVE, {name: real_things[name] for name in names}))
            for mode, path in runs:
                label = f"{mode.value} {operation.label}{' (a real one)' if path else ''}"
                tested.append(label)
                try:
                    _fuzz(operation, mode, headers, session, path)
                except Exception as error:  # noqa: BLE001 - collected, so every operation is fuzzed
                    failures.append(f"{label}: {error}")
    assert len(tested) >= 29  # 12 operations in both modes, and the 5 on one case, service or policy
    assert failures == [], "\n\n".join(failures)
