"""Every domain enum that mirrors a contract enum has the same values, so a value added to
the contract (or to a service) without the other fails here, not on the first message.
The statuses the services share are declared once, in pact_common.vocabulary, and checked
there."""

from __future__ import annotations

import importlib
import pkgutil
from enum import Enum

import pytest

from pact_contracts import alerts, progress, vocabulary

SERVICES = ("registry", "commitments", "monitoring")
SHARED = "pact_common.vocabulary"

#: "<service>:<enum>" (wherever it lives in the service's domain, or "common:<enum>" for
#: pact_common.vocabulary) -> the contract enum it mirrors
MIRRORS: dict[str, type[Enum]] = {
    "common:PartnerStatus": vocabulary.PartnerStatus,
    "common:CommitmentStatus": vocabulary.CommitmentStatus,
    "monitoring:Metric": vocabulary.Metric,
    "monitoring:Cadence": vocabulary.Cadence,
    "monitoring:Rule": alerts.AlertRule,
    "monitoring:Severity": alerts.Severity,
    "monitoring:SubjectType": alerts.SubjectType,
    "monitoring:Reason": progress.RejectionReason,
}

#: Domain enums that share values with a contract enum but say something else (with why)
NOT_MIRRORS = {
    "monitoring:Kind": "how a figure is stored (money in whole cents)",
    "monitoring:SilenceState": "where a silence is in its time (pending, active, expired): "
    "a silence is the platform's own, on no topic",
}


def _domain_modules() -> list[tuple[str, str]]:
    """(key prefix, module) of every module of a service's domain, and the shared one."""
    modules = [("common", SHARED)]
    for service in SERVICES:
        root = importlib.import_module(service)
        for info in pkgutil.walk_packages(root.__path__, f"{service}."):
            if ".domain" in info.name:
                modules.append((service, info.name))
    return modules


def _domain_enums() -> dict[str, list[type[Enum]]]:
    """Every enum defined in a domain package of a service, by "<service>:<name>", and
    every shared one, by "common:<name>"."""
    found: dict[str, list[type[Enum]]] = {}
    for prefix, module in _domain_modules():
        for name, value in vars(importlib.import_module(module)).items():
            defined_here = getattr(value, "__module__", None) == module
            if defined_here and isinstance(value, type) and issubclass(value, Enum):
                found.setdefault(f"{prefix}:{name}", []).append(value)
    return found


@pytest.mark.parametrize("key", sorted(MIRRORS))
def test_domain_enum_has_the_contract_values(key: str) -> None:
    domains, contract = _domain_enums().get(key, []), MIRRORS[key]
    assert domains, f"no domain enum {key}"
    for domain in domains:
        assert {m.value for m in domain} == {m.value for m in contract}
        assert {m.name for m in domain} == {m.name for m in contract}


def test_every_domain_enum_that_repeats_a_contract_enum_is_checked() -> None:
    contract_enums = [
        e
        for module in (alerts, progress, vocabulary)
        for e in vars(module).values()
        if isinstance(e, type) and issubclass(e, Enum) and e is not Enum
    ]
    repeating = {
        key
        for key, domains in _domain_enums().items()
        for domain in domains
        if any(len({m.value for m in domain} & {m.value for m in c}) >= 2 for c in contract_enums)
    }
    assert repeating - set(MIRRORS) - set(NOT_MIRRORS) == set()
