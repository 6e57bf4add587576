"""A deployment's containers run as plain processes on this machine (there is no Docker daemon).

Owns `Sandbox`: every volume becomes a directory under a temporary root, every mounted file a
file there, every (host, container port) of the deployment a free loopback port. A container's
command line and environment are rewritten to match (absolute container paths, "host:port"
addresses of the deployment's own hosts); the TOML its command loads is the deployed file, and
only the keys naming listen addresses, ports, peers and paths are overridden, by
HELIOSDB_<SECTION>_<KEY> variables: the server's own mechanism. With `failover=False` the nodes'
[failover] is switched off (HELIOSDB_FAILOVER_ENABLED=false) and they take the start-up roles their
environment gives them; otherwise their etcd endpoints are addresses `bind` ties to a real etcd.
The commands themselves are run as written, through the console scripts of this environment.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import urllib.request
from collections.abc import Iterable
from pathlib import Path
from types import TracebackType

from heliosdb_lite.config import Config
from heliosdb_lite.proxy.app import READY_MARK as PROXY_READY_MARK
from tests.deploy.manifests import Container, load_deployed, probe_port
from testsupport.server_process import READY_MARK as SERVER_READY_MARK
from testsupport.server_process import ServerProcess, free_port

BIN = Path(sys.executable).parent
COMMAND_TIMEOUT = 30.0
_ADDRESS = re.compile(r"(?<![\w.-])([A-Za-z][\w.-]*):(\d{1,5})(?!\d)")
_PATH = re.compile(r"(?<![\w:/.])/[\w./-]+")


class ContainerProcess(ServerProcess):
    """A container's long-running command, ready once it logs `ready_mark`."""

    def __init__(self, argv: list[str], env: dict[str, str], workdir: Path, ready_mark: str) -> None:
        workdir.mkdir(parents=True, exist_ok=True)
        super().__init__(workdir / "unused", env=env)
        self._argv = argv
        self.ready_mark = ready_mark

    def command(self) -> list[str]:
        return self._argv


class Sandbox:
    """Where containers run: `hosts` are the deployment's host names, each mapped to 127.0.0.1."""

    def __init__(self, root: Path, hosts: Iterable[str], *, failover: bool) -> None:
        self.root = root
        self.hosts = set(hosts)
        self.failover = failover
        self._ports: dict[tuple[str, int], int] = {}
        self._processes: list[ContainerProcess] = []

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        for process in self._processes:
            process.stop()

    def port(self, host: str, port: int) -> int:
        """The loopback port standing for `host`:`port`."""
        assert host in self.hosts, f"{host} is no host of this deployment"
        if (host, port) not in self._ports:
            self._ports[(host, port)] = free_port()
        return self._ports[(host, port)]

    def bind(self, host: str, port: int, local_port: int) -> None:
        """Make `host`:`port` stand for a loopback port something else listens on (etcd)."""
        assert (host, port) not in self._ports
        self.hosts.add(host)
        self._ports[(host, port)] = local_port

    def address(self, text: str) -> str:
        """`text` with every "host:port" of the deployment's hosts replaced by its loopback address."""
        return _ADDRESS.sub(lambda match: f"127.0.0.1:{self.port(match[1], int(match[2]))}"
                            if match[1] in self.hosts else match[0], text)

    def volume(self, name: str) -> Path:
        path = self.root / "volumes" / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def path(self, container: Container, path: str) -> Path:
        """Where a container path is here: a mounted file (written on first use) or on a volume."""
        if path in container.files:
            local = self.root / "files" / container.name.replace("/", "_") / path.lstrip("/")
            local.parent.mkdir(parents=True, exist_ok=True)
            local.write_text(container.files[path], encoding="utf-8")
            return local
        volume, inside = container.volume_of(path)
        return self.volume(volume) / inside

    def _mounted(self, container: Container, path: str) -> bool:
        return path in container.files or any(
            path == target or path.startswith(target.rstrip("/") + "/") for target in container.volumes)

    def localize(self, container: Container, text: str) -> str:
        """A command-line word or variable value with its container paths and addresses rewritten."""
        text = _PATH.sub(lambda match: str(self.path(container, match[0]))
                         if self._mounted(container, match[0]) else match[0], text)
        return self.address(text)

    def config(self, container: Container) -> Config:
        """The configuration its command loads, with its environment, through the real loader."""
        environ = {name: self.address(value) for name, value in container.env.items()}
        return load_deployed(container.config_text(), environ,
                             self.root / "loaded" / f"{container.name.replace('/', '_')}.toml")

    def environment(self, container: Container) -> dict[str, str]:
        """Its environment here: rewritten values, this environment's PATH, the overrides."""
        env = {name: self.localize(container, value) for name, value in container.env.items()}
        env["PATH"] = f"{BIN}{os.pathsep}{os.environ['PATH']}"
        if container.runs("serve") or container.runs("proxy"):
            env |= self._overrides(container, self.config(container), serving=container.runs("serve"))
        return env

    def _overrides(self, container: Container, config: Config, *, serving: bool) -> dict[str, str]:
        host = container.host
        if serving:
            return self._failover(config) | {
                "HELIOSDB_SERVER_LISTEN": "127.0.0.1",
                "HELIOSDB_SERVER_PORT": str(self.port(host, config.server.port)),
                "HELIOSDB_DATABASE_PATH": str(self.path(container, str(config.database.path))),
                "HELIOSDB_TRANSACTION_REPLAY_JOURNAL_PATH":
                    str(self.path(container, str(config.journal_dir))),
                "HELIOSDB_SERVER_USERS_FILE": str(self.path(container, str(config.users_file_path))),
                "HELIOSDB_OBSERVABILITY_METRICS_PORT":
                    str(self.port(host, config.observability.metrics_port)),
            }
        proxy = config.proxy
        assert proxy.users_file is not None, f"{container.name}: proxy.users_file is not set"
        return {
            "HELIOSDB_PROXY_LISTEN": "127.0.0.1",
            "HELIOSDB_PROXY_PORT": str(self.port(host, proxy.port)),
            "HELIOSDB_PROXY_UPSTREAMS": ",".join(self.address(upstream) for upstream in proxy.upstreams),
            "HELIOSDB_PROXY_USERS_FILE": str(self.path(container, str(proxy.users_file))),
            "HELIOSDB_PROXY_METRICS_PORT": str(self.port(host, proxy.metrics_port)),
        }

    def _failover(self, config: Config) -> dict[str, str]:
        failover = config.failover
        if not failover.enabled:
            return {}
        if not self.failover:
            return {"HELIOSDB_FAILOVER_ENABLED": "false"}
        return {
            "HELIOSDB_FAILOVER_ETCD_ENDPOINTS": ",".join(self.address(e) for e in failover.etcd_endpoints),
            "HELIOSDB_FAILOVER_ADVERTISE_HOST": self.address(config.advertise_address),
        }

    def start(self, container: Container) -> ContainerProcess:
        """Its command (a server or a proxy), once it says it is ready."""
        argv = [self.localize(container, word) for word in container.argv]
        mark = PROXY_READY_MARK if container.runs("proxy") else SERVER_READY_MARK
        process = ContainerProcess(argv, self.environment(container),
                                   self.root / "workdir" / container.name.replace("/", "_"), mark)
        self._processes.append(process)
        return process.start()

    def run(self, container: Container, argv: list[str]) -> subprocess.CompletedProcess[str]:
        """A one-shot command in the container (an init step, a probe), to its end."""
        return subprocess.run([self.localize(container, word) for word in argv], capture_output=True,
                              text=True, timeout=COMMAND_TIMEOUT, stdin=subprocess.DEVNULL,
                              env={**os.environ, **self.environment(container)})

    def probe(self, container: Container, argv: list[str]) -> subprocess.CompletedProcess[str]:
        """A probe command run as the container runs it, pointed at the port standing for its own."""
        return self.run(container, [*argv, "--port", str(self.port(container.host, probe_port(argv)))])

    def metrics(self, target: str) -> str:
        """GET /metrics of a scrape target "host:port"."""
        url = f"http://{self.address(target)}/metrics"
        with urllib.request.urlopen(url, timeout=COMMAND_TIMEOUT) as answer:
            assert answer.status == 200
            return answer.read().decode()
