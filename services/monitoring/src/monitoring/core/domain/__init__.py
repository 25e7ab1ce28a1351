"""Monitoring's domain: pure Python, no I/O. Its modules may be compiled to extension
modules (scripts/compile_domain.py, `make compile`), which Python then imports instead of
the sources. The compiler writes down the hash of each source it compiled (MANIFEST); a
compiled module whose source differs now is refused here, so an edited domain never runs
stale code."""

from __future__ import annotations

import hashlib
import json
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

MANIFEST = "compiled.json"


def source_hash(source: Path) -> str:
    return hashlib.sha256(source.read_bytes()).hexdigest()


def stale_modules(here: Path = Path(__file__).parent) -> list[str]:
    """The domain's compiled modules whose source is not the one they were compiled from."""
    manifest = here / MANIFEST
    compiled_from = json.loads(manifest.read_text()) if manifest.exists() else {}
    stale = []
    for suffix in EXTENSION_SUFFIXES:
        for compiled in here.glob(f"*{suffix}"):
            source = here / f"{compiled.name[: -len(suffix)]}.py"
            if source.exists() and compiled_from.get(source.stem) != source_hash(source):
                stale.append(source.stem)
    return sorted(stale)


if _stale := stale_modules():
    raise ImportError(
        f"monitoring's compiled domain was compiled from other sources ({', '.join(_stale)}): "
        "run `make compile` to compile them again, or `make pure` to run the sources"
    )
