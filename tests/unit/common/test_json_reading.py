"""Reading messages with orjson (pact_common.consuming.read_json) reads every text as the
hooked json reader (`loads`) does: the same document, the same types and key order, or the
same refusal with the same message; and `decode` gives the same verdict as before."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, TypeAdapter

from pact_common import consuming
from pact_common.consuming import Decoded, Undecodable, decode, loads, read_json
from pact_contracts import ProgressReported

PROPERTIES = settings(max_examples=400, deadline=None, derandomize=True)


def outcome(read: Any, value: bytes) -> tuple[str, Any]:
    """What a reader makes of `value`: ("ok", the document with its types spelled out) or
    (exception type, message)."""
    try:
        return "ok", spelled(read(value))
    except (ValueError, RecursionError) as exc:
        return type(exc).__name__, str(exc)


def spelled(value: Any) -> Any:
    """The value with every type and key order visible (1 and 1.0, 0.0 and -0.0 differ)."""
    if isinstance(value, dict):
        return ("dict", [(k, spelled(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [spelled(v) for v in value])
    if isinstance(value, float):
        return ("float", value.hex())
    return (type(value).__name__, value)


def reference(value: bytes) -> Any:
    return loads(value.decode("utf-8"))


def assert_read_alike(value: bytes) -> None:
    assert outcome(read_json, value) == outcome(reference, value), value[:200]


SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
    | st.sampled_from(["a:b", ":", "é:ü", "\u2028", "\x00", "1e-05", '"', "\\"])
)
KEYS = st.text(max_size=8) | st.sampled_from(["a", "b", "a:", ":", "people_trained"])
DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=5),
    max_leaves=20,
)


@st.composite
def texts(draw: st.DrawFn) -> bytes:
    """JSON as senders write it (compact, spaced, indented, escaped or not), then perhaps
    bent: a name given twice, a colon written as an escape, a number made long or not
    finite, a lone surrogate, a byte order mark."""
    document = draw(DOCUMENTS)
    text = json.dumps(
        document,
        ensure_ascii=draw(st.booleans()),
        indent=draw(st.sampled_from([None, 0, 2])),
        separators=draw(st.sampled_from([None, (",", ":"), (", ", " : ")])),
    )
    bend = draw(st.sampled_from(["none", "twice", "escape", "number", "raw", "splice"]))
    if bend == "twice" and text.startswith("{") and len(text) > 2:
        name = json.dumps(draw(KEYS))
        text = "{" + f"{name}:1," + text[1:-1] + ("," if text != "{}" else "") + f"{name}:2}}"
        text = text.replace(",}", "}")
    elif bend == "escape":
        text = text.replace(":", draw(st.sampled_from(["\\u003a", "\\u003A"])), 1)
    elif bend == "number":
        text = text.replace("1", draw(st.sampled_from(["1" * 19, "NaN", "1e400", "-0"])), 1)
    elif bend == "raw":
        text = draw(st.sampled_from(['"\\ud800"', "\ufeff{}", '{"a":1,"a":1}', "[" * 200]))
    elif bend == "splice":
        cut = draw(st.integers(min_value=0, max_value=len(text)))
        text = text[:cut] + draw(st.sampled_from(["", ",", "]", '"', ":", "}"])) + text[cut:]
    return text.encode("utf-8", "surrogatepass")


@PROPERTIES
@given(texts())
def test_orjson_reads_every_text_as_json_does(value: bytes) -> None:
    try:
        value.decode("utf-8")
    except UnicodeDecodeError:
        return  # decode refuses it before it is read (a lone surrogate spelled in UTF-8)
    assert_read_alike(value)


@pytest.mark.parametrize(
    "value",
    [
        b'{"a":1,"a":2}',
        b'{"a":{"b":1,"b":1}}',
        b'{"a:":1,"a":1,"a":2}',  # a colon in a name
        b'{"t":"12:30","a":1,"a":2}',  # a colon in a value
        b'{"t":"12\\u003a30","a":1,"a":2}',  # ...spelled as an escape: one colon fewer in the text
        b'{"t":"12\\u003A30","a":1}',
        b'{"n":18446744073709551615}',  # 64 bits: orjson keeps the integer
        b'{"n":18446744073709551616}',  # 65: orjson would make it a float
        b'{"n":-9223372036854775809}',
        b'{"n":1234567890123456789.5}',
        b'{"n":' + b"9" * 5_000 + b"}",  # beyond Python's digits for an int
        b'{"n":NaN}',
        b'{"n":-Infinity}',
        b'{"n":1e400}',
        b'{"n":1e-400}',
        b'{"n":-0}',
        b'{"n":-0.0}',
        b'{"n":1E2}',
        b'{"s":"\\ud800"}',
        b'{"s":"\\udc00x"}',
        b'{"s":"\\ud83d\\ude00"}',
        b"\xef\xbb\xbf{}",
        b"[" * 129 + b"]" * 129,
        b"[" * 128 + b"]" * 128,
        b"[" * 1_000 + b"]" * 1_000,  # within orjson's depth, past json's stack
        b'{"a":' * 1_020 + b"1" + b"}" * 1_020,
        b"[" * 30_000 + b"]" * 30_000,
        b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
        b'"\x01"',
        b"\x0c{}",
        b"",
        b"42",
        b"null",
        b'{"a":1} x',
    ],
)
def test_what_json_readers_disagree_on_is_read_as_before(value: bytes) -> None:
    assert_read_alike(value)


class Small(BaseModel):
    model_config = ConfigDict(extra="forbid")
    n: int
    x: float | None = None
    t: str | None = None


ADAPTER = TypeAdapter(Small)


def decode_before(value: bytes) -> Decoded[Small] | Undecodable:
    """decode as it was: json and its hooks read every message."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(consuming, "_plain", lambda value: consuming._NOT_PLAIN)
        return decode(ADAPTER, value, 1_000)


SMALL = st.fixed_dictionaries(
    {"n": st.integers(min_value=-(2**66), max_value=2**66) | st.floats() | st.text()},
    optional={"x": st.floats(), "t": st.text(), "u": st.none()},
)


@PROPERTIES
@given(SMALL, st.sampled_from(["none", "twice"]))
def test_decode_gives_the_verdict_it_gave(document: dict[str, Any], bend: str) -> None:
    text = json.dumps(document, ensure_ascii=False)
    if bend == "twice":
        text = text.replace("{", '{"n":0,', 1)
    value = text.encode("utf-8", "surrogatepass")
    assert decode(ADAPTER, value, 1_000) == decode_before(value)


def test_a_report_is_read_by_orjson() -> None:
    value = ProgressReported(
        producer="acme-lms",
        partner_id="p-1",
        commitment_id="c-1",
        period="2026-Q1",
        people_trained=10,
        by_country={"DE": 10},
        investment_eur=1.5,
    ).to_bytes()
    assert consuming._plain(value) == json.loads(value)


def test_floats_read_to_the_same_double() -> None:
    for text in ("0.1", "1e2", "2.2250738585072014e-308", "4.9e-324", "1.7976931348623157e308"):
        (number,) = read_json(f"[{text}]".encode())
        assert number == float(text) and math.copysign(1, number) == 1
