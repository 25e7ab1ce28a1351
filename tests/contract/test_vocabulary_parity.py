"""Every domain enum that mirrors a contract enum has the same values, so a value added to
the contract (or to a service) without the other fails here, not on the first message."""

from __future__ import annotations

import importlib
import pkgutil
from enum import Enum

import pytest

from pact_contracts import alerts, progress, vocabulary

SERVICES = ("registry", "commitments", "monitoring")

#: "<service>:<enum>" (wherever it lives in the service's domain) -> the contract enum it mirrors
MIRRORS: dict[str, type[Enum]] = {
    "registry:Status": vocabulary.PartnerStatus,
    "commitments:PartnerStatus": vocabulary.PartnerStatus,
    "commitments:CommitmentStatus": vocabulary.CommitmentStatus,
    "monitoring:CommitmentStatus": vocabulary.CommitmentStatus,
    "monitoring:PartnerStatus": vocabulary.PartnerStatus,
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
}


def _domain_enums() -> dict[str, list[type[Enum]]]:
    """Every enum defined in a domain package of a service, by "<service>:<name>"."""
    found: dict[str, list[type[Enum]]] = {}
    for service in SERVICES:
        root = importlib.import_module(service)
        for info in pkgutil.walk_packages(root.__path__, f"{service}."):
            if ".domain" not in info.name:
                continue
            for name, value in vars(importlib.import_module(info.name)).items():
                defined_here = getattr(value, "__module__", None) == info.name
                if defined_here and isinstance(value, type) and issubclass(value, Enum):
                    found.setdefault(f"{service}:{name}", []).append(value)
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
