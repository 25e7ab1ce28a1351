"""Contract tests of the production-like deployment (docker-compose.yml, Dockerfile).

No Docker engine is needed: the compose document is validated against the Compose
Specification JSON Schema and checked against what the code defines (the services'
console scripts, the contracts' topic catalogue). The scripts the containers run
(deploy/) are run here with stand-ins for the Kafka tools, which record their arguments.
Security (authentication, ACLs, secrets): test_deployment_security.py.
"""

from __future__ import annotations

import copy
import os
import re
import shlex
import shutil
import subprocess
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from pact_contracts import CATALOGUE
from pact_contracts.topics import REPLAYED
from tests.support.schemas import validate_asyncapi, validate_compose

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"

# The service processes, and the compose service each runs in. Always required, whether
# or not the services' pyproject.toml files exist yet; their [project.scripts] are added.
EXPECTED_PROCESSES = {
    "registry-service": "registry",
    "commitments-service": "commitments",
    "monitoring-service": "monitoring",
}
HTTP_PORTS = {"registry": 8001, "commitments": 8002, "monitoring": 8003}
INFRA = ("kafka", "mongo")
INITS = ("kafka-init", "mongo-init")  # one-shot: the app services wait for them to succeed


# --------------------------------------------------------------------------- helpers


def _load_compose() -> dict[str, Any]:
    doc = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(doc, dict), "docker-compose.yml is not a mapping"
    return doc


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return _load_compose()


@pytest.fixture
def broken() -> dict[str, Any]:
    """A fresh copy to break on purpose."""
    return copy.deepcopy(_load_compose())


def pyproject_scripts() -> dict[str, str]:
    """Every ``[project.scripts]`` entry of ``services/*/pyproject.toml``: name -> target."""
    scripts: dict[str, str] = {}
    for path in sorted((ROOT / "services").glob("*/pyproject.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        scripts.update(data.get("project", {}).get("scripts", {}))
    return scripts


def required_scripts() -> set[str]:
    return set(EXPECTED_PROCESSES) | set(pyproject_scripts())


def _argv(value: Any) -> list[str]:
    """A compose command/entrypoint/healthcheck test as a list of words."""
    if value is None:
        return []
    if isinstance(value, str):
        return shlex.split(value)
    return [str(v) for v in value]


def _environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {k: "" if v is None else str(v) for k, v in env.items()}


def _depends_on(service: dict[str, Any]) -> dict[str, str]:
    """depends_on as service -> condition (the short list form means service_started)."""
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return {name: "service_started" for name in deps}
    return {name: (spec or {}).get("condition", "service_started") for name, spec in deps.items()}


def services_running(doc: dict[str, Any], script: str) -> list[str]:
    """The compose services whose command runs ``script``: first word of the command
    (or of the entrypoint when there is no command), or a word of a string command."""
    found = []
    for name, svc in (doc.get("services") or {}).items():
        command = svc.get("command")
        words = _argv(command) or _argv(svc.get("entrypoint"))
        if words[:1] == [script] or (isinstance(command, str) and script in words):
            found.append(name)
    return found


def init_services(doc: dict[str, Any]) -> set[str]:
    """One-shot services: those others wait for with service_completed_successfully."""
    return {
        dep
        for svc in (doc.get("services") or {}).values()
        for dep, condition in _depends_on(svc).items()
        if condition == "service_completed_successfully"
    }


def app_services(doc: dict[str, Any]) -> set[str]:
    return {name for script in required_scripts() for name in services_running(doc, script)}


# ------------------------------------------------- the scripts the containers run


def bind_mounts(service: dict[str, Any]) -> dict[str, Path]:
    """A service's bind mounts of this repository's files: container path -> host path."""
    mounts: dict[str, Path] = {}
    for volume in service.get("volumes") or []:
        if isinstance(volume, str):
            source, target = volume.split(":")[:2]
        else:
            source, target = volume.get("source", ""), volume.get("target", "")
        if source.startswith("./"):
            mounts[target.rstrip("/")] = ROOT / source
    return mounts


def host_path(service: dict[str, Any], container_path: str) -> Path:
    """Where a path the container uses comes from in this repository (a bind mount)."""
    for target, source in bind_mounts(service).items():
        if container_path == target or container_path.startswith(target + "/"):
            return source / container_path[len(target) :].lstrip("/")
    raise AssertionError(f"{container_path} is not in a bind mount of this repository")


def script_of(service: dict[str, Any]) -> Path:
    """The repository file a service's process runs: its command's first word (the
    entrypoint being the interpreter)."""
    return host_path(service, _argv(service.get("command"))[0])


# A stand-in for each Kafka tool: appends its name and arguments to $PACT_TEST_CALLS
# (arguments end with \x1f, calls with \x1e) and succeeds.
KAFKA_TOOLS = (
    "kafka-topics.sh",
    "kafka-acls.sh",
    "kafka-configs.sh",
    "kafka-storage.sh",
    "kafka-server-start.sh",
    "kafka-broker-api-versions.sh",
)
_RECORDER = """#!/usr/bin/env bash
printf '%s\\x1f' "${0##*/}" "$@" >>"$PACT_TEST_CALLS"
printf '\\x1e' >>"$PACT_TEST_CALLS"
"""


@dataclass
class ScriptRun:
    returncode: int
    stdout: str
    stderr: str
    calls: list[list[str]]  # each Kafka tool run: [tool, *arguments]


def run_script(
    script: Path, env: dict[str, str], workdir: Path, args: Sequence[str] = ()
) -> ScriptRun:
    """Run a deploy/ script with bash, ``env`` as its whole environment (plus PATH and
    HOME), and the Kafka tools replaced by recorders (PACT_KAFKA_HOME)."""
    home = workdir / "kafka-home"
    (home / "bin").mkdir(parents=True, exist_ok=True)
    for tool in KAFKA_TOOLS:
        stub = home / "bin" / tool
        stub.write_text(_RECORDER, encoding="utf-8")
        stub.chmod(0o755)
    calls_file = workdir / "calls"
    calls_file.write_text("", encoding="utf-8")
    full_env = {
        "PATH": os.environ["PATH"],
        "HOME": str(workdir),
        **env,
        "PACT_KAFKA_HOME": str(home),
        "PACT_TEST_CALLS": str(calls_file),
    }
    done = subprocess.run(
        ["bash", str(script), *args],
        env=full_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    records = calls_file.read_text(encoding="utf-8").split("\x1e")[:-1]
    calls = [record.split("\x1f")[:-1] for record in records]
    return ScriptRun(done.returncode, done.stdout, done.stderr, calls)


def scram_users(service: dict[str, Any]) -> list[str]:
    return _environment(service).get("PACT_KAFKA_SCRAM_USERS", "").split()


def fake_kafka_secrets(doc: dict[str, Any], directory: Path) -> Path:
    """A password file for every principal of the kafka service (kafka_<name>_password)."""
    directory.mkdir(parents=True, exist_ok=True)
    for user in scram_users(doc["services"]["kafka"]):
        (directory / f"kafka_{user.replace('-', '_')}_password").write_text(
            f"{user}-password-0123456789\n", encoding="utf-8"
        )
    return directory


def kafka_init_calls(
    doc: dict[str, Any],
    workdir: Path,
    secrets: Path,
    edit: Callable[[str], str] | None = None,
) -> list[list[str]]:
    """The Kafka tool runs of kafka-init's script (after ``edit`` of a copy of it)."""
    service = doc["services"]["kafka-init"]
    script = script_of(service)
    if edit is not None:
        copy_dir = workdir / "edited"
        shutil.copytree(script.parent, copy_dir, dirs_exist_ok=True)
        script = copy_dir / script.name
        script.write_text(edit(script.read_text(encoding="utf-8")), encoding="utf-8")
    env = _environment(service) | {"PACT_SECRETS_DIR": str(secrets)}
    run = run_script(script, env, workdir)
    assert run.returncode == 0, run.stderr
    return run.calls


def options(words: Sequence[str]) -> dict[str, str]:
    """--option value pairs of a command line (the last one wins; flags map to "")."""
    found: dict[str, str] = {}
    for i, word in enumerate(words):
        if word.startswith("--"):
            nxt = words[i + 1] if i + 1 < len(words) else ""
            found[word] = "" if nxt.startswith("--") else nxt
    return found


def created_topics(calls: list[list[str]]) -> dict[str, dict[str, str]]:
    """The topics kafka-topics.sh --create runs create: topic -> their options."""
    topics: dict[str, dict[str, str]] = {}
    for call in calls:
        if call[0] == "kafka-topics.sh" and "--create" in call:
            opts = options(call[1:])
            topics[opts.get("--topic", "")] = opts
    return topics


def _problems_with_topics(calls: list[list[str]]) -> list[str]:
    created = created_topics(calls)
    expected = {t.name for t in CATALOGUE}
    problems = [f"not created: {n}" for n in sorted(expected - created.keys())]
    problems += [f"not in the catalogue: {n}" for n in sorted(created.keys() - expected)]
    for name, opts in created.items():
        partitions = "1" if name.endswith(".dead-letter.v1") else "6"
        if opts.get("--partitions") != partitions:
            problems.append(f"{name}: --partitions {opts.get('--partitions')!r}, want {partitions}")
        if opts.get("--replication-factor") != "1":
            problems.append(f"{name}: --replication-factor {opts.get('--replication-factor')!r}")
        if "--if-not-exists" not in opts:
            problems.append(f"{name}: without --if-not-exists")
        if opts.get("--bootstrap-server") != "kafka:9092":
            problems.append(f"{name}: --bootstrap-server {opts.get('--bootstrap-server')!r}")
        if not opts.get("--command-config"):
            problems.append(f"{name}: without --command-config (unauthenticated)")
    return problems + _problems_with_retention(calls)


def _problems_with_retention(calls: list[list[str]]) -> list[str]:
    """The topics the rebuild replays keep every record: created with retention.ms -1, and
    set so (kafka-configs.sh --alter) should they exist from before."""
    created = created_topics(calls)
    altered = {
        options(call[1:]).get("--entity-name", ""): options(call[1:]).get("--add-config")
        for call in calls
        if call[0] == "kafka-configs.sh" and "--alter" in call and "topics" in call
    }
    problems = []
    for topic in REPLAYED:
        if created.get(topic.name, {}).get("--config") != "retention.ms=-1":
            problems.append(f"{topic.name}: not created with retention.ms=-1")
        if altered.get(topic.name) != "retention.ms=-1":
            problems.append(f"{topic.name}: its retention.ms not set to -1 if it existed")
    return problems


# ---------------------------------------------------------------- the schema itself


def test_compose_file_is_valid_against_the_compose_specification(compose: dict[str, Any]) -> None:
    validate_compose(compose)


@pytest.mark.parametrize(
    "breakage",
    [
        "unknown_service_key",
        "bad_depends_on_condition",
        "healthcheck_test_not_a_command",
        "service_not_a_mapping",
    ],
)
def test_a_broken_compose_file_fails_validation(broken: dict[str, Any], breakage: str) -> None:
    services = broken["services"]
    if breakage == "unknown_service_key":
        services["registry"]["restart_policy"] = "always"  # a swarm-ism, not a service key
    elif breakage == "bad_depends_on_condition":
        services["commitments"]["depends_on"]["mongo"]["condition"] = "service_ready"
    elif breakage == "healthcheck_test_not_a_command":
        services["mongo"]["healthcheck"]["test"] = 42
    elif breakage == "service_not_a_mapping":
        services["monitoring"] = ["monitoring-service"]
    with pytest.raises(jsonschema.ValidationError):
        validate_compose(broken)


# ------------------------------------------------------- processes defined by the code


def test_every_service_script_runs_in_some_compose_service(compose: dict[str, Any]) -> None:
    scripts = required_scripts()
    assert scripts >= set(EXPECTED_PROCESSES)
    missing = sorted(s for s in scripts if not services_running(compose, s))
    assert not missing, f"console scripts with no compose service: {missing}"


def test_each_expected_process_runs_in_its_own_service(compose: dict[str, Any]) -> None:
    for script, service in EXPECTED_PROCESSES.items():
        assert services_running(compose, script) == [service]


def test_pyproject_script_targets_are_entry_point_references() -> None:
    # A script a pyproject adds must be deployed (test above) and point at module:function.
    for name, target in pyproject_scripts().items():
        assert re.fullmatch(r"[\w.]+:[\w.]+", target), f"{name} = {target!r}"


def test_a_missing_process_is_detected(broken: dict[str, Any]) -> None:
    del broken["services"]["monitoring"]
    assert services_running(broken, "monitoring-service") == []
    broken["services"]["registry"]["command"] = "python -m something-else"
    assert services_running(broken, "registry-service") == []


# ------------------------------------------------------------ health and dependencies


def test_every_long_running_service_has_a_healthcheck(compose: dict[str, Any]) -> None:
    inits = init_services(compose)
    assert inits == set(INITS)
    for name, svc in compose["services"].items():
        if name in inits:
            continue
        check = svc.get("healthcheck")
        assert check and not check.get("disable"), f"{name} has no healthcheck"
        assert _argv(check.get("test"))[:1] in (["CMD"], ["CMD-SHELL"]), name


def _dependency_problems(doc: dict[str, Any]) -> list[str]:
    problems = []
    for name in sorted(app_services(doc)):
        deps = _depends_on(doc["services"][name])
        for infra in INFRA:
            if deps.get(infra) != "service_healthy":
                problems.append(f"{name} -> {infra}: {deps.get(infra)}")
        for init in INITS:
            if deps.get(init) != "service_completed_successfully":
                problems.append(f"{name} -> {init}: {deps.get(init)}")
    return problems


def test_app_services_wait_for_healthy_infrastructure_and_topics(compose: dict[str, Any]) -> None:
    assert app_services(compose) >= set(HTTP_PORTS)
    assert _dependency_problems(compose) == []


def test_a_weak_dependency_is_detected(broken: dict[str, Any]) -> None:
    broken["services"]["registry"]["depends_on"] = ["mongo", "kafka"]  # short form: started
    # (a new mapping: the app services share one depends_on through a YAML anchor)
    broken["services"]["monitoring"]["depends_on"] = {
        infra: {"condition": "service_healthy"} for infra in INFRA
    }
    assert _dependency_problems(broken) == [
        "monitoring -> kafka-init: None",
        "monitoring -> mongo-init: None",
        "registry -> kafka: service_started",
        "registry -> mongo: service_started",
        "registry -> kafka-init: None",
        "registry -> mongo-init: None",
    ]


def test_init_services_wait_for_what_they_initialise(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert _depends_on(services["kafka-init"]) == {"kafka": "service_healthy"}
    assert _depends_on(services["mongo-init"]) == {"mongo": "service_healthy"}
    for init in INITS:
        assert services[init].get("restart") == "no", init


def test_app_services_are_built_from_one_image_and_restart(compose: dict[str, Any]) -> None:
    builds = {
        (svc.get("build", {}).get("context"), svc.get("build", {}).get("dockerfile"))
        for name, svc in compose["services"].items()
        if name in app_services(compose)
    }
    assert builds == {(".", "Dockerfile")}
    for name in app_services(compose):
        assert compose["services"][name].get("restart") == "unless-stopped", name


@pytest.mark.parametrize("service", sorted(HTTP_PORTS))
def test_http_port_readiness_and_environment_agree(compose: dict[str, Any], service: str) -> None:
    svc = compose["services"][service]
    port = HTTP_PORTS[service]
    prefix = service.upper() + "_"
    env = _environment(svc)
    assert all(key.startswith(prefix) for key in env), f"{service}: {sorted(env)}"
    assert env[f"{prefix}HTTP_PORT"] == str(port)
    assert env[f"{prefix}MONGO_DB"] == service
    assert env[f"{prefix}KAFKA_BOOTSTRAP"] == "kafka:9092"
    assert env[f"{prefix}ENVIRONMENT"] == "production"
    # uvicorn binds HTTP_HOST (127.0.0.1 by default): the proxy needs all interfaces.
    assert env[f"{prefix}HTTP_HOST"] == "0.0.0.0"
    # The connection string holds credentials: only as a secret file, never in the env.
    assert env[f"{prefix}MONGO_URL_FILE"] == f"/run/secrets/mongo_{service}_url"
    assert f"{prefix}MONGO_URL" not in env
    assert not svc.get("ports"), f"{service} is published: only the proxy is"
    probe = " ".join(_argv(svc["healthcheck"]["test"]))
    assert f"http://localhost:{port}/ready" in probe
    assert "curl" not in probe and "wget" not in probe  # the slim image has neither


def test_secrets_are_files_and_every_key_file_is_mounted(compose: dict[str, Any]) -> None:
    declared = compose.get("secrets") or {}
    assert {"jwt_private_key", "jwt_public_key"} <= declared.keys()
    for spec in declared.values():
        assert "file" in spec or "environment" in spec
        assert "file" not in spec or spec["file"].startswith("./deploy/secrets/")
    for name, svc in compose["services"].items():
        mounted = {s if isinstance(s, str) else s["source"] for s in svc.get("secrets", [])}
        assert mounted <= declared.keys(), name
        for key, value in _environment(svc).items():
            if key.endswith("_FILE") and value.startswith("/run/secrets/"):
                assert value.removeprefix("/run/secrets/") in mounted, f"{name}: {key}"
    registry = _environment(compose["services"]["registry"])
    assert registry["REGISTRY_JWT_PRIVATE_KEY_FILE"] == "/run/secrets/jwt_private_key"
    # The admin key is required by interpolation (${VAR:?message}), never defaulted.
    assert re.fullmatch(r"\$\{REGISTRY_ADMIN_API_KEY:\?.+\}", registry["REGISTRY_ADMIN_API_KEY"])
    for verifier in ("commitments", "monitoring"):
        env = _environment(compose["services"][verifier])
        assert env[f"{verifier.upper()}_JWT_PUBLIC_KEY_FILE"] == "/run/secrets/jwt_public_key"
        assert not any("PRIVATE" in k for k in env), verifier
        assert "jwt_private_key" not in compose["services"][verifier].get("secrets", [])


# -------------------------------------------------------------------- Kafka and Mongo


def test_kafka_is_apache_kafka_in_kraft_mode(compose: dict[str, Any]) -> None:
    kafka = compose["services"]["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    env = _environment(kafka)
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert "KAFKA_CONTROLLER_QUORUM_VOTERS" in env
    assert not any("ZOOKEEPER" in k for k in env)
    assert env.get("KAFKA_AUTO_CREATE_TOPICS_ENABLE") == "false"
    assert any(v.split(":")[0] in (compose.get("volumes") or {}) for v in kafka["volumes"])


@pytest.fixture
def kafka_secrets(compose: dict[str, Any], tmp_path: Path) -> Path:
    return fake_kafka_secrets(compose, tmp_path / "secrets")


def test_kafka_init_creates_every_topic_of_the_catalogue(
    compose: dict[str, Any], tmp_path: Path, kafka_secrets: Path
) -> None:
    init = compose["services"]["kafka-init"]
    assert init["image"] == compose["services"]["kafka"]["image"]
    assert _depends_on(init) == {"kafka": "service_healthy"}
    assert script_of(init) == ROOT / "deploy" / "kafka" / "init.sh"
    calls = kafka_init_calls(compose, tmp_path, kafka_secrets)
    assert created_topics(calls).keys() == {t.name for t in CATALOGUE}
    assert _problems_with_topics(calls) == []


def test_a_missing_or_misconfigured_topic_is_detected(
    compose: dict[str, Any], tmp_path: Path, kafka_secrets: Path
) -> None:
    def edit(script: str) -> str:
        lines = [line for line in script.splitlines() if line != "topic monitoring.alerts.v1 6"]
        lines = [line for line in lines if line != "kept_topic monitoring.alerts.v1 6"]
        assert len(lines) < len(script.splitlines())
        script = "\n".join(lines)
        script = script.replace(
            "kept_topic partners.progress-reported.v1 6", "topic partners.progress-reported.v1 6"
        )
        return script.replace("topic registry.dead-letter.v1 1", "topic registry.dead-letter.v1 6")

    problems = _problems_with_topics(kafka_init_calls(compose, tmp_path, kafka_secrets, edit))
    assert "not created: monitoring.alerts.v1" in problems
    assert any(p.startswith("registry.dead-letter.v1: --partitions") for p in problems)
    assert "partners.progress-reported.v1: not created with retention.ms=-1" in problems
    assert "partners.progress-reported.v1: its retention.ms not set to -1 if it existed" in problems


def test_mongo_is_a_replica_set_initiated_by_its_healthcheck(compose: dict[str, Any]) -> None:
    mongo = compose["services"]["mongo"]
    assert mongo["image"].startswith("mongo:")
    command = _argv(mongo["command"])
    assert command[command.index("--replSet") + 1] == "rs0"
    assert "--bind_ip_all" in command
    probe = _argv(mongo["healthcheck"]["test"])
    assert probe[:2] == ["CMD", "mongosh"]
    script = host_path(mongo, probe[-1]).read_text(encoding="utf-8")
    assert "replSetInitiate" in script and "isWritablePrimary" in script
    assert "'mongo:27017'" in script  # the member's address for the other containers
    assert any(v.split(":")[0] in (compose.get("volumes") or {}) for v in mongo["volumes"])


def set_parameters(words: Sequence[str]) -> dict[str, str]:
    """The --setParameter name=value pairs of a mongod command line."""
    pairs = (words[i + 1] for i, w in enumerate(words[:-1]) if w == "--setParameter")
    return dict(pair.split("=", 1) for pair in pairs)


def test_production_mongod_is_tuned_as_the_one_measured_here(compose: dict[str, Any]) -> None:
    """The server parameters every figure of docs/performance.md was measured with
    (scripts/mongo.sh starts the mongod of development, tests and benchmark) are production's
    too: a transaction a killed process left open ends after 15 s, and no snapshot history
    is kept beyond what open transactions read (with MongoDB's 300 s, the counters every
    batch updates pile up versions that eviction works through in bursts)."""
    script = (ROOT / "scripts" / "mongo.sh").read_text(encoding="utf-8")
    local = dict(re.findall(r"--setParameter (\w+)=(\S+)", script))
    production = set_parameters(_argv(compose["services"]["mongo"]["command"]))
    print(f"scripts/mongo.sh: {local}; docker-compose.yml: {production}")
    assert production == local
    assert production == {
        "transactionLifetimeLimitSeconds": "15",
        "minSnapshotHistoryWindowInSeconds": "0",
    }


# ------------------------------------------------------------------------ Dockerfile


def test_dockerfile_installs_every_package_and_drops_root() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim\b", text, re.M)
    packages = {"contracts", "services/common", "services/registry", "services/commitments",
                "services/monitoring"}  # fmt: skip
    packages |= {
        str(p.parent.relative_to(ROOT)) for p in (ROOT / "services").glob("*/pyproject.toml")
    }
    for package in sorted(packages):
        assert re.search(rf"\./{re.escape(package)}\b", text), f"not installed: {package}"
    users = re.findall(r"^USER\s+(\S+)", text, re.M)
    assert users and users[-1].split(":")[0] not in ("root", "0")
    exposed = {int(p) for line in re.findall(r"^EXPOSE\s+(.+)$", text, re.M) for p in line.split()}
    assert exposed == set(HTTP_PORTS.values())


IMAGE_PACKAGES = ("contracts", "services/common", "services/registry", "services/commitments",
                  "services/monitoring")  # fmt: skip


def _pins(lock: Path) -> dict[str, tuple[str, int]]:
    """Each requirement of a lock file: its version and how many hashes it carries."""
    pins: dict[str, tuple[str, int]] = {}
    for entry in re.split(r"\n(?=\S)", lock.read_text(encoding="utf-8")):
        found = re.match(r"([A-Za-z0-9._-]+)==(\S+)", entry)
        if found:
            name = re.sub(r"[-_.]+", "-", found[1]).lower()
            pins[name] = (found[2], entry.count("--hash=sha256:"))
    return pins


def _requirement_name(requirement: str) -> str:
    name = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert name, requirement
    return re.sub(r"[-_.]+", "-", name[0]).lower()


def _runs(stage: str) -> list[str]:
    runs = [" ".join(r.split()) for r in re.findall(r"^RUN\s+((?:.*\\\n)*.*)$", stage, re.M)]
    return [r.replace("\\ ", "") for r in runs]


def _stages() -> list[str]:
    """The Dockerfile's stages, each from its FROM; the last is the image."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    return ["FROM" + part for part in re.split(r"^FROM", text, flags=re.M)[1:]]


def test_the_image_installs_the_lock_with_hashes_before_the_platform_without_deps() -> None:
    image = _stages()[-1]
    runs = _runs(image)
    (lock,) = [r for r in runs if "-r requirements.lock" in r]
    assert "--require-hashes" in lock and "--no-deps" in lock
    (platform,) = [r for r in runs if "./services/common" in r]
    assert "--no-deps" in platform and "--no-build-isolation" in platform
    assert "pip check" in platform
    assert runs.index(lock) < runs.index(platform)
    assert "COPY requirements.lock" in image


def test_the_image_runs_monitorings_domain_compiled_as_the_tests_do() -> None:
    """A build stage compiles the domain from the same lock (scripts/compile_domain.py, as
    `make` does); the image takes its extension modules before building monitoring's wheel,
    which packs them, and has no compiler of its own."""
    *builds, image = _stages()
    (domain,) = [b for b in builds if "scripts/compile_domain.py" in b]
    runs = _runs(domain)
    (lock,) = [r for r in runs if "-r requirements.lock" in r]
    assert "--require-hashes" in lock and "--no-deps" in lock
    assert runs[-1].startswith("python scripts/compile_domain.py")
    name = re.match(r"FROM\s+\S+\s+AS\s+(\S+)", domain, re.I)
    assert name, "the build stage is named"
    copied = re.search(rf"^COPY --from={name[1]} (\S+)", image, re.M)
    assert copied and copied[1].startswith("/app/services/monitoring/src/monitoring/core/domain")
    assert image.index(copied[0]) < image.index("./services/monitoring")
    assert "gcc" not in image
    wheel = tomllib.loads((ROOT / "services/monitoring/pyproject.toml").read_text())
    artifacts = wheel["tool"]["hatch"]["build"]["targets"]["wheel"]["artifacts"]
    assert "src/monitoring/core/domain/*.so" in artifacts
    assert "src/monitoring/core/domain/compiled.json" in artifacts
    assert {"mypy", "setuptools"} <= set(_pins(ROOT / "requirements.lock"))


def test_the_lock_pins_and_hashes_everything_the_services_need() -> None:
    pins = _pins(ROOT / "requirements.lock")
    assert pins and all(hashes for _, hashes in pins.values()), "a pin without a hash"
    ours = {}
    for package in IMAGE_PACKAGES:
        project = tomllib.loads((ROOT / package / "pyproject.toml").read_text())["project"]
        ours[_requirement_name(project["name"])] = project.get("dependencies", [])
    needed = {_requirement_name(r) for deps in ours.values() for r in deps} - set(ours)
    assert needed <= set(pins), f"not in requirements.lock: {sorted(needed - set(pins))}"
    assert "hatchling" in pins  # builds the platform's packages in the image
    assert not set(ours) & set(pins), "the platform's own packages are built, not pinned"


def test_the_development_lock_has_the_images_versions() -> None:
    image, dev = _pins(ROOT / "requirements.lock"), _pins(ROOT / "requirements-dev.lock")
    shared = set(image) & set(dev)
    assert len(shared) > 30
    assert {name: image[name][0] for name in shared} == {name: dev[name][0] for name in shared}
    assert all(hashes for _, hashes in dev.values())


# ------------------------------------------------------- the offline schema helper


MINIMAL_ASYNCAPI_3: dict[str, Any] = {
    "asyncapi": "3.0.0",
    "info": {"title": "Skills Partnership platform", "version": "1.0.0"},
    "channels": {
        "partnerEvents": {
            "address": "registry.partner-events.v1",
            "messages": {"PartnerRegistered": {"payload": {"type": "object"}}},
        }
    },
    "operations": {
        "publishPartnerEvents": {"action": "send", "channel": {"$ref": "#/channels/partnerEvents"}}
    },
}


def test_a_minimal_asyncapi_3_document_is_valid_offline() -> None:
    validate_asyncapi(copy.deepcopy(MINIMAL_ASYNCAPI_3))


@pytest.mark.parametrize(
    "breakage",
    ["missing_info_version", "action_publish_is_2x", "unknown_version", "channel_not_a_ref"],
)
def test_an_invalid_asyncapi_document_is_rejected(breakage: str) -> None:
    doc = copy.deepcopy(MINIMAL_ASYNCAPI_3)
    if breakage == "missing_info_version":
        del doc["info"]["version"]
    elif breakage == "action_publish_is_2x":
        doc["operations"]["publishPartnerEvents"]["action"] = "publish"
    elif breakage == "unknown_version":
        doc["asyncapi"] = "9.9.9"
    elif breakage == "channel_not_a_ref":
        doc["operations"]["publishPartnerEvents"]["channel"] = "partnerEvents"
    with pytest.raises(jsonschema.ValidationError):
        validate_asyncapi(doc)
