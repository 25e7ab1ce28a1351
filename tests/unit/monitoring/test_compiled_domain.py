"""The domain may run compiled (scripts/compile_domain.py); a compiled module whose source
changed since is refused at import, so edited sources never run stale code."""

from __future__ import annotations

import json
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import monitoring.core.domain.years
from monitoring.core.domain import MANIFEST, source_hash, stale_modules

DOMAIN = Path(monitoring.core.domain.__file__).parent


def test_a_compiled_module_is_stale_once_its_source_differs(tmp_path: Path) -> None:
    for name in ("years", "buckets", "rules"):
        (tmp_path / f"{name}.py").write_text(f"# {name}\n")
    for name in ("years", "buckets"):  # rules is not compiled
        (tmp_path / f"{name}{EXTENSION_SUFFIXES[0]}").write_bytes(b"")
    hashes = {n: source_hash(tmp_path / f"{n}.py") for n in ("years", "buckets")}
    (tmp_path / MANIFEST).write_text(json.dumps(hashes))
    assert stale_modules(tmp_path) == []
    (tmp_path / "years.py").write_text("# years, edited\n")
    (tmp_path / "rules.py").write_text("# rules, edited: runs as source\n")
    assert stale_modules(tmp_path) == ["years"]
    (tmp_path / MANIFEST).unlink()  # compiled by hand, nothing written down
    assert stale_modules(tmp_path) == ["buckets", "years"]


def test_the_domain_runs_what_was_compiled_or_its_sources() -> None:
    """With a manifest (`make` compiles the domain), the hot modules are extension modules;
    without one (`make pure`), sources."""
    compiled = (DOMAIN / MANIFEST).exists()
    loaded_from = Path(monitoring.core.domain.years.__file__ or "").name
    print(f"\nmonitoring.core.domain.years from {loaded_from}")
    assert loaded_from.endswith(EXTENSION_SUFFIXES[0] if compiled else ".py")
