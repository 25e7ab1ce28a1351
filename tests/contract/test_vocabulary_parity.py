"""Every domain enum that mirrors a contract enum has the same values, so a value added to
the contract (or to a service) without the other fails here, not on the first message."""

from __future__ import annotations

import importlib
import pkgutil
from enum import Enum

import pytest

from pact_contracts import alerts, progress, vocabulary

#: (the service's enum, as "module:Name") -> the contract enum it mirrors
MIRRORS: dict[str, type[Enum]] = {
    "registry.domain.model:Status": vocabulary.PartnerStatus,
    "commitments.domain.partners:PartnerStatus": vocabulary.PartnerStatus,
    "commitments.domain.model:CommitmentStatus": vocabulary.CommitmentStatus,
    "monitoring.core.domain.model:CommitmentStatus": vocabulary.CommitmentStatus,
    "monitoring.core.domain.model:Metric": vocabulary.Metric,
    "monitoring.core.domain.periods:Cadence": vocabulary.Cadence,
    "monitoring.core.domain.rules:Rule": alerts.AlertRule,
    "monitoring.core.domain.rules:Severity": alerts.Severity,
    "monitoring.core.domain.rules:SubjectType": alerts.SubjectType,
    "monitoring.core.domain.acceptance:Reason": progress.RejectionReason,
}

#: Domain enums that share values with a contract enum but say something else (with why)
NOT_MIRRORS = {
    "monitoring.core.domain.figures:Kind": "how a figure is stored (money in whole cents)",
}


def _enum(dotted: str) -> type[Enum]:
    module, name = dotted.split(":")
    found: type[Enum] = getattr(importlib.import_module(module), name)
    return found


@pytest.mark.parametrize("dotted", sorted(MIRRORS))
def test_domain_enum_has_the_contract_values(dotted: str) -> None:
    domain, contract = _enum(dotted), MIRRORS[dotted]
    assert {m.value for m in domain} == {m.value for m in contract}
    assert {m.name for m in domain} == {m.name for m in contract}


def _domain_enums() -> dict[str, type[Enum]]:
    found: dict[str, type[Enum]] = {}
    for package in ("registry", "commitments", "monitoring"):
        root = importlib.import_module(package)
        for info in pkgutil.walk_packages(root.__path__, f"{package}."):
            if ".domain" not in info.name:
                continue
            module = importlib.import_module(info.name)
            for name, value in vars(module).items():
                defined_here = getattr(value, "__module__", None) == info.name
                if defined_here and isinstance(value, type) and issubclass(value, Enum):
                    found[f"{info.name}:{name}"] = value
    return found


def test_every_domain_enum_that_repeats_a_contract_enum_is_checked() -> None:
    contract_enums = [
        e
        for module in (alerts, progress, vocabulary)
        for e in vars(module).values()
        if isinstance(e, type) and issubclass(e, Enum) and e is not Enum
    ]
    repeating = {
        dotted
        for dotted, domain in _domain_enums().items()
        if any(len({m.value for m in domain} & {m.value for m in c}) >= 2 for c in contract_enums)
    }
    assert repeating - set(MIRRORS) - set(NOT_MIRRORS) == set()
