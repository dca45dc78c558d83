"""Static checks of the Dockerfile, docker-compose.yml and the kustomize overlays (no docker, no cluster).

The overlays are rendered with `kubectl kustomize` (or a `kustomize` binary); the tests that need one skip
when neither is on PATH. tests/test_deploy_k8s.py validates the rendered objects against the Kubernetes
schemas and checks the network policies; this file checks that compose and k8s describe the same platform.
"""

import re
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from ops.cli import parser as cli_parser
from ops.processes import MIGRATED
from szcore.settings import DEFAULT_PORTS, PROCESSES, SERVICES, Settings

ROOT = Path(__file__).resolve().parents[1]
K8S = ROOT / "deploy" / "k8s"
OVERLAYS = ("dev", "prod")
NAMESPACES = {"dev": "shuzhuan-dev", "prod": "shuzhuan"}
SETTING_VARIABLES = {f"SZ_{name.upper()}" for name in Settings.model_fields}
# Compose is a dev stack (HS256 dev secret); k8s is prod-like (JWKS file from a Secret instead).
COMPOSE_ONLY = {"SZ_AUTH_DEV_SECRET"}
K8S_ONLY = {
    "SZ_AUTH_JWKS_FILE",
    "SZ_AUTH_SIGNING_KEY_FILE",
    "SZ_NATIONAL_PUSH_TOKEN_FILE",
    "SZ_NATIONAL_SIGNING_KEY_FILE",
}
CONFIG_MAP = "shuzhuan-config"
# Services run with SZ_OUTBOX_RELAY=separate and publish through a `relay <service>` process of their own.
RELAY_SETTING = "SZ_OUTBOX_RELAY"
DATABASE_SECRET = "shuzhuan-databases"
IMAGE_USER = 10001

Objects = dict[tuple[str, str], dict[str, Any]]


# --- rendering ---


def kustomize_command() -> list[str] | None:
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    return None


@cache
def render_text(path: str) -> str:
    command = kustomize_command()
    if command is None:
        pytest.skip("neither kubectl nor kustomize is on PATH: cannot render the kustomize overlays")
    result = subprocess.run([*command, str(K8S / path)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"kustomize {path} failed:\n{result.stderr}"
    return result.stdout


def render(path: str) -> list[dict[str, Any]]:
    """The objects of one kustomization under deploy/k8s (`overlays/prod`, `overlays/dev/migrations`, ...)."""
    return [doc for doc in yaml.safe_load_all(render_text(path)) if doc]


def by_key(docs: list[dict[str, Any]]) -> Objects:
    objects: Objects = {}
    for doc in docs:
        key = doc["kind"], doc["metadata"]["name"]
        assert key not in objects, f"duplicate {key}"
        objects[key] = doc
    return objects


def pod_spec(obj: dict[str, Any]) -> dict[str, Any]:
    return obj["spec"]["template"]["spec"]


def workloads(docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [doc for doc in docs if doc["kind"] in ("Deployment", "StatefulSet", "Job")]


def platform_containers(docs: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """(object name, container) for every container running the Shuzhuan image, init containers included."""
    found = []
    for obj in workloads(docs):
        spec = pod_spec(obj)
        for container in [*spec.get("initContainers", []), *spec["containers"]]:
            if "/shuzhuan" in container["image"] or container["image"].startswith("shuzhuan"):
                found.append((obj["metadata"]["name"], container))
    return found


@pytest.fixture(scope="module", params=OVERLAYS)
def overlay(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def k8s(overlay: str) -> Objects:
    return by_key(render(f"overlays/{overlay}"))


@pytest.fixture(scope="module")
def jobs(overlay: str) -> Objects:
    return by_key(render(f"overlays/{overlay}/migrations"))


# --- compose ---


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def shared_env(compose: dict[str, Any]) -> dict[str, Any]:
    return compose["x-environment"]


def serve_args(process: str) -> list[str]:
    return ["serve", process, "--host", "0.0.0.0", "--port", str(DEFAULT_PORTS[process])]


def relay_name(service: str) -> str:
    """The compose service / Deployment that relays `service`'s outbox."""
    return f"{service}-relay"


# The relays' /metrics and /healthz (`relay <service> --metrics-port`): the sz_outbox_* series come only from
# there, so Prometheus must scrape it.
RELAY_METRICS_PORT = 9100


def relay_args(service: str) -> list[str]:
    args = ["relay", service, "--host", "0.0.0.0", "--metrics-port", str(RELAY_METRICS_PORT)]
    # What the image's entrypoint will make of them (`python -m ops ...`).
    parsed = cli_parser().parse_args(args)
    assert (parsed.service, parsed.host, parsed.metrics_port) == (service, "0.0.0.0", RELAY_METRICS_PORT)
    return args


def owner(name: str) -> str:
    """The service a Deployment, Job or compose service belongs to (`enrollment-migrate` -> enrollment)."""
    return name.removesuffix("-migrate").removesuffix("-relay")


def test_compose_names_every_process_and_infrastructure(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in [*PROCESSES, "postgres", "nats", *(f"{s}-migrate" for s in MIGRATED)]:
        assert name in services, name


@pytest.mark.parametrize("service", SERVICES)
def test_compose_relays_exactly_the_separate_services(compose: dict[str, Any], service: str) -> None:
    separate = compose["services"][service]["environment"].get(RELAY_SETTING) == "separate"
    assert separate == (relay_name(service) in compose["services"]), service
    assert relay_name("gateway") not in compose["services"]


@pytest.mark.parametrize("service", SERVICES)
def test_compose_relay(compose: dict[str, Any], shared_env: dict[str, Any], service: str) -> None:
    relay = compose["services"].get(relay_name(service))
    if relay is None:
        pytest.skip(f"{service} relays inline")
    assert relay["command"] == relay_args(service)
    assert relay["build"] == compose["services"][service]["build"]
    assert relay["environment"].items() >= shared_env.items()
    assert relay.get("deploy", {}).get("replicas", 1) == 1, "one publisher per outbox (stream order)"
    # Not published on the host (four relays would clash there); the healthcheck asks the relay's loop.
    assert "ports" not in relay
    assert f"http://127.0.0.1:{RELAY_METRICS_PORT}/healthz" in " ".join(relay["healthcheck"]["test"])
    depends = relay["depends_on"]
    assert depends["postgres"]["condition"] == depends["nats"]["condition"] == "service_healthy"
    assert depends[f"{service}-migrate"]["condition"] == "service_completed_successfully"


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


@pytest.mark.parametrize("service", MIGRATED)
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


def test_compose_urls_name_the_compose_services(shared_env: dict[str, Any]) -> None:
    for process in PROCESSES:
        assert shared_env[f"SZ_{process.upper()}_URL"] == f"http://{process}:{DEFAULT_PORTS[process]}"
    for service in MIGRATED:
        url = shared_env[f"SZ_{service.upper()}_DATABASE_URL"]
        assert url.startswith("postgresql+asyncpg://") and url.endswith(f"@postgres:5432/{service}"), url
    assert shared_env["SZ_NATS_URL"] == "nats://nats:4222"


# --- Dockerfile ---


def test_dockerfile_multi_stage_non_root_one_image() -> None:
    text = (ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+)", text, re.MULTILINE)
    assert len(stages) >= 2 and all(stage.endswith("-slim") for stage in stages), stages
    final = text.rsplit("\nFROM ", 1)[1]
    assert f"USER {IMAGE_USER}:{IMAGE_USER}" in final
    assert "constraints.txt" in text, "dependencies are installed against the pinned constraints"
    exposed = {int(port) for port in re.search(r"^EXPOSE (.+)$", final, re.MULTILINE).group(1).split()}
    assert exposed == set(DEFAULT_PORTS.values())
    assert 'ENTRYPOINT ["python", "-m", "ops"]' in final
    ignored = (ROOT / ".dockerignore").read_text().split()
    for path in (".git", ".venv", ".data", ".env"):
        assert path in ignored, path


# --- k8s: processes, migrations, configuration ---


@pytest.mark.parametrize("process", PROCESSES)
def test_k8s_process(k8s: Objects, process: str) -> None:
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
    assert spec["securityContext"]["runAsUser"] == IMAGE_USER
    tmp = next(m for m in container["volumeMounts"] if m["mountPath"] == "/tmp")
    assert "emptyDir" in next(v for v in spec["volumes"] if v["name"] == tmp["name"])

    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert service["spec"]["selector"].items() <= labels.items()
    assert [p["port"] for p in service["spec"]["ports"]] == [port]
    assert labels["app.kubernetes.io/component"] == ("gateway" if process == "gateway" else "service")


@pytest.mark.parametrize("service", SERVICES)
def test_k8s_service_migrates_before_it_starts(k8s: Objects, service: str) -> None:
    spec = pod_spec(k8s["Deployment", service])
    (init,) = spec["initContainers"]
    (container,) = spec["containers"]
    assert init["args"] == ["migrate", service]
    assert init["image"] == container["image"]
    assert init["envFrom"] == container["envFrom"]
    assert init["env"] == container["env"]
    assert init["securityContext"]["readOnlyRootFilesystem"] is True


def test_k8s_gateway_migrates_its_sync_database_before_it_starts(k8s: Objects) -> None:
    spec = pod_spec(k8s["Deployment", "gateway"])
    (init,) = spec["initContainers"]
    (container,) = spec["containers"]
    assert init["args"] == ["migrate", "gateway"]
    assert init["env"] == container["env"]
    assert [env["name"] for env in container["env"]] == ["SZ_GATEWAY_DATABASE_URL"]


@pytest.mark.parametrize("service", MIGRATED)
def test_k8s_migration_job(k8s: Objects, jobs: Objects, overlay: str, service: str) -> None:
    job = jobs["Job", f"{service}-migrate"]
    assert job["metadata"]["namespace"] == NAMESPACES[overlay]
    spec = pod_spec(job)
    (container,) = spec["containers"]
    assert container["args"] == ["migrate", service]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["restartPolicy"] in ("OnFailure", "Never")
    assert job["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/component"] == "migration"
    # The Job runs the image the overlay deploys, with the service's own configuration.
    (served,) = pod_spec(k8s["Deployment", service])["containers"]
    assert container["image"] == served["image"]
    assert container["envFrom"] == served["envFrom"] and container["env"] == served["env"]


def test_k8s_migration_jobs_are_exactly_one_per_service(jobs: Objects) -> None:
    assert set(jobs) == {("Job", f"{service}-migrate") for service in MIGRATED}


def test_k8s_one_image_everywhere(k8s: Objects, overlay: str) -> None:
    images = {container["image"] for _, container in platform_containers(list(k8s.values()))}
    assert len(images) == 1, images
    (image,) = images
    assert ":" in image.rsplit("/", 1)[-1], f"{overlay}: image without a tag: {image}"


def test_k8s_variables_match_compose(k8s: Objects, shared_env: dict[str, Any]) -> None:
    config = k8s["ConfigMap", CONFIG_MAP]["data"]
    variables = set(config)
    for name, container in platform_containers(list(k8s.values())):
        assert {"configMapRef": {"name": CONFIG_MAP}} in container["envFrom"], name
        for env in container.get("env", []):
            assert "value" not in env, f"{name}: {env['name']} belongs in the ConfigMap or a Secret"
            secret = env["valueFrom"]["secretKeyRef"]
            assert secret["name"] == DATABASE_SECRET, name
            assert env["name"] == f"SZ_{secret['key'].upper()}_DATABASE_URL", name
            # Each service (and its relay) sees its own database only.
            assert secret["key"] == owner(name), name
            variables.add(env["name"])
    assert variables <= SETTING_VARIABLES, variables - SETTING_VARIABLES
    assert variables - K8S_ONLY == set(shared_env) - COMPOSE_ONLY


def test_k8s_urls_name_the_k8s_services(k8s: Objects, shared_env: dict[str, Any]) -> None:
    config = k8s["ConfigMap", CONFIG_MAP]["data"]
    for process in PROCESSES:
        variable = f"SZ_{process.upper()}_URL"
        assert config[variable] == shared_env[variable], variable
        service = k8s["Service", process]
        assert (
            f"http://{service['metadata']['name']}:{service['spec']['ports'][0]['port']}" == config[variable]
        )
    nats = k8s["Service", "nats"]
    assert (
        config["SZ_NATS_URL"]
        == shared_env["SZ_NATS_URL"]
        == f"nats://nats:{nats['spec']['ports'][0]['port']}"
    )
    for variable in ("SZ_EVENTS_NAMESPACE", "SZ_AUTH_ISSUER", "SZ_AUTH_AUDIENCE"):
        assert config[variable] == shared_env[variable], variable
    assert config["SZ_ENV"] == "prod", "a cluster never accepts the HS256 dev secret"


def test_k8s_and_compose_run_the_same_infrastructure(k8s: Objects, compose: dict[str, Any]) -> None:
    (nats,) = (c for c in pod_spec(k8s["StatefulSet", "nats"])["containers"] if c["name"] == "nats")
    assert nats["image"] == compose["services"]["nats"]["image"]
    compose_check = " ".join(compose["services"]["nats"]["healthcheck"]["test"])
    assert f"127.0.0.1:8222{nats['livenessProbe']['httpGet']['path']}" in compose_check
    compose_major = compose["services"]["postgres"]["image"].split(":")[1].split(".")[0]
    k8s_major = k8s["Cluster", "shuzhuan-pg"]["spec"]["imageName"].rsplit(":", 1)[1].split(".")[0]
    assert k8s_major == compose_major
    assert set(
        re.findall(r"CREATE DATABASE (\w+);", (ROOT / "deploy/postgres/init-databases.sql").read_text())
    ) == {doc["spec"]["name"] for (kind, _), doc in k8s.items() if kind == "Database"}


def test_k8s_namespace(k8s: Objects, overlay: str) -> None:
    namespace = NAMESPACES[overlay]
    assert ("Namespace", namespace) in k8s
    for (kind, name), obj in k8s.items():
        if kind != "Namespace":
            assert obj["metadata"]["namespace"] == namespace, (kind, name)


# --- k8s: outbox relays ---


def container_env(k8s: Objects, container: dict[str, Any]) -> dict[str, Any]:
    """The variables a container sees: its ConfigMaps, then its own env (values or secret references)."""
    env: dict[str, Any] = {}
    for source in container.get("envFrom", []):
        env |= k8s["ConfigMap", source["configMapRef"]["name"]]["data"]
    return env | {var["name"]: var.get("value", var.get("valueFrom")) for var in container.get("env", [])}


@pytest.mark.parametrize("service", SERVICES)
def test_k8s_relays_exactly_the_separate_services(k8s: Objects, service: str) -> None:
    (container,) = pod_spec(k8s["Deployment", service])["containers"]
    separate = container_env(k8s, container).get(RELAY_SETTING) == "separate"
    assert separate == (("Deployment", relay_name(service)) in k8s), service
    relays = {name for kind, name in k8s if kind == "Deployment" and name.endswith("-relay")}
    assert {owner(name) for name in relays} <= set(SERVICES), relays


@pytest.mark.parametrize("service", SERVICES)
def test_k8s_relay(k8s: Objects, service: str) -> None:
    deployment = k8s.get(("Deployment", relay_name(service)))
    if deployment is None:
        pytest.skip(f"{service} relays inline")
    spec = pod_spec(deployment)
    (container,) = spec["containers"]
    (served,) = pod_spec(k8s["Deployment", service])["containers"]
    assert container["args"] == relay_args(service)
    # The service's image and configuration: its database secret, NATS from the ConfigMap.
    assert container["image"] == served["image"]
    assert container["envFrom"] == served["envFrom"] and container["env"] == served["env"]
    # One publisher per outbox, never two at once (not even during a rollout): stream order = commit order.
    assert deployment["spec"]["replicas"] == 1
    assert deployment["spec"]["strategy"] == {"type": "Recreate"}
    # Its metrics port only, scraped like the services' (same annotations), and a liveness probe on its loop;
    # no Service, so no readiness probe (it would gate nothing) and no startup probe (it answers at once).
    assert container["ports"] == [{"name": "metrics", "containerPort": RELAY_METRICS_PORT}]
    assert ("Service", relay_name(service)) not in k8s
    annotations = deployment["spec"]["template"]["metadata"]["annotations"]
    scraped = k8s["Deployment", service]["spec"]["template"]["metadata"]["annotations"]
    assert annotations == scraped | {"prometheus.io/port": str(RELAY_METRICS_PORT)}
    assert annotations["prometheus.io/scrape"] == "true" and annotations["prometheus.io/path"] == "/metrics"
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "metrics"}
    assert not {"startupProbe", "readinessProbe"} & set(container)
    assert "initContainers" not in spec
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert labels["app.kubernetes.io/name"] == relay_name(service)
    assert labels["app.kubernetes.io/component"] == "relay"
    assert labels["app.kubernetes.io/part-of"] == "shuzhuan"
    assert spec["securityContext"]["runAsUser"] == IMAGE_USER
    tmp = next(m for m in container["volumeMounts"] if m["mountPath"] == "/tmp")
    assert "emptyDir" in next(v for v in spec["volumes"] if v["name"] == tmp["name"])
