"""The rendered overlays: schema validation, pod security, network policies, NATS, CloudNativePG, HA settings.

Built-in kinds are validated offline against the Kubernetes OpenAPI schemas (kubernetes-validate, strict: an
unknown field fails); the CloudNativePG and Barman Cloud resources have no schema there and are checked
field by field below. Nothing here talks to a cluster.
"""

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from ops.processes import MIGRATED as DATABASES
from szcore.settings import DEFAULT_PORTS, PROCESSES, SERVICES
from tests.test_deploy_manifests import (
    NAMESPACES,
    OVERLAYS,
    RELAY_METRICS_PORT,
    ROOT,
    Objects,
    by_key,
    platform_containers,
    pod_spec,
    relay_name,
    render,
    workloads,
)

# The oldest Kubernetes minor the manifests target (topologySpreadConstraints.matchLabelKeys, sidecar-free).
KUBERNETES_VERSION = "1.30.0"
CNPG_GROUP = "postgresql.cnpg.io/v1"
BARMAN_GROUP = "barmancloud.cnpg.io/v1"
CUSTOM_KINDS = {
    (CNPG_GROUP, "Cluster"),
    (CNPG_GROUP, "Database"),
    (CNPG_GROUP, "ScheduledBackup"),
    (BARMAN_GROUP, "ObjectStore"),
}
PG_CLUSTER = "shuzhuan-pg"
RELAYS = tuple(relay_name(s) for s in SERVICES)
# Connections of a relay besides its engine's pool: the LISTEN connection (OutboxRelay._listen).
RELAY_LISTEN_CONNECTIONS = 1
MONITORING_NAMESPACE = "monitoring"
CNPG_NAMESPACE = "cnpg-system"
# Secrets the manifests reference and docs/operations.md tells the operator to create.
SECRETS = {
    "dev": {
        "shuzhuan-databases",
        "shuzhuan-auth-jwks",
        "shuzhuan-auth-clients",
        "shuzhuan-auth-signing",
        "shuzhuan-national-push",
        *(f"shuzhuan-pg-{s}" for s in DATABASES),
    },
    "prod": {
        "shuzhuan-databases",
        "shuzhuan-auth-jwks",
        "shuzhuan-auth-clients",
        "shuzhuan-auth-signing",
        "shuzhuan-pg-backup-s3",
        "shuzhuan-national-push",
        *(f"shuzhuan-pg-{s}" for s in DATABASES),
    },
}


@pytest.fixture(scope="module", params=OVERLAYS)
def overlay(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(scope="module")
def docs(overlay: str) -> list[dict[str, Any]]:
    return render(f"overlays/{overlay}") + render(f"overlays/{overlay}/migrations")


@pytest.fixture(scope="module")
def k8s(overlay: str) -> Objects:
    return by_key(render(f"overlays/{overlay}"))


@pytest.fixture(scope="module")
def prod() -> Objects:
    return by_key(render("overlays/prod"))


@pytest.fixture(scope="module")
def dev() -> Objects:
    return by_key(render("overlays/dev"))


def of_kind(objects: Objects, kind: str) -> dict[str, dict[str, Any]]:
    return {name: obj for (k, name), obj in objects.items() if k == kind}


# --- schemas ---


def test_every_builtin_object_validates_against_the_kubernetes_schema(docs: list[dict[str, Any]]) -> None:
    kubernetes_validate = pytest.importorskip(
        "kubernetes_validate", reason="kubernetes-validate is not installed (pip install kubernetes-validate)"
    )
    errors = []
    for doc in docs:
        if (doc["apiVersion"], doc["kind"]) in CUSTOM_KINDS:
            continue
        try:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            path = "/".join(str(part) for part in error.path)
            errors.append(f"{doc['kind']}/{doc['metadata']['name']}: {path}: {error.message}")
    assert not errors, "\n".join(errors)


def test_only_known_custom_resources(docs: list[dict[str, Any]]) -> None:
    for doc in docs:
        group = doc["apiVersion"].split("/")[0]
        if "." in group and not group.endswith(".k8s.io"):
            assert (doc["apiVersion"], doc["kind"]) in CUSTOM_KINDS, (doc["apiVersion"], doc["kind"])


# --- security ---


def test_no_secret_values_are_committed() -> None:
    for path in (ROOT / "deploy").rglob("*.y*ml"):
        for doc in yaml.safe_load_all(path.read_text()):
            if isinstance(doc, dict):
                assert doc.get("kind") != "Secret", f"{path}: create Secrets out of band"


def test_secrets_are_referenced_and_documented(docs: list[dict[str, Any]], overlay: str) -> None:
    text = yaml.safe_dump_all(docs)
    referenced = set(re.findall(r"secretName: (\S+)", text))
    referenced |= {
        ref["name"]
        for doc in docs
        for ref in _walk_secret_refs(doc)
        if ref.get("name")  # secretKeyRef, passwordSecret, s3Credentials
    }
    assert referenced == SECRETS[overlay]
    operations = (ROOT / "docs" / "operations.md").read_text()
    for secret in referenced:
        assert f"`{secret}`" in operations, f"docs/operations.md does not say how to create {secret}"


def _walk_secret_refs(node: Any) -> list[dict[str, Any]]:
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("secretKeyRef", "passwordSecret") or (key in ("accessKeyId", "secretAccessKey")):
                found.append(value)
            else:
                found.extend(_walk_secret_refs(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(_walk_secret_refs(item))
    return found


def test_every_pod_is_non_root_read_only_and_bounded(docs: list[dict[str, Any]]) -> None:
    for obj in workloads(docs):
        name = f"{obj['kind']}/{obj['metadata']['name']}"
        spec = pod_spec(obj)
        assert spec["automountServiceAccountToken"] is False, name
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        assert spec["securityContext"]["runAsUser"] > 0, name
        assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", name
        for container in [*spec.get("initContainers", []), *spec["containers"]]:
            where = f"{name}/{container['name']}"
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True, where
            assert security["allowPrivilegeEscalation"] is False, where
            assert security["capabilities"]["drop"] == ["ALL"], where
            resources = container["resources"]
            assert {"cpu", "memory"} <= set(resources["requests"]), where
            assert {"cpu", "memory"} <= set(resources["limits"]), where
            assert ":" in container["image"], f"{where}: image without a tag"


def test_namespace_enforces_restricted_pod_security(k8s: Objects, overlay: str) -> None:
    labels = k8s["Namespace", NAMESPACES[overlay]]["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"


# --- network policies ---


def _selects(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    if any(labels.get(key) != value for key, value in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        key, operator, values = expression["key"], expression["operator"], expression.get("values", [])
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and key in labels and labels[key] in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True


Pod = tuple[str, dict[str, str]]  # (namespace, labels)


def _admits(peer: dict[str, Any], own_namespace: str, other: Pod) -> bool:
    """Whether a policy's peer (from/to) in `own_namespace` selects the pod `other`."""
    other_namespace, other_labels = other
    namespace_selector, pod_selector = peer.get("namespaceSelector"), peer.get("podSelector")
    if namespace_selector is None:
        in_namespace = other_namespace == own_namespace
    else:
        in_namespace = _selects(namespace_selector, {"kubernetes.io/metadata.name": other_namespace})
    return in_namespace and (pod_selector is None or _selects(pod_selector, other_labels))


def _direction(
    policies: list[dict[str, Any]], direction: str, subject: Pod, other: Pod, port: int, protocol: str
) -> bool:
    """Whether the policies selecting `subject` admit traffic in `direction` (Ingress: from `other`; Egress:
    to `other`) on port/protocol. The subset of the NetworkPolicy semantics these manifests use: numeric
    ports, pod and namespace selectors."""
    namespace, labels = subject
    applying = [
        policy
        for policy in policies
        if policy["metadata"]["namespace"] == namespace
        and direction in policy["spec"]["policyTypes"]
        and _selects(policy["spec"]["podSelector"], labels)
    ]
    if not applying:
        return True
    rules_key, peers_key = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
    for policy in applying:
        for rule in policy["spec"].get(rules_key, []):
            ports = rule.get("ports")
            if ports and not any(p["port"] == port and p.get("protocol", "TCP") == protocol for p in ports):
                continue
            peers = rule.get(peers_key)
            if not peers or any(_admits(peer, namespace, other) for peer in peers):
                return True
    return False


def allowed(
    policies: list[dict[str, Any]], source: Pod, target: Pod, port: int, protocol: str = "TCP"
) -> bool:
    """Whether the network policies let `source` connect to target:port: the source's egress rules and the
    target's ingress rules both admit it."""
    return _direction(policies, "Egress", source, target, port, protocol) and _direction(
        policies, "Ingress", target, source, port, protocol
    )


def pods(k8s: Objects, namespace: str) -> dict[str, Pod]:
    found = {
        obj["metadata"]["name"]: (namespace, obj["spec"]["template"]["metadata"]["labels"])
        for (kind, _), obj in k8s.items()
        if kind in ("Deployment", "StatefulSet")
    }
    jobs = by_key(render(f"overlays/{'prod' if namespace == NAMESPACES['prod'] else 'dev'}/migrations"))
    for (_, name), job in jobs.items():
        found[name] = (namespace, job["spec"]["template"]["metadata"]["labels"])
    # Labels CloudNativePG puts on the instances of the Cluster.
    found["postgres"] = (namespace, {"cnpg.io/cluster": PG_CLUSTER, "cnpg.io/podRole": "instance"})
    found["stranger"] = (namespace, {"app.kubernetes.io/name": "something-else"})
    found["other-namespace"] = ("elsewhere", {"app.kubernetes.io/name": "gateway"})
    found["prometheus"] = (MONITORING_NAMESPACE, {"app.kubernetes.io/name": "prometheus"})
    found["cnpg-operator"] = (CNPG_NAMESPACE, {"app.kubernetes.io/name": "cloudnative-pg"})
    found["kube-dns"] = ("kube-system", {"k8s-app": "kube-dns"})
    return found


def test_network_policies(k8s: Objects, overlay: str) -> None:
    namespace = NAMESPACES[overlay]
    policies = list(of_kind(k8s, "NetworkPolicy").values())
    everyone = pods(k8s, namespace)
    assert {"gateway", *SERVICES, *RELAYS, "nats", *(f"{s}-migrate" for s in SERVICES)} <= set(everyone)

    def reachable(target: str, port: int, protocol: str = "TCP") -> set[str]:
        return {
            name for name, pod in everyone.items() if allowed(policies, pod, everyone[target], port, protocol)
        }

    # Nothing is open by default.
    default = k8s["NetworkPolicy", "default-deny-ingress"]["spec"]
    assert default["podSelector"] == {} and default["policyTypes"] == ["Ingress"]
    assert "ingress" not in default

    # The gateway is the public entry (for everyone whose egress is open).
    assert reachable("gateway", DEFAULT_PORTS["gateway"]) == set(everyone) - set(RELAYS)
    # Services: the gateway, each other, Prometheus.
    for service in SERVICES:
        assert reachable(service, DEFAULT_PORTS[service]) == {"gateway", *SERVICES, "prometheus"}, service
        assert reachable(service, 5432) == set(), service
    # NATS clients: the five processes and the relays only; routes between the NATS nodes.
    assert reachable("nats", 4222) == {*PROCESSES, *RELAYS, "nats"}
    assert reachable("nats", 6222) == {"nats"}
    assert reachable("nats", 7777) == {"prometheus"}
    # PostgreSQL: the services, the gateway (sync state), the relays and the migration Jobs (each role only
    # its own database: pg_hba below); the instances replicate among themselves; the operator talks to the
    # instance manager.
    assert reachable("postgres", 5432) == {
        *DATABASES,
        *RELAYS,
        *(f"{s}-migrate" for s in DATABASES),
        "postgres",
    }
    assert reachable("postgres", 8000) == {"postgres", "cnpg-operator"}
    assert reachable("postgres", 9187) == {"prometheus"}
    # The relays serve Prometheus only (/metrics), and reach PostgreSQL, NATS's client port and DNS only.
    targets = {(target, port) for target in everyone for port in {*DEFAULT_PORTS.values(), 4222, 5432, 6222}}
    for relay in RELAYS:
        assert reachable(relay, RELAY_METRICS_PORT) == {"prometheus"}, relay
        assert not any(reachable(relay, port) for port in (*DEFAULT_PORTS.values(), 4222, 5432)), relay
        reached = {(t, port) for t, port in targets if allowed(policies, everyone[relay], everyone[t], port)}
        assert reached == {("postgres", 5432), ("nats", 4222)}, relay
        for protocol in ("UDP", "TCP"):
            assert allowed(policies, everyone[relay], everyone["kube-dns"], 53, protocol), relay
    # Prometheus reaches every port a pod asks it to scrape.
    annotated = {
        obj["metadata"]["name"]: obj["spec"]["template"]["metadata"].get("annotations", {})
        for (kind, _), obj in k8s.items()
        if kind in ("Deployment", "StatefulSet")
    }
    scraped = {
        name: int(annotations["prometheus.io/port"])
        for name, annotations in annotated.items()
        if annotations.get("prometheus.io/scrape") == "true"
    }
    assert {*PROCESSES, *RELAYS} <= set(scraped)
    for name, port in scraped.items():
        assert "prometheus" in reachable(name, port), (name, port)


def test_database_access_is_per_service(k8s: Objects) -> None:
    cluster = k8s["Cluster", PG_CLUSTER]["spec"]
    rules = cluster["postgresql"]["pg_hba"]
    assert rules[-1] == "host all all all reject"
    for service in DATABASES:
        assert f"hostssl {service} {service} all scram-sha-256" in rules
    granted = [rule.split()[1:3] for rule in rules[:-1]]
    assert all(database == role for database, role in granted), granted


# --- PostgreSQL (CloudNativePG) ---


def test_one_database_per_service_owned_by_its_role(k8s: Objects) -> None:
    cluster = k8s["Cluster", PG_CLUSTER]
    assert cluster["apiVersion"] == CNPG_GROUP
    spec = cluster["spec"]
    assert spec["enableSuperuserAccess"] is False
    roles = {role["name"]: role for role in spec["managed"]["roles"]}
    assert set(roles) == set(DATABASES)
    for service, role in roles.items():
        assert role["ensure"] == "present" and role["login"] is True
        assert role["passwordSecret"] == {"name": f"shuzhuan-pg-{service}"}
    databases = of_kind(k8s, "Database")
    assert {db["spec"]["name"] for db in databases.values()} == set(DATABASES)
    for db in databases.values():
        assert db["apiVersion"] == CNPG_GROUP
        assert db["spec"]["cluster"] == {"name": PG_CLUSTER}
        assert db["spec"]["owner"] == db["spec"]["name"]
        assert db["spec"]["ensure"] == "present"
        assert db["spec"]["databaseReclaimPolicy"] == "retain"


def peak_pods(k8s: Objects, name: str) -> int:
    """The most pods a Deployment runs: its HPA's maximum (else its replicas), plus the surge pod of a
    rolling update (none with Recreate)."""
    deployment = k8s["Deployment", name]
    autoscalers = of_kind(k8s, "HorizontalPodAutoscaler")
    replicas = (
        autoscalers[name]["spec"]["maxReplicas"] if name in autoscalers else deployment["spec"]["replicas"]
    )
    strategy = deployment["spec"].get("strategy", {})
    surge = 0 if strategy.get("type") == "Recreate" else strategy.get("rollingUpdate", {}).get("maxSurge", 1)
    return replicas + surge


def relay_connections(service: str) -> int:
    """What a `relay <service>` process opens on PostgreSQL: its engine's pool as szcore.service.build_relay
    makes it (no connection is opened here), plus the LISTEN connection."""
    import importlib

    from szcore.bus import EventBus
    from szcore.service import build_relay
    from szcore.settings import Settings

    settings = Settings()
    infra = importlib.import_module(f"services.{service}.db").infra
    _, engine = build_relay(
        infra, EventBus(settings, relay_name(service)), settings, "postgresql+asyncpg://h/db"
    )
    pool = engine.sync_engine.pool
    return pool.size() + pool._max_overflow + RELAY_LISTEN_CONNECTIONS  # type: ignore[attr-defined]


def test_relay_connections() -> None:
    assert {relay_connections(service) for service in SERVICES} == {2}


def test_connection_budget_fits_max_connections(k8s: Objects) -> None:
    """Each service pod holds up to SZ_DATABASE_POOL_SIZE connections plus as many overflow (szcore.db; with
    the inline relay, its connection is one of the overflow); each relay process its pool and the LISTEN."""
    from gateway.sync.runtime import POOL_OVERFLOW, POOL_SIZE
    from szcore.settings import Settings

    config = k8s["ConfigMap", "shuzhuan-config"]["data"]
    per_pod = 2 * int(config.get("SZ_DATABASE_POOL_SIZE", Settings().database_pool_size))
    max_connections = int(k8s["Cluster", PG_CLUSTER]["spec"]["postgresql"]["parameters"]["max_connections"])
    total = sum(per_pod * peak_pods(k8s, service) for service in SERVICES)
    total += (POOL_SIZE + POOL_OVERFLOW) * peak_pods(k8s, "gateway")  # the gateway's own small sync pool
    relays = [s for s in SERVICES if ("Deployment", relay_name(s)) in k8s]
    total += sum(relay_connections(s) * peak_pods(k8s, relay_name(s)) for s in relays)
    assert total <= max_connections - 10, (total, max_connections)


def test_prod_postgres_is_replicated_and_backed_up(prod: Objects) -> None:
    spec = prod["Cluster", PG_CLUSTER]["spec"]
    assert spec["instances"] == 3
    assert spec["postgresql"]["synchronous"]["number"] >= 1
    (plugin,) = spec["plugins"]
    assert plugin["name"] == "barman-cloud.cloudnative-pg.io" and plugin["isWALArchiver"] is True
    store = prod["ObjectStore", plugin["parameters"]["barmanObjectName"]]
    assert store["apiVersion"] == BARMAN_GROUP
    credentials = store["spec"]["configuration"]["s3Credentials"]
    assert set(credentials) == {"accessKeyId", "secretAccessKey"}
    assert all(set(ref) == {"name", "key"} for ref in credentials.values())
    (scheduled,) = of_kind(prod, "ScheduledBackup").values()
    assert scheduled["spec"]["cluster"] == {"name": PG_CLUSTER}
    assert scheduled["spec"]["method"] == "plugin"
    assert scheduled["spec"]["pluginConfiguration"]["name"] == plugin["name"]
    assert len(scheduled["spec"]["schedule"].split()) == 6, "CNPG schedules have a seconds field"


def test_dev_postgres_is_one_instance_without_backups(dev: Objects) -> None:
    spec = dev["Cluster", PG_CLUSTER]["spec"]
    assert spec["instances"] == 1
    assert "plugins" not in spec
    assert not of_kind(dev, "ScheduledBackup") and not of_kind(dev, "ObjectStore")


# --- NATS ---


def nats_config(k8s: Objects) -> str:
    return k8s["ConfigMap", "nats-config"]["data"]["nats.conf"]


def test_nats_cluster_matches_replicas_and_stream_replicas(k8s: Objects) -> None:
    statefulset = k8s["StatefulSet", "nats"]
    replicas = statefulset["spec"]["replicas"]
    config = nats_config(k8s)
    assert "jetstream {" in config
    headless = k8s["Service", statefulset["spec"]["serviceName"]]["spec"]
    assert headless["clusterIP"] == "None" and headless["publishNotReadyAddresses"] is True
    routes = re.findall(r"nats://(\S+):6222", config)
    if replicas == 1:
        assert "cluster {" not in config and not routes
    else:
        assert "cluster {" in config
        assert routes == [f"nats-{i}.{statefulset['spec']['serviceName']}" for i in range(replicas)]
    stream_replicas = int(k8s["ConfigMap", "shuzhuan-config"]["data"]["SZ_STREAM_REPLICAS"])
    assert stream_replicas <= replicas
    (volume,) = statefulset["spec"]["volumeClaimTemplates"]
    assert any(
        m["name"] == volume["metadata"]["name"]
        for m in pod_spec(statefulset)["containers"][0]["volumeMounts"]
    )
    store = re.search(r"max_file_store: (\d+)([MG])B", config)
    stored = int(store.group(1)) * (1024 if store.group(2) == "G" else 1)
    claimed = volume["spec"]["resources"]["requests"]["storage"]
    claimed_mb = int(claimed[:-2]) * (1024 if claimed.endswith("Gi") else 1)
    assert stored < claimed_mb, "JetStream's file store must fit its volume"


def test_nats_dev_config_is_prod_config_without_cluster(dev: Objects, prod: Objects) -> None:
    def strip(config: str) -> list[str]:
        without_cluster = re.sub(r"\ncluster \{.*?\n\}\n", "\n", config, flags=re.DOTALL)
        lines = without_cluster.strip().splitlines()
        return [line for line in lines if "max_" not in line or "payload" in line]

    assert strip(nats_config(dev)) == strip(nats_config(prod))


def test_nats_probes(k8s: Objects) -> None:
    (nats,) = (c for c in pod_spec(k8s["StatefulSet", "nats"])["containers"] if c["name"] == "nats")
    assert nats["livenessProbe"]["httpGet"]["path"] == "/healthz?js-enabled-only=true"
    assert nats["readinessProbe"]["httpGet"]["path"] == "/healthz?js-server-only=true"
    assert "ldm" in " ".join(nats["lifecycle"]["preStop"]["exec"]["command"])


# --- replicas, autoscaling, disruption budgets ---


def test_prod_is_highly_available(prod: Objects) -> None:
    config = prod["ConfigMap", "shuzhuan-config"]["data"]
    assert config["SZ_STREAM_REPLICAS"] == "3"
    assert prod["StatefulSet", "nats"]["spec"]["replicas"] == 3
    anti = pod_spec(prod["StatefulSet", "nats"])["affinity"]["podAntiAffinity"]
    assert (
        anti["requiredDuringSchedulingIgnoredDuringExecution"][0]["topologyKey"] == "kubernetes.io/hostname"
    )
    autoscalers = of_kind(prod, "HorizontalPodAutoscaler")
    budgets = of_kind(prod, "PodDisruptionBudget")
    # One relay per service (tests/test_deploy_manifests.py says why): nothing scales or spreads it, and a
    # budget for one pod would either change nothing or block every drain.
    assert set(autoscalers) == set(PROCESSES)
    assert set(budgets) == {*PROCESSES, "nats"}
    for process in PROCESSES:
        deployment = prod["Deployment", process]
        assert deployment["spec"]["replicas"] >= 2, process
        assert pod_spec(deployment)["topologySpreadConstraints"], process
        hpa = autoscalers[process]["spec"]
        assert hpa["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": process}
        assert 2 <= hpa["minReplicas"] == deployment["spec"]["replicas"] < hpa["maxReplicas"]
    for name, budget in budgets.items():
        kind = "StatefulSet" if name == "nats" else "Deployment"
        labels = prod[kind, name]["spec"]["template"]["metadata"]["labels"]
        assert budget["spec"]["selector"]["matchLabels"].items() <= labels.items(), name
        assert budget["spec"]["maxUnavailable"] == 1, name
        assert budget["spec"]["unhealthyPodEvictionPolicy"] == "AlwaysAllow", name


def test_dev_is_small(dev: Objects, prod: Objects) -> None:
    assert dev["ConfigMap", "shuzhuan-config"]["data"]["SZ_STREAM_REPLICAS"] == "1"
    assert dev["StatefulSet", "nats"]["spec"]["replicas"] == 1
    assert not of_kind(dev, "HorizontalPodAutoscaler") and not of_kind(dev, "PodDisruptionBudget")
    for name in (*PROCESSES, *RELAYS):
        assert dev["Deployment", name]["spec"]["replicas"] == 1
        small = pod_spec(dev["Deployment", name])["containers"][0]["resources"]
        large = pod_spec(prod["Deployment", name])["containers"][0]["resources"]
        assert _memory(small["limits"]["memory"]) < _memory(large["limits"]["memory"]), name


def test_relays_are_single_and_unscaled(k8s: Objects) -> None:
    autoscaled = {
        hpa["spec"]["scaleTargetRef"]["name"] for hpa in of_kind(k8s, "HorizontalPodAutoscaler").values()
    }
    budgeted = [budget["spec"]["selector"] for budget in of_kind(k8s, "PodDisruptionBudget").values()]
    for relay in RELAYS:
        deployment = k8s["Deployment", relay]
        assert deployment["spec"]["replicas"] == 1 and relay not in autoscaled, relay
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert not any(_selects(selector, labels) for selector in budgeted), relay
        assert "topologySpreadConstraints" not in pod_spec(deployment), relay


def _memory(quantity: str) -> int:
    units = {"Mi": 1, "Gi": 1024}
    return int(quantity[:-2]) * units[quantity[-2:]]


def test_overlay_and_its_migrations_agree(overlay: str) -> None:
    def image(docs: list[dict[str, Any]]) -> set[str]:
        return {container["image"] for _, container in platform_containers(docs)}

    assert image(render(f"overlays/{overlay}")) == image(render(f"overlays/{overlay}/migrations"))
    overlay_dir = ROOT / "deploy" / "k8s" / "overlays" / overlay
    main = yaml.safe_load((overlay_dir / "kustomization.yaml").read_text())
    jobs = yaml.safe_load((overlay_dir / "migrations" / "kustomization.yaml").read_text())
    assert main["namespace"] == jobs["namespace"] == NAMESPACES[overlay]
    assert main["images"] == jobs["images"]


def test_docs_name_the_overlays() -> None:
    operations = (ROOT / "docs" / "operations.md").read_text()
    for path in (
        "deploy/k8s/overlays/dev",
        "deploy/k8s/overlays/prod",
        "deploy/k8s/overlays/prod/migrations",
    ):
        assert path in operations, path
    assert Path(ROOT / "deploy" / "k8s" / "README.md").exists()
