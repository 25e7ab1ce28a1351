"""Compile monitoring's domain (monitoring/core/domain) to C extension modules with mypyc.

The domain is pure, strictly typed Python; compiled, the domain's share of a report takes
about a fifth less time (README, Dependency notes). The extension modules are written next to
their sources (`*.so`, not committed) with the hash of each source compiled
(`compiled.json`); a compiled module whose source differs now is refused at import
(domain/__init__.py), so an edited domain never runs stale code: run this again
(`make compile`), or `make pure` to remove them and run the sources.

Left out: `__init__` (it checks the others), and `commands`, `errors`, `events` and
`totals`: classes mypyc does not compile as they are (a generic dataclass, exception classes
that take a code as a class keyword, types imported only for checking, a `__getattr__`
returning an int). A compiled module calls the others' functions directly: a test that
replaces one of them replaces it where the service layer calls it (service_layer/), not in
the domain.

    python scripts/compile_domain.py [--build-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

from mypyc.build import mypycify
from setuptools import setup

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "services" / "monitoring" / "src"
DOMAIN = SRC / "monitoring" / "core" / "domain"
LEFT_OUT = {"__init__.py", "commands.py", "errors.py", "events.py", "totals.py"}
#: the shared library every compiled module of the domain loads, inside the package
GROUP = "monitoring.core.domain.compiled"


def sources() -> list[Path]:
    return sorted(p for p in DOMAIN.glob("*.py") if p.name not in LEFT_OUT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build-dir", default=str(ROOT / ".local" / "mypyc"))
    args = parser.parse_args()
    build = Path(args.build_dir).resolve()
    build.mkdir(parents=True, exist_ok=True)
    os.chdir(SRC)  # module names follow the paths, and --inplace writes beside them
    files = sources()
    paths = [str(p.relative_to(SRC)) for p in files]
    for suffix in EXTENSION_SUFFIXES:  # those of before (the package refuses stale ones)
        for compiled in DOMAIN.glob(f"*{suffix}"):
            compiled.unlink()
    sys.path.insert(0, str(SRC))  # the sources, installed or not (the image's build stage)
    from monitoring.core.domain import MANIFEST, source_hash

    (DOMAIN / MANIFEST).unlink(missing_ok=True)
    hashes = {p.stem: source_hash(p) for p in files}  # what the import checks
    extensions = mypycify(
        [*paths, "--config-file", str(ROOT / "pyproject.toml")],
        target_dir=str(build / "c"),
        group_name=GROUP,
    )
    setup(
        name="monitoring-domain-compiled",
        ext_modules=extensions,
        script_args=[
            "-q",
            "build_ext",
            "--inplace",
            "--build-temp",
            str(build / "temp"),
            "--build-lib",
            str(build / "lib"),
        ],
    )
    (DOMAIN / MANIFEST).write_text(json.dumps(hashes, indent=1, sort_keys=True) + "\n")
    sys.stderr.write(f"compiled {len(paths)} modules of monitoring's domain\n")


if __name__ == "__main__":
    main()
