"""The deployment files (docker/, k8s/, .dockerignore) read for the tests, without a Docker daemon.

Owns: the YAML documents, Compose's `${VAR}` interpolation, the Dockerfile's instructions and
.dockerignore's patterns, the console scripts of pyproject.toml, the command names a container's
command line runs (through `sh -c` too), the TOMLs loaded with the real `heliosdb_lite.config`
loader, and `Container`: one container of Compose or Kubernetes as the tests see it (command,
environment, probe commands, ports, mounted files and volumes).
"""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from heliosdb_lite import probes
from heliosdb_lite.config import Config, load_config

ROOT = Path(__file__).resolve().parents[2]
DOCKER = ROOT / "docker"
K8S = ROOT / "k8s"
TEST_PASSWORD = "deploy test pässword"

# Images of others: the programs their containers may run. A command of options only goes to
# the image's entrypoint (prometheus's).
EXTERNAL_IMAGES: Mapping[str, frozenset[str]] = {
    "quay.io/coreos/etcd": frozenset({"/usr/local/bin/etcd", "/usr/local/bin/etcdctl"}),
    "prom/prometheus": frozenset({"/bin/prometheus"}),
}
# What our containers may run besides console scripts: sh and what the `sh -c` scripts use (POSIX
# sh built-ins).
SHELL_COMMANDS = frozenset({"sh", "[", "export", "printf", "test"})
_SHELL_KEYWORDS = frozenset({"if", "then", "else", "elif", "fi", "exec", "!"})
_SHELL_SEPARATORS = frozenset({";", "|", "&&", "||", "&"})


def console_scripts() -> dict[str, str]:
    """pyproject.toml's [project.scripts]: command name -> entry point."""
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]


def yaml_documents(path: Path) -> list[Any]:
    """Every document of a YAML file (safe loader), empty ones left out."""
    with path.open(encoding="utf-8") as file:
        return [document for document in yaml.safe_load_all(file) if document is not None]


def deployment_yaml_files() -> list[Path]:
    return sorted([*DOCKER.glob("*.yml"), *DOCKER.glob("*.yaml"), *K8S.glob("*.yaml"), *K8S.glob("*.yml")])


_VARIABLE = re.compile(r"\$\$|\$\{(\w+)(?:(:?[-?])([^}]*))?\}")


def interpolate(value: Any, variables: Mapping[str, str]) -> Any:
    """Compose's interpolation: ${NAME}, ${NAME:-default}, ${NAME:?error}; $$ is a literal $."""
    if isinstance(value, dict):
        return {key: interpolate(item, variables) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, variables) for item in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name, operator, argument = match.groups()
        if variables.get(name):
            return variables[name]
        if operator and operator.endswith("?"):
            raise AssertionError(f"compose needs ${name}: {argument}")
        return argument or ""

    return _VARIABLE.sub(substitute, value)


def compose() -> dict[str, Any]:
    """docker/compose.yml, interpolated as `HELIOSDB_PASSWORD=... docker compose` would."""
    (document,) = yaml_documents(DOCKER / "compose.yml")
    return interpolate(document, {"HELIOSDB_PASSWORD": TEST_PASSWORD})


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str


def dockerfile_instructions(path: Path = DOCKER / "Dockerfile") -> list[Instruction]:
    """The instructions, with continuation lines joined and comments dropped."""
    instructions, pending = [], ""
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("#") or (not stripped and not pending):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        keyword, _, arguments = (pending + stripped).partition(" ")
        instructions.append(Instruction(keyword.upper(), arguments.strip()))
        pending = ""
    assert not pending, "the Dockerfile ends inside a continued line"
    return instructions


@dataclass(frozen=True)
class Dockerfile:
    """docker/Dockerfile's instructions, by keyword in order, and what its COPYs put where."""

    instructions: list[Instruction]

    def all(self, keyword: str) -> list[str]:
        return [i.arguments for i in self.instructions if i.keyword == keyword]

    def healthcheck(self) -> tuple[str, list[str]]:
        """The HEALTHCHECK's options and its command."""
        options, _, command = self.all("HEALTHCHECK")[0].partition(" CMD ")
        return options, exec_form(command)

    def copies(self) -> dict[str, str]:
        """Image path -> repository path of every COPY source."""
        copies = {}
        for arguments in self.all("COPY"):
            *sources, destination = arguments.split()
            for source in sources:
                target = f"{destination}{Path(source).name}" if destination.endswith("/") else destination
                copies[target] = source
        return copies


# The image's users file is mounted by whoever runs it (docs/deployment.md), as a volume.
IMAGE_USERS_MOUNT = "/etc/heliosdb"


def image_container(dockerfile: Dockerfile | None = None) -> Container:
    """The image run as it is: its CMD, HEALTHCHECK, the TOMLs it copies in, its VOLUMEs (and the
    documented users mount)."""
    dockerfile = dockerfile or Dockerfile(dockerfile_instructions())
    files = {target: (ROOT / source).read_text() for target, source in dockerfile.copies().items()
             if source.endswith(".toml") and source != "pyproject.toml"}
    volumes = {path: f"image{path.replace('/', '-')}" for path in exec_form(dockerfile.all("VOLUME")[0])}
    return Container("image", "image", "heliosdb-lite:latest", exec_form(dockerfile.all("CMD")[0]),
                     probes=[dockerfile.healthcheck()[1]], files=files,
                     volumes={**volumes, IMAGE_USERS_MOUNT: "users"})


def exec_form(arguments: str) -> list[str]:
    """An instruction's JSON array (exec form: no shell between Docker and the program)."""
    argv = json.loads(arguments)
    assert isinstance(argv, list) and argv and all(isinstance(word, str) for word in argv), arguments
    return argv


def dockerignored(relative: str, path: Path = ROOT / ".dockerignore") -> bool:
    """Whether .dockerignore leaves `relative` (or a directory above it) out of the build context."""
    patterns = [line.strip() for line in path.read_text().splitlines()
                if line.strip() and not line.strip().startswith("#")]
    assert not any(pattern.startswith("!") for pattern in patterns), "exceptions are not interpreted here"
    expressions = [re.compile(re.escape(pattern).replace(r"\*\*/", "(.*/)?").replace(r"\*\*", ".*")
                              .replace(r"\*", "[^/]*").replace(r"\?", "[^/]") + "$")
                   for pattern in patterns]
    parts = Path(relative).parts
    prefixes = ["/".join(parts[:end]) for end in range(1, len(parts) + 1)]
    return any(expression.match(prefix) for expression in expressions for prefix in prefixes)


def shell_commands(script: str) -> list[str]:
    """The names of the programs a POSIX sh script runs (first word of each simple command)."""
    commands = []
    for line in script.splitlines():
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        expect_command = True
        for token in lexer:
            if token in _SHELL_SEPARATORS:
                expect_command = True
            elif expect_command and token not in _SHELL_KEYWORDS:
                commands.append(token)
                expect_command = False
    return commands


def programs(argv: list[str]) -> list[str]:
    """What a command line runs: its program, or the programs of an `sh -c` script."""
    if argv[:2] == ["sh", "-c"]:
        return ["sh", *shell_commands(argv[2])]
    return [argv[0]]


def probe_port(argv: list[str]) -> int:
    """The server port a probe command connects to (its --port, else the probes' default)."""
    assert probes.DEFAULT_HOST == "127.0.0.1" and "--host" not in argv, argv
    return int(argv[argv.index("--port") + 1]) if "--port" in argv else probes.DEFAULT_PORT


def load_deployed(text: str, environ: Mapping[str, str], path: Path) -> Config:
    """A deployed TOML (written to `path`) and a container's environment through the real loader."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return load_config(path, environ=environ)


@dataclass
class Container:
    """One container: what it runs and what it sees, as its manifest declares them."""

    name: str
    host: str  # the name other containers reach it by
    image: str
    argv: list[str]
    env: dict[str, str] = field(default_factory=dict)
    probes: list[list[str]] = field(default_factory=list)
    ports: set[int] = field(default_factory=set)
    files: dict[str, str] = field(default_factory=dict)  # container path -> content (files mounted)
    volumes: dict[str, str] = field(default_factory=dict)  # container path -> volume name

    @property
    def image_name(self) -> str:
        return self.image.rsplit(":", 1)[0]

    def runs(self, subcommand: str) -> bool:
        """Whether its command runs `heliosdb-lite <subcommand>` (directly or in its script)."""
        return subcommand in " ".join(self.argv).split()

    def config_text(self) -> str:
        """The TOML its command loads (`--config PATH`, a mounted file)."""
        match = re.search(r"--config[= ](\S+)", " ".join(self.argv))
        assert match, f"{self.name}: no --config in {self.argv}"
        assert match.group(1) in self.files, f"{self.name}: {match.group(1)} is not mounted"
        return self.files[match.group(1)]

    def volume_of(self, path: str) -> tuple[str, str]:
        """The volume a container path lies on and the path inside it (the deepest mount wins)."""
        mounts = sorted((target for target in self.volumes if path == target or
                         path.startswith(target.rstrip("/") + "/")), key=len, reverse=True)
        assert mounts, f"{self.name}: {path} is on no volume (a container's files are lost with it)"
        return self.volumes[mounts[0]], path[len(mounts[0]):].lstrip("/")


def _compose_mounts(container: Container, volumes: list[str], declared: Mapping[str, Any]) -> None:
    for spec in volumes:
        source, target, *_ = spec.split(":")
        if source.startswith((".", "/")):
            path = (DOCKER / source).resolve()
            assert path.is_file(), f"{container.name}: {source} does not exist"
            container.files[target] = path.read_text()
        else:
            assert source in declared, f"{container.name}: volume {source} is not declared"
            container.volumes[target] = source


def compose_containers(document: Mapping[str, Any] | None = None) -> dict[str, Container]:
    """The services of docker/compose.yml."""
    document = document or compose()
    containers = {}
    for name, service in document["services"].items():
        environment = service.get("environment", {})
        if isinstance(environment, list):
            environment = dict(item.split("=", 1) for item in environment)
        test = service.get("healthcheck", {}).get("test", [])
        container = Container(
            name, name, service["image"], list(service.get("command") or []),
            env={key: str(value) for key, value in environment.items()},
            probes=[test[1:]] if test[:1] == ["CMD"] else [],
            ports={int(str(spec).split(":")[-1]) for spec in service.get("ports", [])},
        )
        _compose_mounts(container, service.get("volumes", []), document.get("volumes", {}))
        containers[name] = container
    return containers


def k8s_objects() -> dict[tuple[str, str], dict[str, Any]]:
    """Every object of k8s/*.yaml by (kind, name)."""
    objects = {}
    for path in sorted(K8S.glob("*.yaml")):
        if path.name == "kustomization.yaml":
            continue
        for document in yaml_documents(path):
            key = (document["kind"], document["metadata"]["name"])
            assert key not in objects, f"{key} defined twice"
            objects[key] = document
    return objects


_K8S_REFERENCE = re.compile(r"\$\((\w+)\)")
_PROBES = ("startupProbe", "livenessProbe", "readinessProbe")


def _k8s_environment(spec: list[dict[str, Any]], pod_name: str) -> dict[str, str]:
    """A container's env as the kubelet resolves it: fieldRef name, Secret keys, $(VAR) references."""
    env: dict[str, str] = {}
    for variable in spec:
        source = variable.get("valueFrom")
        if source is None:
            value = _K8S_REFERENCE.sub(lambda match: env.get(match[1], match[0]), variable["value"])
        elif "fieldRef" in source:
            assert source["fieldRef"]["fieldPath"] == "metadata.name", source
            value = pod_name
        else:
            assert source["secretKeyRef"] == {"name": "heliosdb-auth", "key": "password"}, source
            value = TEST_PASSWORD
        env[variable["name"]] = value
    return env


def _k8s_mounts(container: Container, spec: dict[str, Any], pod: dict[str, Any], pod_name: str,
                objects: Mapping[tuple[str, str], dict[str, Any]]) -> None:
    """Files from ConfigMap keys; volumes named as Kubernetes names them (<claim>-<pod>, secrets)."""
    volumes = {volume["name"]: volume for volume in pod["spec"].get("volumes", [])}
    claims = {claim["metadata"]["name"] for claim in pod.get("volumeClaimTemplates", [])}
    for mount in spec.get("volumeMounts", []):
        name, target = mount["name"], mount["mountPath"]
        volume = volumes.get(name, {})
        if "configMap" in volume:
            data = objects[("ConfigMap", volume["configMap"]["name"])]["data"]
            assert mount["subPath"] in data, f"{container.name}: no key {mount['subPath']} in the ConfigMap"
            container.files[target] = data[mount["subPath"]]
        elif "secret" in volume:
            container.volumes[target] = f"secret-{volume['secret']['secretName']}"
        else:
            assert name in claims, f"{container.name}: volume {name} is not defined"
            container.volumes[target] = f"{name}-{pod_name}"


def k8s_containers(workload: dict[str, Any], objects: Mapping[tuple[str, str], dict[str, Any]],
                   pod_name: str) -> Iterator[Container]:
    """The containers of a StatefulSet's or Deployment's pod named `pod_name`; a StatefulSet's pods
    are reached as <pod>.<serviceName>."""
    spec_of = workload["spec"]
    pod = {**spec_of["template"], "volumeClaimTemplates": spec_of.get("volumeClaimTemplates", [])}
    host = f"{pod_name}.{spec_of['serviceName']}" if workload["kind"] == "StatefulSet" else pod_name
    for spec in pod["spec"]["containers"]:
        container = Container(
            f"{pod_name}/{spec['name']}", host, spec["image"],
            list(spec.get("command", [])) + list(spec.get("args", [])),
            env=_k8s_environment(spec.get("env", []), pod_name),
            probes=[spec[probe]["exec"]["command"] for probe in _PROBES if "exec" in spec.get(probe, {})],
            ports={port["containerPort"] for port in spec.get("ports", [])},
        )
        _k8s_mounts(container, spec, pod, pod_name, objects)
        yield container


def etcd_client_port(container: Container) -> int:
    """The client port an etcd container's command listens on."""
    (url,) = [word.partition("=")[2] for word in container.argv if word.startswith("--listen-client-urls=")]
    return int(url.rsplit(":", 1)[1])
