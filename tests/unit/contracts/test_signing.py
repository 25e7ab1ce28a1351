"""Partners sign progress reports in one call; any change to the report breaks the signature."""

from __future__ import annotations

import json

from pact_contracts import ProgressReported
from pact_contracts.signing import (
    SIGNATURE_HEADER,
    canonical_json,
    new_key_pair,
    signed_message,
    verify,
)
from tests.support.examples import PROGRESS_WIRE_FORM


def test_signed_reports_verify_and_tampering_does_not() -> None:
    private, public = new_key_pair()
    report = ProgressReported.model_validate(PROGRESS_WIRE_FORM)
    value, headers = signed_message(report, private)
    signature = dict(headers)[SIGNATURE_HEADER].decode()
    document = json.loads(value)
    assert verify(document, signature, public)
    # The canonical form does not depend on key order or white space.
    reordered = json.loads(json.dumps(dict(reversed(list(document.items()))), indent=2))
    assert verify(reordered, signature, public)
    assert not verify(document | {"people_trained": 121}, signature, public)
    assert not verify(document, signature, new_key_pair()[1])
    assert not verify(document, "not base64!", public)
    assert not verify(document, signature, "short")


def test_canonical_json_is_sorted_and_compact() -> None:
    assert (
        canonical_json({"b": 1, "a": {"d": 2, "c": "é"}}) == '{"a":{"c":"é","d":2},"b":1}'.encode()
    )
