"""Offline validation against the third-party JSON schemas in tests/data/schemas.

The schemas are Draft 7 documents whose every ``$ref`` points inside the same file
(``#/definitions/...``). Validation goes through a ``referencing.Registry`` that holds
only these files and whose ``retrieve`` refuses everything, so a ``$ref`` that would need
the network fails loudly instead of being fetched.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator, ValidationError  # type: ignore[import-untyped]
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource
from referencing.jsonschema import DRAFT7

SCHEMAS_DIR = Path(__file__).resolve().parent.parent / "data" / "schemas"

COMPOSE_SCHEMA = "compose-spec.json"
ASYNCAPI_SCHEMAS = {"3.0.0": "asyncapi-3.0.0.json", "2.6.0": "asyncapi-2.6.0.json"}


def _no_network(uri: str) -> Resource[Any]:
    raise NoSuchResource(uri)


@cache
def load_schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMAS_DIR / name).read_text(encoding="utf-8"))
    # All three files declare Draft 7 (compose-spec spells it with https and no '#',
    # which jsonschema's validator_for does not recognise, hence the explicit choice).
    declared = schema.get("$schema", "")
    if "draft-07" not in declared:
        raise RuntimeError(f"{name}: expected a Draft 7 schema, got $schema={declared!r}")
    return schema


@cache
def _registry() -> Registry[Any]:
    resources = [
        (f"urn:pact-tests:{name}", DRAFT7.create_resource(load_schema(name)))
        for name in (COMPOSE_SCHEMA, *ASYNCAPI_SCHEMAS.values())
    ]
    return Registry(retrieve=_no_network).with_resources(resources)  # type: ignore[call-arg]


@cache
def validator(name: str) -> Draft7Validator:
    schema = load_schema(name)
    Draft7Validator.check_schema(schema)
    return Draft7Validator(schema, registry=_registry())


def _raise_best(v: Draft7Validator, document: Any) -> None:
    errors = list(v.iter_errors(document))
    if errors:
        from jsonschema.exceptions import best_match  # type: ignore[import-untyped]

        raise best_match(errors)


def validate_compose(document: dict[str, Any]) -> None:
    """Raise jsonschema.ValidationError unless ``document`` is a valid Compose file."""
    _raise_best(validator(COMPOSE_SCHEMA), document)


def validate_asyncapi(document: dict[str, Any]) -> None:
    """Raise jsonschema.ValidationError unless ``document`` is a valid AsyncAPI 3.0.0 or
    2.6.0 document (chosen by its ``asyncapi`` field)."""
    version = document.get("asyncapi") if isinstance(document, dict) else None
    name = ASYNCAPI_SCHEMAS.get(version) if isinstance(version, str) else None
    if name is None:
        raise ValidationError(
            f"unsupported AsyncAPI version {version!r}; known: {sorted(ASYNCAPI_SCHEMAS)}",
            validator="const",
            path=["asyncapi"],
            instance=version,
        )
    _raise_best(validator(name), document)
