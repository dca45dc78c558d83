"""Static checks of docker-compose.yml and the kustomize base: no docker or cluster needed."""

from pathlib import Path
from typing import Any

import pytest
import yaml

from szcore.settings import DEFAULT_PORTS, PROCESSES, SERVICES, Settings

ROOT = Path(__file__).resolve().parents[1]
K8S_BASE = ROOT / "deploy" / "k8s" / "base"
SETTING_VARIABLES = {f"SZ_{name.upper()}" for name in Settings.model_fields}
# Compose is a dev stack (HS256 dev secret); k8s is prod-like (JWKS file from a Secret instead).
COMPOSE_ONLY = {"SZ_AUTH_DEV_SECRET"}
K8S_ONLY = {"SZ_AUTH_JWKS_FILE"}
API_VERSIONS = {"Deployment": "apps/v1", "Service": "v1", "Job": "batch/v1", "ConfigMap": "v1"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def shared_env(compose: dict[str, Any]) -> dict[str, Any]:
    return compose["x-environment"]


@pytest.fixture(scope="module")
def k8s() -> dict[tuple[str, str], dict[str, Any]]:
    kustomization = yaml.safe_load((K8S_BASE / "kustomization.yaml").read_text())
    objects: dict[tuple[str, str], dict[str, Any]] = {}
    for resource in kustomization["resources"]:
        for doc in yaml.safe_load_all((K8S_BASE / resource).read_text()):
            if doc is None:
                continue
            kind, name = doc["kind"], doc["metadata"]["name"]
            assert doc["apiVersion"] == API_VERSIONS[kind], (resource, kind, name)
            assert (kind, name) not in objects, f"duplicate {kind}/{name}"
            objects[kind, name] = doc
    return objects


def serve_args(process: str) -> list[str]:
    return ["serve", process, "--host", "0.0.0.0", "--port", str(DEFAULT_PORTS[process])]


def pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    return obj["spec"]["template"]["spec"]


def test_compose_names_every_process_and_infrastructure(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in [*PROCESSES, "postgres", "nats", *(f"{s}-migrate" for s in SERVICES)]:
        assert name in services, name


@pytest.mark.parametrize("process", PROCESSES)
def test_compose_process(compose: dict[str, Any], shared_env: dict[str, Any], process: str) -> None:
    service = compose["services"][process]
    port = DEFAULT_PORTS[process]
    assert service["command"] == serve_args(process)
    assert f"{port}:{port}" in service["ports"]
    assert service["environment"].items() >= shared_env.items()
    check = " ".join(service["healthcheck"]["test"])
    assert f"http://127.0.0.1:{port}/readyz" in check
    depends = service["depends_on"]
    assert depends["nats"]["condition"] == "service_healthy"
    if process == "gateway":
        for other in SERVICES:
            assert depends[other]["condition"] == "service_healthy"
    else:
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends[f"{process}-migrate"]["condition"] == "service_completed_successfully"


@pytest.mark.parametrize("service", SERVICES)
def test_compose_migration(compose: dict[str, Any], shared_env: dict[str, Any], service: str) -> None:
    migrate = compose["services"][f"{service}-migrate"]
    assert migrate["command"] == ["migrate", service]
    assert migrate["restart"] == "no"
    assert migrate["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert migrate["environment"].items() >= shared_env.items()
    assert migrate["build"] == compose["services"][service]["build"]


def test_compose_variables_are_settings(compose: dict[str, Any], shared_env: dict[str, Any]) -> None:
    used = set(shared_env)
    for service in compose["services"].values():
        used |= {name for name in service.get("environment") or {} if name.startswith("SZ_")}
    assert used <= SETTING_VARIABLES, used - SETTING_VARIABLES


@pytest.mark.parametrize("process", PROCESSES)
def test_k8s_process(k8s: dict[tuple[str, str], dict[str, Any]], process: str) -> None:
    port = DEFAULT_PORTS[process]
    deployment, service = k8s["Deployment", process], k8s["Service", process]
    spec = pod_spec(deployment)
    (container,) = spec["containers"]
    assert container["args"] == serve_args(process)
    assert [p["containerPort"] for p in container["ports"]] == [port]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["resources"]["requests"] and container["resources"]["limits"]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert spec["securityContext"]["runAsNonRoot"] is True
    tmp = next(m for m in container["volumeMounts"] if m["mountPath"] == "/tmp")
    assert "emptyDir" in next(v for v in spec["volumes"] if v["name"] == tmp["name"])

    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert service["spec"]["selector"].items() <= labels.items()
    assert [p["port"] for p in service["spec"]["ports"]] == [port]


@pytest.mark.parametrize("service", SERVICES)
def test_k8s_migration_job(k8s: dict[tuple[str, str], dict[str, Any]], service: str) -> None:
    spec = pod_spec(k8s["Job", f"{service}-migrate"])
    (container,) = spec["containers"]
    assert container["args"] == ["migrate", service]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert spec["securityContext"]["runAsNonRoot"] is True


def test_k8s_variables_match_compose(
    k8s: dict[tuple[str, str], dict[str, Any]], shared_env: dict[str, Any]
) -> None:
    config = k8s["ConfigMap", "shuzhuan-config"]["data"]
    variables = set(config)
    for (kind, name), obj in k8s.items():
        if kind not in ("Deployment", "Job"):
            continue
        for container in pod_spec(obj)["containers"]:
            assert {"configMapRef": {"name": "shuzhuan-config"}} in container["envFrom"], name
            for env in container.get("env", []):
                assert "value" not in env, f"{name}: {env['name']} belongs in the ConfigMap or a Secret"
                secret = env["valueFrom"]["secretKeyRef"]
                assert secret["name"] == "shuzhuan-databases", name
                assert env["name"] == f"SZ_{secret['key'].upper()}_DATABASE_URL", name
                variables.add(env["name"])
    assert variables <= SETTING_VARIABLES, variables - SETTING_VARIABLES
    assert variables - K8S_ONLY == set(shared_env) - COMPOSE_ONLY
