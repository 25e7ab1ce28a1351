from __future__ import annotations

from pact_common.versions import is_newer


def test_anything_is_newer_than_nothing() -> None:
    assert is_newer(1, None)


def test_only_a_higher_version_is_newer() -> None:
    assert is_newer(3, 2)
    assert not is_newer(2, 2)  # a duplicate
    assert not is_newer(1, 2)  # a late, older event
