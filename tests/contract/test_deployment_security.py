"""Security of the production-like deployment (docker-compose.yml, deploy/).

Kafka authenticates every connection (SASL/SCRAM-SHA-512) and authorizes it with ACLs
(StandardAuthorizer, deny by default); MongoDB runs with --auth and a key file; every
service has its own credentials, as secret files made by deploy/make-secrets.sh.

No Docker engine, Kafka or MongoDB is needed: the scripts the containers run are run here
with stand-ins for the Kafka tools (which record their arguments, see test_compose.py) and
for the mongo image's entrypoint, on secrets made by deploy/make-secrets.sh in a temporary
folder. What the checks look at is what the scripts do (server.properties written, tool
runs), not their text; each check also has a test showing that it catches a breakage.
"""

from __future__ import annotations

import copy
import importlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pymongo.uri_parser import parse_uri

from pact_common.settings import ServiceSettings
from pact_contracts import CATALOGUE, dead_letter_topic
from pact_contracts.topics import REPLAYED, SERVICES
from tests.contract.test_compose import (
    ROOT,
    ScriptRun,
    _argv,
    _environment,
    _load_compose,
    host_path,
    kafka_init_calls,
    run_script,
    scram_users,
    script_of,
)

DEPLOY = ROOT / "deploy"
MAKE_SECRETS = DEPLOY / "make-secrets.sh"
APPS = SERVICES  # the three services, each its own principal, user and secrets
PARTNER = "partner-gateway"
PROGRESS = "partners.progress-reported.v1"

# Who may write and read each topic of the catalogue (deploy/README.md has the same table).
EXPECTED_WRITERS: dict[str, set[str]] = {
    "registry.partner-events.v1": {"registry"},
    "commitments.commitment-events.v1": {"commitments"},
    PROGRESS: {PARTNER},  # POST /progress is taken in process, not republished
    "monitoring.alerts.v1": {"monitoring"},
    "monitoring.progress-rejected.v1": {"monitoring"},
    **{dead_letter_topic(s).name: {s} for s in SERVICES},
}
EXPECTED_READERS: dict[str, set[str]] = {
    "registry.partner-events.v1": {"commitments", "monitoring"},
    "commitments.commitment-events.v1": {"monitoring"},
    PROGRESS: {"monitoring"},
    "monitoring.alerts.v1": {"commitments", "monitoring"},  # monitoring: its rebuild only
    "monitoring.progress-rejected.v1": set(),  # partners: GET /progress/rejections
    **{dead_letter_topic(s).name: set() for s in SERVICES},  # operators, as admin
}
# Consumer groups are <service>.<name> (ServiceSettings.group): a prefixed ACL each.
EXPECTED_GROUP_PREFIXES = {"commitments": "commitments.", "monitoring": "monitoring."}
STANDARD_AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return _load_compose()


@pytest.fixture
def broken(compose: dict[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(compose)


def run_make_secrets(workdir: Path, target: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """A copy of deploy/make-secrets.sh, run in ``workdir`` to make ``target``."""
    workdir.mkdir(parents=True, exist_ok=True)
    script = workdir / "make-secrets.sh"
    shutil.copy(MAKE_SECRETS, script)
    args = [] if "PACT_SECRETS_DIR" in env else [str(target)]
    return subprocess.run(
        ["bash", str(script), *args],
        cwd=workdir,
        env={"PATH": os.environ["PATH"], "HOME": str(workdir), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def secrets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every secret, made by deploy/make-secrets.sh in a temporary folder."""
    work = tmp_path_factory.mktemp("make-secrets")
    target = work / "out" / "secrets"
    done = run_make_secrets(work, target)
    assert done.returncode == 0, done.stderr
    return target


def read_secret(directory: Path, name: str) -> str:
    return (directory / name).read_text(encoding="utf-8").strip()


def secret_files(doc: dict[str, Any]) -> dict[str, str]:
    """Compose's top-level secrets: name -> file name in deploy/secrets/."""
    return {name: Path(spec["file"]).name for name, spec in (doc.get("secrets") or {}).items()}


def mounted(service: dict[str, Any]) -> set[str]:
    return {s if isinstance(s, str) else s["source"] for s in service.get("secrets") or []}


# ------------------------------------------------------------------ Kafka: the broker


def properties(path: Path) -> dict[str, str]:
    pairs = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            pairs[key] = value
    return pairs


def _names(listeners: str) -> list[str]:
    return [item.split("://")[0] for item in listeners.split(",") if item]


def kafka_config_problems(props: dict[str, str]) -> list[str]:
    """What would let a connection in unauthenticated or unauthorized, in the broker's
    server.properties."""
    problems = []
    protocols = dict(
        item.split(":") for item in props.get("listener.security.protocol.map", "").split(",")
    )
    for listener in _names(props.get("listeners", "")):
        if protocols.get(listener) not in ("SASL_PLAINTEXT", "SASL_SSL"):
            problems.append(f"listener {listener}: {protocols.get(listener)}, not SASL")

    def mechanisms(listener: str) -> set[str]:
        own = props.get(f"listener.name.{listener.lower()}.sasl.enabled.mechanisms")
        return set((own or props.get("sasl.enabled.mechanisms", "GSSAPI")).split(","))

    for listener in _names(props.get("advertised.listeners", "")):
        if mechanisms(listener) != {"SCRAM-SHA-512"}:
            problems.append(f"client listener {listener}: {sorted(mechanisms(listener))}")
    broker = props.get("inter.broker.listener.name", "")
    if props.get("sasl.mechanism.inter.broker.protocol") != "SCRAM-SHA-512":
        problems.append(f"inter-broker: {props.get('sasl.mechanism.inter.broker.protocol')}")
    scram_login = props.get(f"listener.name.{broker.lower()}.scram-sha-512.sasl.jaas.config", "")
    if 'username="admin"' not in scram_login:
        problems.append(f"inter-broker listener {broker}: the broker does not log in as admin")
    for controller in props.get("controller.listener.names", "").split(","):
        if controller in _names(props.get("advertised.listeners", "")):
            problems.append(f"controller listener {controller} is advertised to clients")
        login = props.get(f"listener.name.{controller.lower()}.plain.sasl.jaas.config", "")
        if re.findall(r"\buser_(\w+)=", login) != ["admin"]:
            problems.append(f"controller listener {controller}: PLAIN users other than admin")
    if props.get("authorizer.class.name") != STANDARD_AUTHORIZER:
        problems.append(f"authorizer: {props.get('authorizer.class.name')}")
    if props.get("allow.everyone.if.no.acl.found") != "false":
        problems.append(
            f"allow.everyone.if.no.acl.found: {props.get('allow.everyone.if.no.acl.found')}"
        )
    if props.get("super.users") != "User:admin":
        problems.append(f"super.users: {props.get('super.users')}")
    if props.get("auto.create.topics.enable") != "false":
        problems.append("topics may be created by any client")
    return problems


def run_start(doc: dict[str, Any], secrets: Path, workdir: Path) -> tuple[ScriptRun, Path]:
    """deploy/kafka/start.sh as the kafka service runs it; its config folder."""
    kafka = doc["services"]["kafka"]
    config_dir = workdir / "config"
    env = _environment(kafka) | {
        "PACT_SECRETS_DIR": str(secrets),
        "PACT_KAFKA_CONFIG_DIR": str(config_dir),
    }
    return run_script(script_of(kafka), env, workdir), config_dir


def test_kafka_runs_the_start_script_and_is_not_published(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert script_of(services["kafka"]) == DEPLOY / "kafka" / "start.sh"
    assert _argv(services["kafka"]["entrypoint"]) == ["/bin/bash"]
    for infra in ("kafka", "kafka-init", "mongo", "mongo-init"):
        assert not services[infra].get("ports"), f"{infra} is published"
        assert services[infra].get("network_mode") is None, infra


def test_kafka_environment_asks_for_sasl_scram_and_acls(compose: dict[str, Any]) -> None:
    env = _environment(compose["services"]["kafka"])
    protocols = dict(
        item.split(":") for item in env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"].split(",")
    )
    assert set(protocols.values()) == {"SASL_PLAINTEXT"}
    assert set(_names(env["KAFKA_LISTENERS"])) == set(protocols)
    assert env["KAFKA_SASL_ENABLED_MECHANISMS"] == "SCRAM-SHA-512"
    assert env["KAFKA_SASL_MECHANISM_INTER_BROKER_PROTOCOL"] == "SCRAM-SHA-512"
    assert env["KAFKA_AUTHORIZER_CLASS_NAME"] == STANDARD_AUTHORIZER
    assert env["KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND"] == "false"
    assert env["KAFKA_SUPER_USERS"] == "User:admin"
    assert not any("JAAS" in key or "PASSWORD" in key for key in env)  # secrets: files only


def test_start_script_writes_a_broker_config_that_authenticates_everyone(
    compose: dict[str, Any], secrets: Path, tmp_path: Path
) -> None:
    run, config_dir = run_start(compose, secrets, tmp_path)
    assert run.returncode == 0, run.stderr
    server = config_dir / "server.properties"
    props = properties(server)
    assert kafka_config_problems(props) == []
    assert server.stat().st_mode & 0o077 == 0  # it holds the admin password
    env = _environment(compose["services"]["kafka"])
    assert props["listeners"] == env["KAFKA_LISTENERS"]
    assert props["process.roles"] == "broker,controller"
    assert props["log.dirs"] == "/var/lib/kafka/data"
    admin = read_secret(secrets, "kafka_admin_password")
    assert f'password="{admin}"' in props["listener.name.controller.plain.sasl.jaas.config"]
    assert f'password="{admin}"' in props["listener.name.client.scram-sha-512.sasl.jaas.config"]
    assert not any(key.startswith(("pact.", "cluster")) for key in props)
    client = properties(config_dir / "admin.properties")
    assert client["security.protocol"] == "SASL_PLAINTEXT"
    assert client["sasl.mechanism"] == "SCRAM-SHA-512"
    assert f'username="admin" password="{admin}"' in client["sasl.jaas.config"]


def test_first_format_adds_every_principal_with_its_secret_password(
    compose: dict[str, Any], secrets: Path, tmp_path: Path
) -> None:
    run, config_dir = run_start(compose, secrets, tmp_path)
    assert run.returncode == 0, run.stderr
    env = _environment(compose["services"]["kafka"])
    (fmt, start) = run.calls
    assert fmt[:2] == ["kafka-storage.sh", "format"] and "--ignore-formatted" in fmt
    assert fmt[fmt.index("--cluster-id") + 1] == env["CLUSTER_ID"]
    assert fmt[fmt.index("--config") + 1] == str(config_dir / "server.properties")
    added = {}
    for i, word in enumerate(fmt):
        if word == "--add-scram":
            spec = re.fullmatch(r"SCRAM-SHA-512=\[name=([^,]+),password=([^\]]+)\]", fmt[i + 1])
            assert spec, fmt[i + 1]
            added[spec[1]] = spec[2]
    users = scram_users(compose["services"]["kafka"])
    assert set(users) == {"admin", *APPS, PARTNER}
    assert added == {
        u: read_secret(secrets, f"kafka_{u.replace('-', '_')}_password") for u in users
    }
    assert start == ["kafka-server-start.sh", str(config_dir / "server.properties")]


def test_the_healthcheck_authenticates_as_admin(compose: dict[str, Any]) -> None:
    kafka = compose["services"]["kafka"]
    probe = " ".join(_argv(kafka["healthcheck"]["test"]))
    config_dir = _environment(kafka)["PACT_KAFKA_CONFIG_DIR"]
    assert f"--command-config {config_dir}/admin.properties" in probe


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"KAFKA_ALLOW_EVERYONE_IF_NO_ACL_FOUND": "true"}, "allow.everyone.if.no.acl.found: true"),
        (
            {"KAFKA_SUPER_USERS": "User:admin;User:ANONYMOUS"},
            "super.users: User:admin;User:ANONYMOUS",
        ),
        ({"KAFKA_AUTHORIZER_CLASS_NAME": None}, "authorizer: None"),
        ({"KAFKA_SASL_ENABLED_MECHANISMS": "PLAIN,SCRAM-SHA-512"}, "client listener CLIENT"),
        ({"KAFKA_AUTO_CREATE_TOPICS_ENABLE": "true"}, "topics may be created by any client"),
    ],
)
def test_a_weakened_broker_config_is_detected(
    broken: dict[str, Any],
    secrets: Path,
    tmp_path: Path,
    change: dict[str, str | None],
    problem: str,
) -> None:
    env = broken["services"]["kafka"]["environment"]
    for key, value in change.items():
        if value is None:
            del env[key]
        else:
            env[key] = value
    run, config_dir = run_start(broken, secrets, tmp_path)
    assert run.returncode == 0, run.stderr
    problems = kafka_config_problems(properties(config_dir / "server.properties"))
    assert any(p.startswith(problem) for p in problems), problems


@pytest.mark.parametrize(
    "breakage", ["plaintext_listener", "password_in_environment", "missing_secret"]
)
def test_the_start_script_refuses_an_insecure_or_incomplete_setup(
    broken: dict[str, Any], secrets: Path, tmp_path: Path, breakage: str
) -> None:
    env = broken["services"]["kafka"]["environment"]
    if breakage == "plaintext_listener":
        env["KAFKA_LISTENERS"] += ",OPEN://:9094"
        env["KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"] += ",OPEN:PLAINTEXT"
    elif breakage == "password_in_environment":
        env["KAFKA_LISTENER_NAME_CLIENT_SCRAM___SHA___512_SASL_JAAS_CONFIG"] = "x"
    elif breakage == "missing_secret":
        partial = tmp_path / "partial"
        shutil.copytree(secrets, partial)
        (partial / "kafka_monitoring_password").unlink()
        secrets = partial
    run, _ = run_start(broken, secrets, tmp_path)
    assert run.returncode != 0
    assert not [call for call in run.calls if call[0] == "kafka-server-start.sh"]


# ---------------------------------------------------------------- Kafka: the ACLs


@dataclass(frozen=True)
class Grant:
    principal: str  # without "User:"
    operation: str  # lower case
    resource: str  # "topic" or "group"
    pattern: str  # "literal" or "prefixed"
    name: str


_ACL_VALUE_OPTIONS = {
    "--bootstrap-server",
    "--command-config",
    "--allow-principal",
    "--operation",
    "--topic",
    "--group",
    "--resource-pattern-type",
}


def acl_grants(calls: list[list[str]]) -> tuple[set[Grant], list[str]]:
    """The ACLs that kafka-acls.sh --add runs grant, and what could not be read as one
    of the forms deploy/ uses (any other option, such as --deny-principal, --cluster or
    --producer, is reported rather than guessed at)."""
    grants: set[Grant] = set()
    problems: list[str] = []
    for call in calls:
        if call[0] != "kafka-acls.sh" or ("--list" in call and "--add" not in call):
            continue
        values: dict[str, list[str]] = {}
        words = iter(call[1:])
        for word in words:
            if word in _ACL_VALUE_OPTIONS:
                values.setdefault(word, []).append(next(words, ""))
            elif word != "--add":
                problems.append(f"unsupported kafka-acls.sh argument {word!r} in {call}")
        if "--add" not in call:
            problems.append(f"not an --add: {call}")
        (pattern,) = values.get("--resource-pattern-type", ["literal"])
        if pattern not in ("literal", "prefixed"):
            problems.append(f"resource pattern type {pattern!r}")
        resources = [("topic", t) for t in values.get("--topic", [])]
        resources += [("group", g) for g in values.get("--group", [])]
        if not (values.get("--allow-principal") and values.get("--operation") and resources):
            problems.append(f"incomplete ACL: {call}")
        if not values.get("--command-config"):
            problems.append(f"unauthenticated: {call}")
        for principal in values.get("--allow-principal", []):
            if not principal.startswith("User:"):
                problems.append(f"principal {principal!r}")
            for operation in values.get("--operation", []):
                for resource, name in resources:
                    grants.add(
                        Grant(
                            principal.removeprefix("User:"),
                            operation.lower(),
                            resource,
                            pattern,
                            name,
                        )
                    )
    return grants, problems


def _matches(grant: Grant, resource: str, name: str) -> bool:
    if grant.resource != resource:
        return False
    if grant.pattern == "prefixed":
        return name.startswith(grant.name)
    return grant.name in (name, "*")


def principals_allowed(grants: set[Grant], operation: str, topic: str) -> set[str]:
    """Who may do ``operation`` (read or write) on ``topic`` (All counts as every one)."""
    return {
        g.principal
        for g in grants
        if g.operation in (operation, "all") and _matches(g, "topic", topic)
    }


def topics_written_by(grants: set[Grant], principal: str) -> set[str]:
    return {t.name for t in CATALOGUE if principal in principals_allowed(grants, "write", t.name)}


def acl_problems(grants: set[Grant]) -> list[str]:
    """Every way the granted ACLs differ from the table at the top of this module."""
    problems = []
    for topic in sorted(EXPECTED_WRITERS):
        for operation, expected in (("write", EXPECTED_WRITERS), ("read", EXPECTED_READERS)):
            actual = principals_allowed(grants, operation, topic)
            if actual != expected[topic]:
                problems.append(
                    f"{topic}: {operation} by {sorted(actual)}, want {sorted(expected[topic])}"
                )
    for g in sorted(grants, key=repr):
        if g.operation not in ("read", "write", "describe"):
            problems.append(f"{g}: operation {g.operation}")
        if g.principal == "*" or g.name == "*":
            problems.append(f"{g}: wildcard")
        if g.resource == "topic" and (g.pattern != "literal" or g.name not in EXPECTED_WRITERS):
            problems.append(f"{g}: not one catalogue topic")
        if g.resource == "group" and (
            g.pattern != "prefixed" or g.name != EXPECTED_GROUP_PREFIXES.get(g.principal)
        ):
            problems.append(f"{g}: not the principal's own consumer groups")
        if g.principal.startswith("partner-") and (g.resource, g.name) != ("topic", PROGRESS):
            problems.append(f"{g}: a partner beyond {PROGRESS}")
    return problems


@pytest.fixture(scope="module")
def init_calls(
    compose: dict[str, Any], secrets: Path, tmp_path_factory: pytest.TempPathFactory
) -> list[list[str]]:
    return kafka_init_calls(compose, tmp_path_factory.mktemp("kafka-init"), secrets)


def test_the_expected_acls_cover_the_whole_catalogue() -> None:
    names = {t.name for t in CATALOGUE}
    assert EXPECTED_WRITERS.keys() == names == EXPECTED_READERS.keys()


def test_kafka_init_grants_exactly_the_acls_of_the_table(init_calls: list[list[str]]) -> None:
    grants, problems = acl_grants(init_calls)
    assert problems == []
    assert acl_problems(grants) == []
    for call in init_calls:  # every tool run authenticates as admin, to the broker
        assert call[call.index("--bootstrap-server") + 1] == "kafka:9092", call
        assert "--command-config" in call, call


@pytest.mark.parametrize("service", APPS)
def test_each_service_writes_exactly_the_topics_it_owns(
    init_calls: list[list[str]], service: str
) -> None:
    grants, _ = acl_grants(init_calls)
    owned = {topic for topic, writers in EXPECTED_WRITERS.items() if service in writers}
    assert dead_letter_topic(service).name in owned
    assert topics_written_by(grants, service) == owned


def test_the_partner_principal_may_only_write_the_progress_topic(
    init_calls: list[list[str]],
) -> None:
    grants, _ = acl_grants(init_calls)
    partner = {g for g in grants if g.principal == PARTNER}
    assert partner == {
        Grant(PARTNER, "write", "topic", "literal", PROGRESS),
        Grant(PARTNER, "describe", "topic", "literal", PROGRESS),
    }
    assert topics_written_by(grants, PARTNER) == {PROGRESS}


def test_consumer_groups_of_the_services_fall_under_their_group_acl(
    init_calls: list[list[str]],
) -> None:
    grants, _ = acl_grants(init_calls)
    groups = {
        (g.principal, g.name) for g in grants if g.resource == "group" and g.operation == "read"
    }
    assert groups == set(EXPECTED_GROUP_PREFIXES.items())
    for service, prefix in EXPECTED_GROUP_PREFIXES.items():
        settings = ServiceSettings(service_name=service, environment="test")
        assert settings.group("partners").startswith(prefix)


def test_kafka_init_sets_each_service_credential_to_its_secret(
    compose: dict[str, Any], secrets: Path, init_calls: list[list[str]]
) -> None:
    set_credentials = {}
    for call in init_calls:
        if call[0] == "kafka-configs.sh":
            spec = call[call.index("--add-config") + 1]
            if _kept_topic(call):
                continue  # history kept for replay: test_compose.py
            assert "--alter" in call and call[call.index("--entity-type") + 1] == "users"
            if spec.startswith("producer_byte_rate="):
                continue  # a quota: test_partner_principals_have_producer_quotas
            found = re.fullmatch(r"SCRAM-SHA-512=\[iterations=8192,password=(\w+)\]", spec)
            assert found, spec
            set_credentials[call[call.index("--entity-name") + 1]] = found[1]
    users = scram_users(compose["services"]["kafka-init"])
    assert users == scram_users(compose["services"]["kafka"])
    assert set_credentials == {
        u: read_secret(secrets, f"kafka_{u.replace('-', '_')}_password")
        for u in users
        if u != "admin"  # the broker's own login: see deploy/README.md, "Rotating"
    }


def _insert_before_listing(line: str) -> Callable[[str], str]:
    def edit(script: str) -> str:
        assert "\nkafka topics --list\n" in script
        return script.replace("\nkafka topics --list\n", f"\n{line}\nkafka topics --list\n")

    return edit


def _drop(line: str) -> Callable[[str], str]:
    def edit(script: str) -> str:
        assert f"\n{line}\n" in script
        return script.replace(f"\n{line}\n", "\n")

    return edit


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (
            _insert_before_listing("writes registry monitoring.alerts.v1"),
            "monitoring.alerts.v1: write by ['monitoring', 'registry']",
        ),
        (
            _insert_before_listing("writes partner-gateway monitoring.progress-rejected.v1"),
            "monitoring.progress-rejected.v1: write by ['monitoring', 'partner-gateway']",
        ),
        (
            _insert_before_listing("reads partner-gateway monitoring.progress-rejected.v1"),
            "monitoring.progress-rejected.v1: read by ['partner-gateway']",
        ),
        (
            _insert_before_listing(
                "kafka acls --add --allow-principal User:registry --operation Write"
                " --resource-pattern-type prefixed --topic monitoring."
            ),
            "monitoring.alerts.v1: write by ['monitoring', 'registry']",
        ),
        (
            _insert_before_listing(
                "kafka acls --add --allow-principal User:commitments --operation All --topic '*'"
            ),
            "commitments.dead-letter.v1: read by ['commitments']",
        ),
        (
            _insert_before_listing(
                "kafka acls --add --allow-principal 'User:*' --operation Read"
                " --topic monitoring.alerts.v1"
            ),
            "monitoring.alerts.v1: read by ['*', 'commitments', 'monitoring']",
        ),
        (
            _insert_before_listing("groups registry registry."),
            "Grant(principal='registry', operation='read', resource='group'",
        ),
        (
            _drop("reads commitments registry.partner-events.v1 monitoring.alerts.v1"),
            "registry.partner-events.v1: read by ['monitoring'],"
            " want ['commitments', 'monitoring']",
        ),
    ],
)
def test_a_wrong_acl_is_detected(
    compose: dict[str, Any],
    secrets: Path,
    tmp_path: Path,
    edit: Callable[[str], str],
    problem: str,
) -> None:
    grants, unread = acl_grants(kafka_init_calls(compose, tmp_path, secrets, edit))
    assert unread == []
    problems = acl_problems(grants)
    assert any(p.startswith(problem) for p in problems), problems


@pytest.mark.parametrize(
    "line",
    [
        "kafka acls --add --deny-principal User:registry --operation Read"
        " --topic monitoring.alerts.v1",
        "kafka acls --add --allow-principal User:registry --operation Alter --cluster",
        "kafka acls --add --allow-principal User:registry --producer --topic monitoring.alerts.v1",
        "kafka acls --add --allow-principal User:registry --operation Read"
        " --resource-pattern-type match --topic monitoring.alerts.v1",
        "$PACT_KAFKA_HOME/bin/kafka-acls.sh --bootstrap-server kafka:9092 --add"
        " --allow-principal User:registry --operation Read --topic monitoring.alerts.v1",
    ],
)
def test_an_acl_the_checks_cannot_read_is_reported(
    compose: dict[str, Any], secrets: Path, tmp_path: Path, line: str
) -> None:
    calls = kafka_init_calls(compose, tmp_path, secrets, _insert_before_listing(line))
    _, unread = acl_grants(calls)
    assert unread


def test_add_partner_gives_a_new_principal_only_the_progress_topic(
    compose: dict[str, Any], secrets: Path, tmp_path: Path
) -> None:
    init = compose["services"]["kafka-init"]
    script = host_path(init, "/opt/pact/kafka/add-partner.sh")
    env = _environment(init) | {"PACT_SECRETS_DIR": str(secrets)}
    run = run_script(script, env, tmp_path, ["partner-acme"])
    assert run.returncode == 0, run.stderr
    grants, unread = acl_grants(run.calls)
    assert unread == []
    assert grants == {
        Grant("partner-acme", "write", "topic", "literal", PROGRESS),
        Grant("partner-acme", "describe", "topic", "literal", PROGRESS),
    }
    configs, quota = [call for call in run.calls if call[0] == "kafka-configs.sh"]
    assert configs[configs.index("--entity-name") + 1] == "partner-acme"
    assert quotas([quota]) == {"partner-acme": partner_quota(init, "PARTNER")}
    password = re.fullmatch(
        r"SCRAM-SHA-512=\[iterations=8192,password=([0-9a-f]{64})\]",
        configs[configs.index("--add-config") + 1],
    )
    assert password, configs
    assert f"sasl.username=partner-acme\nsasl.password={password[1]}\n" in run.stdout
    assert "sasl.mechanism=SCRAM-SHA-512" in run.stdout


def _kept_topic(call: list[str]) -> bool:
    """kafka-configs.sh keeping a replayed topic's every record (and nothing else)."""
    if call[call.index("--entity-type") + 1] != "topics":
        return False
    assert call[call.index("--entity-name") + 1] in {t.name for t in REPLAYED}, call
    assert call[call.index("--add-config") + 1] == "retention.ms=-1", call
    return True


def quotas(calls: list[list[str]]) -> dict[str, dict[str, str]]:
    """The client quotas the calls set: principal -> {config: value}."""
    found: dict[str, dict[str, str]] = {}
    for call in calls:
        if call[0] != "kafka-configs.sh" or "--add-config" not in call:
            continue
        spec = call[call.index("--add-config") + 1]
        if spec.startswith("SCRAM-") or _kept_topic(call):
            continue
        assert call[call.index("--entity-type") + 1] == "users", call
        principal = call[call.index("--entity-name") + 1]
        found[principal] = dict(item.split("=", 1) for item in spec.split(","))
    return found


def partner_quota(kafka_init: dict[str, Any], whose: str) -> dict[str, str]:
    """The quota compose gives partner-gateway (GATEWAY) or each partner-NAME (PARTNER)."""
    env = _environment(kafka_init)
    return {
        "producer_byte_rate": env[f"PACT_KAFKA_{whose}_PRODUCER_BYTE_RATE"],
        "request_percentage": env["PACT_KAFKA_PARTNER_REQUEST_PERCENTAGE"],
    }


def test_partner_principals_have_producer_quotas_and_the_services_none(
    compose: dict[str, Any], init_calls: list[list[str]]
) -> None:
    init = compose["services"]["kafka-init"]
    assert quotas(init_calls) == {PARTNER: partner_quota(init, "GATEWAY")}
    for whose in ("GATEWAY", "PARTNER"):
        rate = int(partner_quota(init, whose)["producer_byte_rate"])
        assert 64 * 1024 <= rate <= 64 * 1024 * 1024, whose  # a few hundred reports a second
    assert 1 <= int(partner_quota(init, "PARTNER")["request_percentage"]) <= 100


@pytest.mark.parametrize("variable", ["PARTNER_PRODUCER_BYTE_RATE", "PARTNER_REQUEST_PERCENTAGE"])
@pytest.mark.parametrize("value", ["lots", "0", "1,producer_byte_rate=9999999999"])
def test_a_bad_quota_stops_the_scripts_before_they_change_anything(
    compose: dict[str, Any], secrets: Path, tmp_path: Path, variable: str, value: str
) -> None:
    init = compose["services"]["kafka-init"]
    env = _environment(init) | {"PACT_SECRETS_DIR": str(secrets), f"PACT_KAFKA_{variable}": value}
    run = run_script(
        host_path(init, "/opt/pact/kafka/add-partner.sh"), env, tmp_path, ["partner-x"]
    )
    assert run.returncode != 0 and run.calls == []
    if variable == "PARTNER_REQUEST_PERCENTAGE":
        run = run_script(script_of(init), env, tmp_path / "init")
        assert run.returncode != 0 and run.calls == []


@pytest.mark.parametrize(
    "name", ["registry", "admin", PARTNER, "partner-ACME", "partner-a,b", "partner-", ""]
)
def test_add_partner_refuses_other_principals(
    compose: dict[str, Any], secrets: Path, tmp_path: Path, name: str
) -> None:
    init = compose["services"]["kafka-init"]
    script = host_path(init, "/opt/pact/kafka/add-partner.sh")
    env = _environment(init) | {"PACT_SECRETS_DIR": str(secrets)}
    run = run_script(script, env, tmp_path, [name])
    assert run.returncode != 0
    assert run.calls == []


# ------------------------------------------------------------ the services' credentials


@pytest.mark.parametrize("service", APPS)
def test_each_service_authenticates_with_its_own_credentials(
    compose: dict[str, Any], service: str
) -> None:
    svc = compose["services"][service]
    env = _environment(svc)
    prefix = service.upper() + "_"
    assert env[f"{prefix}KAFKA_SASL_USERNAME"] == service
    assert env[f"{prefix}KAFKA_SASL_PASSWORD_FILE"] == f"/run/secrets/kafka_{service}_password"
    assert env[f"{prefix}MONGO_URL_FILE"] == f"/run/secrets/mongo_{service}_url"
    assert f"{prefix}MONGO_URL" not in env and f"{prefix}KAFKA_SASL_PASSWORD" not in env
    key = "jwt_private_key" if service == "registry" else "jwt_public_key"
    own = {
        "registry": {"webhook_key"},
        "monitoring": {"webhook_key", "monitoring_secretariat_webhook_secret"},
    }.get(service, set())
    assert mounted(svc) == {f"kafka_{service}_password", f"mongo_{service}_url", key, *own}
    for name in ("kafka", "kafka-init"):
        users = scram_users(compose["services"][name])
        assert service in users, f"{name}: no SCRAM credential for {service}"


def test_every_secret_is_mounted_only_where_it_is_needed(compose: dict[str, Any]) -> None:
    where: dict[str, set[str]] = {}
    for name, svc in compose["services"].items():
        for secret in mounted(svc):
            where.setdefault(secret, set()).add(name)
    expected = {
        "kafka_admin_password": {"kafka", "kafka-init"},
        "kafka_partner_gateway_password": {"kafka", "kafka-init"},
        "mongo_root_password": {"mongo", "mongo-init"},
        "mongo_keyfile": {"mongo"},
        "jwt_private_key": {"registry"},
        "jwt_public_key": {"commitments", "monitoring"},
        "webhook_key": {"registry", "monitoring"},
        "monitoring_secretariat_webhook_secret": {"monitoring"},
        "portal_session_secret": {"portal"},
    }
    for service in APPS:
        expected[f"kafka_{service}_password"] = {"kafka", "kafka-init", service}
        expected[f"mongo_{service}_password"] = {"mongo-init"}
        expected[f"mongo_{service}_url"] = {service}
    expected["mongo_monitoring_url"].add("monitoring-keeper")  # its database, nothing else
    assert where == expected
    assert secret_files(compose).keys() == expected.keys()


def _settings_class(service: str) -> type[ServiceSettings]:
    """The service's own settings class, so a variable it does not read is caught."""
    module = importlib.import_module(f"{service}.config")
    settings: type[ServiceSettings] = module.Settings
    return settings


def _unknown_settings(service: str, env: dict[str, str]) -> list[str]:
    """Variables no settings field reads (extra="ignore" would drop a typo silently)."""
    fields = _settings_class(service).model_fields
    prefix = service.upper() + "_"
    return sorted(k for k in env if k.removeprefix(prefix).lower() not in fields)


def _as_compose_gives(
    compose: dict[str, Any],
    secrets: Path,
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    prefix: str,
) -> None:
    """This process's environment as a container's: only `env` under the prefix, each secret
    file's path one of `secrets`, the admin key by variable."""
    files = secret_files(compose)
    for key in [k for k in os.environ if k.startswith(prefix)]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        if value.startswith("/run/secrets/"):
            value = str(secrets / files[value.removeprefix("/run/secrets/")])
        elif key == "REGISTRY_ADMIN_API_KEY":
            value = read_secret(secrets, "registry_admin_api_key")
        monkeypatch.setenv(key, value)


@pytest.mark.parametrize("service", APPS)
def test_the_service_settings_read_the_credentials_compose_gives(
    compose: dict[str, Any], secrets: Path, monkeypatch: pytest.MonkeyPatch, service: str
) -> None:
    env = _environment(compose["services"][service])
    assert _unknown_settings(service, env) == []
    _as_compose_gives(compose, secrets, monkeypatch, env, service.upper() + "_")
    settings = _settings_class(service)()
    assert settings.environment == "production"
    assert settings.kafka_sasl_username == service
    assert settings.kafka_sasl_password is not None
    password = settings.kafka_sasl_password.get_secret_value()
    assert password == read_secret(secrets, f"kafka_{service}_password")
    assert settings.mongo_url == read_secret(secrets, f"mongo_{service}_url")
    assert settings.http_host == "0.0.0.0"


def test_the_keeper_reads_monitorings_database_with_nothing_else_given(
    compose: dict[str, Any], secrets: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """monitoring-keeper: only the database's secret, in production, and the same database
    kept the same way as the service's (MONITORING_VIEWS_APART); it waits for the database
    only, not for the broker it does not use."""
    from monitoring.config import KeeperSettings

    env = _environment(compose["services"]["monitoring-keeper"])
    service = _environment(compose["services"]["monitoring"])
    fields = KeeperSettings.model_fields
    assert sorted(k for k in env if k.removeprefix("MONITORING_").lower() not in fields) == []
    for key in ("MONITORING_VIEWS_APART", "MONITORING_MONGO_DB", "MONITORING_MONGO_URL_FILE"):
        assert env[key] == service[key], key
    _as_compose_gives(compose, secrets, monkeypatch, env, "MONITORING_")
    settings = KeeperSettings()
    assert settings.environment == "production"
    assert settings.mongo_url == read_secret(secrets, "mongo_monitoring_url")
    assert str(settings.keeper_heartbeat_file) == env["MONITORING_KEEPER_HEARTBEAT_FILE"]
    # its metrics inside the compose network (the keeper has no other HTTP)
    assert (settings.keeper_metrics_host, settings.keeper_metrics_port) == ("0.0.0.0", 9103)
    assert sorted(compose["services"]["monitoring-keeper"]["depends_on"]) == ["mongo", "mongo-init"]


def test_the_keepers_healthcheck_fails_on_a_stale_or_missing_heartbeat(
    compose: dict[str, Any], tmp_path: Path
) -> None:
    keeper = compose["services"]["monitoring-keeper"]
    argv = _argv(keeper["healthcheck"]["test"])
    heartbeat = _environment(keeper)["MONITORING_KEEPER_HEARTBEAT_FILE"]
    assert argv[:3] == ["CMD", "python", "-c"] and heartbeat in argv[3]
    alive = tmp_path / "alive"
    probe = argv[3].replace(heartbeat, str(alive))

    def status() -> int:
        return subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, check=False
        ).returncode

    missing = status()
    alive.touch()
    fresh = status()
    os.utime(alive, (alive.stat().st_mtime - 120,) * 2)
    stale = status()
    print(f"healthcheck exit codes: missing {missing}, fresh {fresh}, 120 s old {stale}")
    assert (missing != 0, fresh, stale) == (True, 0, 1)


def test_a_misspelt_setting_is_detected() -> None:
    env = {"REGISTRY_KAFKA_SASL_PASSWORD_FIEL": "/run/secrets/kafka_registry_password"}
    assert _unknown_settings("registry", env) == ["REGISTRY_KAFKA_SASL_PASSWORD_FIEL"]


# ------------------------------------------------------------------------- MongoDB


def test_mongo_runs_with_authentication_and_a_key_file(compose: dict[str, Any]) -> None:
    mongo = compose["services"]["mongo"]
    command = _argv(mongo["command"])
    assert "--auth" in command
    keyfile = command[command.index("--keyFile") + 1]
    assert keyfile.startswith("/") and not keyfile.startswith(("/run/secrets/", "/data/"))
    assert _argv(mongo["entrypoint"])[0] == "/bin/bash"
    assert host_path(mongo, _argv(mongo["entrypoint"])[1]) == DEPLOY / "mongo" / "entrypoint.sh"
    env = _environment(mongo)
    assert env["MONGO_INITDB_ROOT_USERNAME"] == "root"
    assert env["MONGO_INITDB_ROOT_PASSWORD_FILE"] == "/run/secrets/mongo_root_password"
    assert "MONGO_INITDB_ROOT_PASSWORD" not in env
    healthcheck = host_path(mongo, _argv(mongo["healthcheck"]["test"])[-1])
    assert "mongo_root_password" in healthcheck.read_text(encoding="utf-8")


def _run_mongo_entrypoint(
    command: list[str], source: Path, workdir: Path
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """deploy/mongo/entrypoint.sh with a stand-in for the image's docker-entrypoint.sh."""
    bin_dir = workdir / "bin"
    bin_dir.mkdir(exist_ok=True)
    called = workdir / "called"
    stub = bin_dir / "docker-entrypoint.sh"
    stub.write_text(f'#!/usr/bin/env bash\nprintf "%s\\n" "$@" > {called}\n', encoding="utf-8")
    stub.chmod(0o755)
    done = subprocess.run(
        ["bash", str(DEPLOY / "mongo" / "entrypoint.sh"), *command],
        env={"PATH": f"{bin_dir}:{os.environ['PATH']}", "PACT_MONGO_KEYFILE_SOURCE": str(source)},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return done, called


def test_the_mongo_entrypoint_installs_the_key_file_for_mongod(
    compose: dict[str, Any], secrets: Path, tmp_path: Path
) -> None:
    command = _argv(compose["services"]["mongo"]["command"])
    i = command.index("--keyFile") + 1
    command[i] = str(tmp_path / command[i].lstrip("/"))  # here, not in the host's /etc
    done, called = _run_mongo_entrypoint(command, secrets / "mongo_keyfile", tmp_path)
    assert done.returncode == 0, done.stderr
    assert called.read_text(encoding="utf-8").splitlines() == command  # the same mongod args
    keyfile = Path(command[i])
    assert keyfile.read_bytes() == (secrets / "mongo_keyfile").read_bytes()
    assert keyfile.stat().st_mode & 0o777 == 0o400
    if os.geteuid() == 0:  # as in the container: root hands the file to mongodb
        assert (keyfile.stat().st_uid, keyfile.stat().st_gid) == (999, 999)


def test_the_mongo_entrypoint_refuses_to_start_without_a_key_file(
    secrets: Path, tmp_path: Path
) -> None:
    done, called = _run_mongo_entrypoint(["--replSet", "rs0", "--auth"], secrets, tmp_path)
    assert done.returncode != 0 and not called.exists()
    done, called = _run_mongo_entrypoint(
        ["--keyFile", str(tmp_path / "k")], tmp_path / "missing", tmp_path
    )
    assert done.returncode != 0 and not called.exists()


def test_mongo_init_gives_each_service_read_write_on_its_own_database_only(
    compose: dict[str, Any],
) -> None:
    init = compose["services"]["mongo-init"]
    script = script_of(init).read_text(encoding="utf-8")
    (services,) = re.findall(r"const SERVICES = \[([^\]]*)\];", script)
    assert re.findall(r"'(\w+)'", services) == list(APPS)
    assert re.findall(r"\brole:\s*'(\w+)'", script) == ["readWrite"]
    assert "roles = [{ role: 'readWrite', db: service }]" in script
    assert "createUser" in script and "updateUser" in script  # idempotent
    assert "mongo_${service}_password" in script
    assert mounted(init) == {"mongo_root_password", *(f"mongo_{s}_password" for s in APPS)}


@pytest.mark.parametrize("script", ["healthcheck.js", "init-users.js"])
def test_the_mongosh_scripts_are_valid_javascript(script: str) -> None:
    done = subprocess.run(
        ["node", "--check", str(DEPLOY / "mongo" / script)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr


# ---------------------------------------------------------------- make-secrets.sh


def test_every_deploy_script_is_valid_bash() -> None:
    scripts = sorted(DEPLOY.rglob("*.sh"))
    assert MAKE_SECRETS in scripts and len(scripts) >= 6
    for script in scripts:
        done = subprocess.run(
            ["bash", "-n", str(script)], capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, f"{script}: {done.stderr}"


def unmade_secrets(doc: dict[str, Any], directory: Path) -> list[str]:
    return sorted(f for f in secret_files(doc).values() if not (directory / f).is_file())


def test_make_secrets_makes_every_secret_compose_mounts(
    compose: dict[str, Any], secrets: Path
) -> None:
    assert unmade_secrets(compose, secrets) == []
    for spec in compose["secrets"].values():
        assert spec["file"].startswith("./deploy/secrets/")
    made = {p.name for p in secrets.iterdir()}
    assert made == {*secret_files(compose).values(), "registry_admin_api_key"}
    assert secrets.stat().st_mode & 0o777 == 0o700
    assert {p.stat().st_mode & 0o777 for p in secrets.iterdir()} == {0o444}


def test_a_secret_make_secrets_does_not_make_is_detected(
    broken: dict[str, Any], secrets: Path
) -> None:
    broken["secrets"]["kafka_auditor_password"] = {
        "file": "./deploy/secrets/kafka_auditor_password"
    }
    assert unmade_secrets(broken, secrets) == ["kafka_auditor_password"]


def test_the_passwords_are_strong_and_distinct(secrets: Path) -> None:
    passwords = [p.read_text(encoding="utf-8").strip() for p in secrets.glob("*password")]
    assert len(passwords) == 9
    assert all(re.fullmatch(r"[0-9a-f]{64}", p) for p in passwords)
    assert len(set(passwords)) == len(passwords)
    assert re.fullmatch(r"[0-9a-f]{64}", read_secret(secrets, "registry_admin_api_key"))
    keyfile = re.sub(r"\s", "", (secrets / "mongo_keyfile").read_text(encoding="utf-8"))
    assert re.fullmatch(r"[A-Za-z0-9+/=]{6,1024}", keyfile)  # mongod's key file rules


def test_the_mongo_urls_log_each_service_in_as_its_own_user(secrets: Path) -> None:
    for service in APPS:
        uri = parse_uri(read_secret(secrets, f"mongo_{service}_url"))
        assert uri["username"] == service
        assert uri["password"] == read_secret(secrets, f"mongo_{service}_password")
        assert uri["nodelist"] == [("mongo", 27017)]
        assert uri["options"] == {"replicaSet": "rs0", "authSource": "admin"}  # users: admin db


def test_the_jwt_keys_are_an_ed25519_pair(secrets: Path) -> None:
    private = serialization.load_pem_private_key(
        (secrets / "jwt_private_key.pem").read_bytes(), password=None
    )
    public = serialization.load_pem_public_key((secrets / "jwt_public_key.pem").read_bytes())
    assert isinstance(private, Ed25519PrivateKey) and isinstance(public, Ed25519PublicKey)
    public.verify(private.sign(b"pact"), b"pact")


def test_make_secrets_never_overwrites_a_file(tmp_path: Path) -> None:
    target = tmp_path / "secrets"
    target.mkdir()
    (target / "kafka_admin_password").write_text("chosen-by-the-operator-0123\n", encoding="utf-8")
    first = run_make_secrets(tmp_path / "a", target)
    assert first.returncode == 0, first.stderr
    assert "kept     kafka_admin_password" in first.stdout
    assert read_secret(target, "kafka_admin_password") == "chosen-by-the-operator-0123"
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    again = run_make_secrets(tmp_path / "b", target, PACT_SECRETS_DIR=str(target))
    assert again.returncode == 0, again.stderr
    assert "made" not in again.stdout
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before


def test_make_secrets_refuses_a_url_that_lost_its_password(tmp_path: Path) -> None:
    target = tmp_path / "secrets"
    assert run_make_secrets(tmp_path / "a", target).returncode == 0
    (target / "mongo_commitments_password").unlink()  # made anew, the URL kept: mismatch
    again = run_make_secrets(tmp_path / "b", target)
    assert again.returncode != 0
    assert "mongo_commitments_url" in again.stderr
