"""The README's walkthroughs, as written: its shell blocks under "## Walkthroughs" run
against the real registry, commitments and monitoring (processes of their own, started as
tests/integration/cli starts them) and the real Kafka broker, once in bash as a newcomer
would paste them, once line by line through Typer's CliRunner."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from pymongo import MongoClient
from typer.testing import CliRunner

from pactctl.main import app
from tests.integration.cli.conftest import MONGO_URL, Service, database, start, stop
from tests.support.kafka import BOOTSTRAP

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
MODULES = ("registry", "commitments", "monitoring")


def walkthrough_blocks(readme: str) -> list[str]:
    """The ```bash blocks of the README's "## Walkthroughs" section, in order."""
    section = readme.split("\n## Walkthroughs\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.*?)```", section, flags=re.S)


BLOCKS = walkthrough_blocks((ROOT / "README.md").read_text())


@pytest.fixture
def stack(
    infrastructure: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, str]]:
    """Fresh services of the test's own (each walkthrough registers the same sample), and
    the environment pactctl finds them by."""
    namespace = f"t{uuid.uuid4().hex[:10]}."
    logs = tmp_path_factory.mktemp("walkthrough-logs")
    services: list[Service] = []
    try:
        with ThreadPoolExecutor(3) as pool:  # the three start side by side
            started = [pool.submit(start, m, namespace, logs) for m in MODULES]
            failed = [e for f in started if (e := f.exception()) is not None]
            services += [f.result() for f in started if f.exception() is None]
            if failed:
                raise failed[0]  # the others are stopped below
        yield {
            "PACT_REGISTRY_URL": services[0].url,
            "PACT_COMMITMENTS_URL": services[1].url,
            "PACT_MONITORING_URL": services[2].url,
            "PACT_KAFKA_BOOTSTRAP": BOOTSTRAP,
            "PACT_TOPIC_NAMESPACE": namespace,
        }
    finally:
        for service in reversed(services):
            stop(service)
        client: MongoClient[dict[str, object]] = MongoClient(MONGO_URL)
        for module in MODULES:
            client.drop_database(database(namespace, module))
        client.close()


def workdir(tmp_path: Path) -> Path:
    """A fresh directory that looks like the repository's root to the walkthroughs."""
    (tmp_path / "docs").symlink_to(ROOT / "docs")
    return tmp_path


def test_the_readme_has_the_three_walkthrough_blocks() -> None:
    assert len(BLOCKS) == 3
    assert "pactctl register --file docs/examples/registration.json" in BLOCKS[0]
    assert "pactctl partners approve" in BLOCKS[1]
    assert "pactctl progress import docs/examples/q3-figures.csv" in BLOCKS[2]


def test_the_walkthroughs_run_in_bash_as_written(stack: dict[str, str], tmp_path: Path) -> None:
    cwd = workdir(tmp_path)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PACT_")}
    env |= stack | {"PATH": f"{VENV_BIN}:{env.get('PATH', '/usr/bin:/bin')}"}
    script = "set -euo pipefail\n" + "\n".join(BLOCKS) + 'echo "COMMITMENT=$COMMITMENT_ID"\n'
    done = subprocess.run(
        ["bash", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert re.search(r"^registered p-\w+", out, flags=re.M), out
    assert "Acme Network Academy" in out  # the pending list, tab-separated when piped
    assert "is now active" in out
    assert "2 report(s) sent to Kafka topic" in " ".join(out.split())
    assert (cwd / "acme.key").stat().st_mode & 0o077 == 0  # the key file is the user's only
    assert (cwd / "annual-2026.csv").read_text().startswith("year,scope,id,name,")


def _expand(text: str, variables: dict[str, str], pactctl: Callable[[str], str]) -> str:
    """`$(cat FILE)`, `$(pactctl ...)` and `$VAR`, as bash would expand them here."""

    def command(match: re.Match[str]) -> str:
        inner = match[1]
        if inner.startswith("cat "):
            return Path(inner[4:].strip()).read_text().strip()
        return pactctl(inner).strip()

    text = re.sub(r"\$\((.*?)\)", command, text)
    return re.sub(r"\$(\w+)", lambda m: variables.get(m[1], ""), text)


def test_the_walkthroughs_run_through_clirunner(
    stack: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each line as Typer's CliRunner runs it (in process): `VAR=$(pactctl ...)`, `export
    VAR=...`, `echo`, and pactctl commands; what they print is checked as the bash run's."""
    cwd = workdir(tmp_path)
    monkeypatch.chdir(cwd)
    env: dict[str, str | None] = {**stack, "PACT_API_KEY": None, "COLUMNS": "200"}
    variables: dict[str, str] = {}
    outputs: list[str] = []

    def pactctl(line: str) -> str:
        args = shlex.split(line, comments=True)
        assert args[0] == "pactctl", line
        result = CliRunner().invoke(app, args[1:], env=env)
        assert result.exit_code == 0, f"{line}\n{result.output}"
        outputs.append(result.stdout)
        return result.stdout

    for line in "\n".join(BLOCKS).splitlines():
        line = line.split("  #", 1)[0].strip()
        if not line:
            continue
        assign = re.fullmatch(r"(?:export )?(\w+)=(.*)", line)
        if assign:
            name, value = assign[1], _expand(assign[2], variables, pactctl).strip('"')
            variables[name] = value
            if name.startswith("PACT_"):
                env[name] = value
        elif line.startswith("echo "):
            outputs.append(_expand(line[5:], variables, pactctl))
        else:
            pactctl(_expand(line, variables, pactctl))
    said = " ".join(" ".join(outputs).split())
    assert variables["PARTNER_ID"].startswith("p-")
    assert variables["COMMITMENT_ID"].startswith("c-")
    assert "2 report(s) sent to Kafka topic" in said
    assert (cwd / "annual-2026.csv").exists()
