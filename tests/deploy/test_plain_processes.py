"""What the containers run, run as plain processes (no Docker daemon here): the image's command and
health check; Compose's nodes with failover on, against a real etcd (Debian's etcd-server), which
elects one of them primary; Kubernetes' pods with failover off, taking the roles their start-up
script gives; the replay proxy in front of them. Health checks and probes exit 0 against them,
the role probe names each node's role, writes go through the proxy, every Prometheus target serves
metrics, and a probe of a dead server exits 1 with the reason."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from tests.deploy.manifests import (
    DOCKER,
    TEST_PASSWORD,
    Container,
    compose_containers,
    etcd_client_port,
    image_container,
    k8s_containers,
    k8s_objects,
    yaml_documents,
)
from tests.deploy.plain import BIN, Sandbox
from testsupport.etcd_process import EtcdProcess

ELECTION_TIMEOUT = 60.0


def assert_ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, (done.args, done.stdout, done.stderr)
    return done.stdout


def distinct_probes(container: Container) -> list[list[str]]:
    return [list(probe) for probe in dict.fromkeys(tuple(probe) for probe in container.probes)]


def probe_outputs(sandbox: Sandbox, container: Container) -> dict[tuple[str, ...], str]:
    """Each probe of a container, run once as its orchestrator runs it: exit 0 and its output."""
    return {tuple(probe): assert_ok(sandbox.probe(container, probe)) for probe in distinct_probes(container)}


def add_user(users_file: Path) -> None:
    """The users file, made as docs/deployment.md says (`heliosdb-lite user add --password-stdin`)."""
    subprocess.run([str(BIN / "heliosdb-lite"), "user", "add", "postgres", "--password-stdin",
                    "--users-file", str(users_file)],
                   input=TEST_PASSWORD, text=True, check=True, capture_output=True, timeout=30)


def assert_down(sandbox: Sandbox, container: Container) -> None:
    """Every probe of a container whose server is gone exits 1 with one line saying why."""
    for probe in distinct_probes(container):
        done = sandbox.probe(container, probe)
        assert done.returncode == 1, (probe, done.stdout, done.stderr)
        assert done.stderr.startswith(f"{probe[0]}: cannot connect to 127.0.0.1:"), done.stderr
        assert done.stderr.count("\n") == 1


def test_image_command_and_healthcheck_as_processes(tmp_path: Path) -> None:
    image = image_container()
    image.env["PGPASSWORD"] = TEST_PASSWORD  # `docker run -e PGPASSWORD=...`, as docs/deployment.md says
    with Sandbox(tmp_path, [image.host], failover=False) as sandbox:
        add_user(sandbox.volume("users") / "users.toml")  # mounted by whoever runs the image
        server = sandbox.start(image)
        probe_outputs(sandbox, image)
        server.kill()
        assert_down(sandbox, image)


def test_compose_services_as_processes(tmp_path: Path) -> None:
    containers = compose_containers()
    etcd = EtcdProcess(tmp_path / "etcd").start()  # the compose file's etcd service
    try:
        with Sandbox(tmp_path, containers, failover=True) as sandbox:
            sandbox.bind("etcd", etcd_client_port(containers["etcd"]), etcd.client_port)
            run_compose(sandbox, containers)
    finally:
        etcd.stop()


def elected_roles(sandbox: Sandbox, nodes: list[Container]) -> dict[str, str]:
    """Each node's role once etcd has made one of them primary (bounded: a few ttls)."""
    deadline = time.monotonic() + ELECTION_TIMEOUT
    while True:
        roles = {node.name: assert_ok(sandbox.probe(node, ["heliosdb-health-check", "--role"])).strip()
                 for node in nodes}
        if "primary" in roles.values() or time.monotonic() > deadline:
            return roles


def run_compose(sandbox: Sandbox, containers: dict[str, Container]) -> None:
    assert_ok(sandbox.run(containers["users"], containers["users"].argv))  # the one-shot init service
    processes = {name: sandbox.start(containers[name]) for name in ("node-a", "node-b")}
    sandbox.start(containers["proxy"])
    for name in ("node-a", "node-b", "proxy"):
        probe_outputs(sandbox, containers[name])
    roles = elected_roles(sandbox, [containers["node-a"], containers["node-b"]])
    assert sorted(roles.values()) == ["primary", "standby"], roles
    (primary,) = [name for name, role in roles.items() if role == "primary"]
    (standby,) = [name for name, role in roles.items() if role == "standby"]
    status = ["heliosdb-lite", "cluster", "status", "--json", "--config", "/app/config.toml"]  # docs' exec
    shown = json.loads(assert_ok(sandbox.run(containers[standby], status)))
    assert (shown["cluster"], shown["leader"]["name"]) == ("heliosdb", primary), shown
    sql = ("create table deployed (id int primary key); insert into deployed values (1); "
           "select count(*) from deployed")
    write = ["heliosdb-query", sql, "--port", "6432"]
    assert assert_ok(sandbox.probe(containers["proxy"], write)) == "1\n", "a write through the proxy"

    (scrape,) = yaml_documents(DOCKER / "prometheus.yml")
    for job in scrape["scrape_configs"]:
        for target in (t for group in job["static_configs"] for t in group["targets"]):
            if target.split(":")[0] in ("node-a", "node-b", "proxy"):
                assert "heliosdb_" in sandbox.metrics(target), target

    processes[standby].kill()
    assert_down(sandbox, containers[standby])
    wrong = sandbox.run(containers[primary], ["heliosdb-health-check", "--port", str(
        sandbox.port(primary, 5432)), "--password", "not " + TEST_PASSWORD])
    assert wrong.returncode == 1 and "password authentication failed" in wrong.stderr, wrong.stderr


def test_k8s_pods_and_proxy_as_processes(tmp_path: Path) -> None:
    objects = k8s_objects()
    statefulset = objects[("StatefulSet", "heliosdb")]
    pods = [container for index in range(statefulset["spec"]["replicas"])
            for container in k8s_containers(statefulset, objects, f"heliosdb-{index}")]
    (proxy,) = k8s_containers(objects[("Deployment", "heliosdb-proxy")], objects, "heliosdb-proxy-0")
    with Sandbox(tmp_path, [pod.host for pod in pods] + [proxy.host], failover=False) as sandbox:
        add_user(sandbox.volume("secret-heliosdb-auth") / "users.toml")  # the Secret's users.toml
        processes = [sandbox.start(pod) for pod in pods]  # the StatefulSet's sh script picks each role
        sandbox.start(proxy)
        roles = [probe_outputs(sandbox, pod)[("heliosdb-health-check", "--role")] for pod in pods]  # liveness
        assert roles == ["primary\n"] + ["standby\n"] * (len(pods) - 1)
        probe_outputs(sandbox, proxy)

        processes[-1].kill()
        assert_down(sandbox, pods[-1])
