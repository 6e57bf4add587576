"""The deployment files checked without Docker or Kubernetes: every YAML file parses; every command a
container or probe runs is a console script of pyproject.toml (or a program of a third-party
image); every port matches the configuration the container loads; every path is mounted or on a
volume; every TOML and HELIOSDB_* variable is accepted by the real config loader."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from heliosdb_lite.config import Config, is_loopback_address
from tests.deploy.manifests import (
    DOCKER,
    EXTERNAL_IMAGES,
    IMAGE_USERS_MOUNT,
    K8S,
    ROOT,
    SHELL_COMMANDS,
    Container,
    Dockerfile,
    compose,
    compose_containers,
    console_scripts,
    deployment_yaml_files,
    dockerfile_instructions,
    dockerignored,
    etcd_client_port,
    image_container,
    k8s_containers,
    k8s_objects,
    load_deployed,
    probe_port,
    programs,
    yaml_documents,
)

OUR_IMAGE = "heliosdb-lite"


def check_programs(container: Container, argv: list[str]) -> None:
    """Every program `argv` runs exists in the container's image."""
    if container.image_name != OUR_IMAGE:
        allowed = EXTERNAL_IMAGES[container.image_name]
        assert argv[0].startswith("-") or argv[0] in allowed, (container.name, argv)
        return
    scripts = console_scripts()
    for program in programs(argv):
        assert program in scripts or program in SHELL_COMMANDS, (container.name, program)


def served_ports(config: Config, container: Container) -> dict[str, int]:
    """The ports a heliosdb-lite command listens on, by what they are for."""
    if container.runs("proxy"):
        return {"db": config.proxy.port, "metrics": config.proxy.metrics_port}
    ports = {"db": config.server.port}
    if config.observability.metrics_enabled:
        ports["metrics"] = config.observability.metrics_port
    return ports


def check_heliosdb_container(container: Container, config: Config) -> dict[str, int]:
    """Commands, probes, ports and paths of one of our containers against the config it loads."""
    check_programs(container, container.argv)
    ports = served_ports(config, container)
    assert container.ports <= set(ports.values()), (container.name, container.ports, ports)
    for probe in container.probes:
        check_programs(container, probe)
        assert probe_port(probe) == ports["db"], (container.name, probe)
    if container.runs("serve"):
        assert not is_loopback_address(config.server.listen), "others could not reach it"
        assert config.without_effect() == [], f"{container.name}: keys the server would only warn about"
        container.volume_of(str(config.users_file_path))
        journal, inside = container.volume_of(str(config.journal_dir))
        assert inside == "" and journal != container.volume_of(str(config.database.path))[0], \
            f"{container.name}: the journal has a volume of its own"
    else:
        assert not is_loopback_address(config.proxy.listen)
        assert config.proxy.users_file is not None
        container.volume_of(str(config.proxy.users_file))
    return ports


def test_every_yaml_file_parses_and_kustomize_lists_every_k8s_file() -> None:
    files = deployment_yaml_files()
    assert {path.name for path in files} >= {"compose.yml", "prometheus.yml", "kustomization.yaml"}
    for path in files:
        documents = yaml_documents(path)
        assert documents and all(isinstance(document, dict) for document in documents), path
        if path.parent == K8S and path.name != "kustomization.yaml":
            for document in documents:
                assert {"apiVersion", "kind", "metadata"} <= set(document), (path, document.keys())
    (kustomization,) = yaml_documents(K8S / "kustomization.yaml")
    assert sorted(kustomization["resources"]) == sorted(
        path.name for path in K8S.glob("*.yaml") if path.name != "kustomization.yaml")


# -- Dockerfile --------------------------------------------------------------------------------------


def test_dockerfile_runs_the_server_as_a_non_root_user_with_a_healthcheck(tmp_path: Path) -> None:
    dockerfile = Dockerfile(dockerfile_instructions())
    keywords = [instruction.keyword for instruction in dockerfile.instructions]
    assert keywords[0] == "FROM" and re.fullmatch(r"python:3\.1[1-9]-slim", dockerfile.all("FROM")[0])
    user = dockerfile.all("USER")[-1].split(":")[0]
    assert user.isdigit() and int(user) != 0, "numeric and not root (Kubernetes' runAsNonRoot checks it)"
    assert keywords.index("USER") > len(keywords) - 1 - keywords[::-1].index("RUN"), "nothing runs after USER"
    options, command = dockerfile.healthcheck()
    assert command[0] in console_scripts()
    assert set(re.findall(r"--(\w[\w-]*)=", options)) == {"interval", "timeout", "start-period", "retries"}

    copies = dockerfile.copies()
    for source in copies.values():
        assert (ROOT / source).exists(), f"COPY {source}: not in the repository"
        assert not dockerignored(source), f"COPY {source}: excluded by .dockerignore"
    assert dockerignored("tests/conftest.py") and dockerignored(".venv/bin/python")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    packages = project["tool"]["setuptools"]["packages"]["find"]["include"]
    needed = {"pyproject.toml", project["project"]["readme"], *(pattern.rstrip("*") for pattern in packages)}
    source_dir = str(Path(next(d for d, s in copies.items() if s == "pyproject.toml")).parent)
    assert {copies[f"{source_dir}/{name}"] for name in needed} == needed, "pip install sees the whole project"
    assert any(f"pip install {source_dir}" in run for run in dockerfile.all("RUN"))

    image = image_container(dockerfile)
    assert image.argv == ["heliosdb-lite", "serve", "--config", "/app/config.toml"]
    assert set(image.volumes) - {IMAGE_USERS_MOUNT} == {"/data", "/data/tx-journal"}
    config = load_deployed(image.config_text(), {}, tmp_path / "image.toml")
    assert config.users_file_path.parent == Path(IMAGE_USERS_MOUNT)
    ports = check_heliosdb_container(image, config)
    assert {int(port) for port in " ".join(dockerfile.all("EXPOSE")).split()} == set(ports.values())


# -- Compose -----------------------------------------------------------------------------------------


def compose_configs(tmp_path: Path) -> dict[str, Config]:
    return {name: load_deployed(container.config_text(), container.env, tmp_path / f"{name}.toml")
            for name, container in compose_containers().items()
            if container.image_name == OUR_IMAGE and "--config" in " ".join(container.argv)}


def test_compose_services_run_what_exists_with_the_ports_and_paths_their_configs_name(tmp_path: Path) -> None:
    document = compose()
    containers = compose_containers(document)
    configs = compose_configs(tmp_path)
    assert set(configs) == {"node-a", "node-b", "proxy"}
    services = document["services"]
    for name, service in services.items():
        for dependency in service.get("depends_on", {}):
            assert dependency in services, (name, dependency)
        if "build" in service:
            assert (DOCKER / service["build"]["context"] / service["build"]["dockerfile"]).is_file()
    ports = {name: check_heliosdb_container(containers[name], config) for name, config in configs.items()}
    for container in containers.values():
        check_programs(container, container.argv)
        for probe in container.probes:
            check_programs(container, probe)

    nodes = {name for name in configs if containers[name].runs("serve")}
    etcd = f"etcd:{etcd_client_port(containers['etcd'])}"
    for name in nodes:
        config, env = configs[name], containers[name].env
        peer = (nodes - {name}).pop()
        peer_address = f"{peer}:{ports[peer]['db']}"
        if config.replication.role == "primary":
            assert env["HELIOSDB_STANDBY"] == peer_address == config.replication.standby_host
        else:
            assert env["HELIOSDB_PRIMARY"] == peer_address == config.replication.primary_host
        assert config.replication.standby_name == name
        assert env["HELIOSDB_REPLICATION_PASSWORD"] == env["PGPASSWORD"], "probes log in with the password"
        failover = config.failover
        assert failover.enabled and failover.node_name == name
        assert failover.advertise_host == f"{name}:{ports[name]['db']}"
        assert failover.etcd_endpoints == (etcd,)
    assert sorted(config.replication.role for name, config in configs.items() if name in nodes) == [
        "primary", "standby"]
    assert set(configs["proxy"].proxy.upstreams) == {f"{node}:{ports[node]['db']}" for node in nodes}
    assert "users" in containers["users"].volumes.values()
    found = re.search(r"--users-file (\S+)", containers["users"].argv[-1])
    assert found is not None, containers["users"].argv
    users_file = found[1]
    for name in configs:
        server_or_proxy = configs[name].proxy.users_file if name == "proxy" else configs[name].users_file_path
        assert containers[name].volume_of(str(server_or_proxy)) == containers["users"].volume_of(users_file)


def test_prometheus_scrapes_every_metrics_port_of_compose(tmp_path: Path) -> None:
    containers = compose_containers()
    configs = compose_configs(tmp_path)
    metrics = {f"{name}:{served_ports(config, containers[name])['metrics']}"
               for name, config in configs.items()}
    metrics |= {f"etcd:{etcd_client_port(containers['etcd'])}", "localhost:9090"}
    (scrape,) = yaml_documents(DOCKER / "prometheus.yml")
    targets = [target for job in scrape["scrape_configs"] for group in job["static_configs"]
               for target in group["targets"]]
    assert sorted(targets) == sorted(metrics)
    prometheus = containers["prometheus"]
    (config_file,) = [word.partition("=")[2] for word in prometheus.argv if word.startswith("--config.file=")]
    assert prometheus.files[config_file] == (DOCKER / "prometheus.yml").read_text()


# -- Kubernetes --------------------------------------------------------------------------------------


@pytest.fixture
def k8s() -> dict[tuple[str, str], dict[str, Any]]:
    return k8s_objects()


def pods(workload: dict[str, Any]) -> list[str]:
    return [f"{workload['metadata']['name']}-{index}" for index in range(workload["spec"]["replicas"])]


def test_k8s_statefulset_pods_load_their_config_and_probe_their_own_port(
        k8s: dict[tuple[str, str], dict[str, Any]], tmp_path: Path) -> None:
    statefulset = k8s[("StatefulSet", "heliosdb")]
    assert 2 <= statefulset["spec"]["replicas"] <= 3
    headless = k8s[("Service", statefulset["spec"]["serviceName"])]["spec"]
    assert headless["clusterIP"] == "None" and headless["publishNotReadyAddresses"] is True
    hosts = []
    for pod in pods(statefulset):
        (container,) = k8s_containers(statefulset, k8s, pod)
        config = load_deployed(container.config_text(), container.env, tmp_path / f"{pod}.toml")
        ports = check_heliosdb_container(container, config)
        assert len(container.probes) == 3 and ["heliosdb-health-check", "--role"] in container.probes
        assert container.ports == set(ports.values())
        assert config.failover.node_name == pod == config.replication.standby_name, "set per pod"
        assert config.failover.advertise_host == f"{container.host}:{ports['db']}"
        hosts.append(f"{container.host}:{ports['db']}")
    script = container.argv[2]
    assert set(re.findall(r"[\w-]+\.[\w-]+:\d+", script)) <= set(hosts), "the script names the pods"
    proxy_config = load_deployed(k8s[("ConfigMap", "heliosdb-config")]["data"]["proxy.toml"], {},
                                 tmp_path / "proxy.toml")
    assert list(proxy_config.proxy.upstreams) == hosts
    etcd_port = k8s[("Service", "etcd")]["spec"]["ports"][0]["port"]
    assert config.failover.enabled and config.failover.etcd_endpoints == (f"etcd:{etcd_port}",)


def test_k8s_proxy_deployment_and_services_select_what_serves_their_ports(
        k8s: dict[tuple[str, str], dict[str, Any]], tmp_path: Path) -> None:
    deployment = k8s[("Deployment", "heliosdb-proxy")]
    (container,) = k8s_containers(deployment, k8s, "heliosdb-proxy-0")
    config = load_deployed(container.config_text(), container.env, tmp_path / "proxy.toml")
    ports = check_heliosdb_container(container, config)
    assert container.ports == set(ports.values())
    live = deployment["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]
    assert live["tcpSocket"]["port"] == "db", "a proxy whose upstreams are down stays alive"

    for kind, name in [key for key in k8s if key[0] in ("StatefulSet", "Deployment")]:
        workload = k8s[(kind, name)]
        labels = workload["spec"]["template"]["metadata"]["labels"]
        assert workload["spec"]["selector"]["matchLabels"].items() <= labels.items()
    templates = [k8s[key]["spec"]["template"] for key in k8s if key[0] in ("StatefulSet", "Deployment")]
    for (kind, name), service in k8s.items():
        if kind != "Service":
            continue
        selector = service["spec"]["selector"].items()
        (template,) = [t for t in templates if selector <= t["metadata"]["labels"].items()]
        named = {port["name"] for container in template["spec"]["containers"] for port in container["ports"]}
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in named, (name, port)
    client = k8s[("Service", "heliosdb-client")]["spec"]
    assert client["selector"] == deployment["spec"]["selector"]["matchLabels"]
    assert client["ports"][0]["port"] == 5432, "applications connect as to PostgreSQL"
    budget = k8s[("PodDisruptionBudget", "heliosdb")]["spec"]
    assert budget["selector"] == k8s[("StatefulSet", "heliosdb")]["spec"]["selector"]
    assert budget["maxUnavailable"] == 1
