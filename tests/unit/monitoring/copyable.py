"""The fakes copy their store to roll a unit of work back. When the domain is compiled
(scripts/compile_domain.py), its frozen dataclasses are native classes whose copy goes through
the frozen `__setattr__`; here every domain dataclass is copied field by field instead,
which is what `copy.deepcopy` does for the pure-Python classes."""

from __future__ import annotations

import copyreg
import importlib
import pkgutil
from dataclasses import fields, is_dataclass
from typing import Any

import monitoring.core.domain


def _rebuild(cls: Any, state: dict[str, Any]) -> Any:
    made = cls.__new__(cls)
    for name, value in state.items():
        object.__setattr__(made, name, value)
    return made


def _reduce(obj: Any) -> tuple[Any, tuple[type[Any], dict[str, Any]]]:
    return _rebuild, (type(obj), {f.name: getattr(obj, f.name) for f in fields(obj)})


def register() -> None:
    package = monitoring.core.domain
    for info in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, type) and is_dataclass(value) and value.__module__ == info.name:
                copyreg.pickle(value, _reduce)


register()
