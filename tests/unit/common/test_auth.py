"""Tokens carry a partner's credential version; require_standing judges a token against what
a service knows of its partner."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pact_common.auth import Principal, Role, Standing, TokenIssuer, TokenVerifier
from pact_common.auth import require_standing as judge
from pact_common.dev_keys import DEV_JWT_PRIVATE_KEY, DEV_JWT_PUBLIC_KEY
from pact_common.errors import DomainError
from pact_common.vocabulary import PartnerStatus

ACTIVE_ONLY = frozenset({PartnerStatus.ACTIVE})
ISSUER = TokenIssuer(DEV_JWT_PRIVATE_KEY, "iss", "aud", timedelta(minutes=5))
VERIFIER = TokenVerifier(DEV_JWT_PUBLIC_KEY, "iss", "aud")


def partner(version: int = 2) -> Principal:
    return Principal("p-1", Role.PARTNER, "p-1", version)


def test_a_partner_token_carries_its_credential_version_and_the_secretariats_none() -> None:
    assert VERIFIER.verify(ISSUER.issue(partner(7))).credential_version == 7
    secretariat = VERIFIER.verify(ISSUER.issue(Principal("secretariat", Role.SECRETARIAT)))
    assert secretariat.credential_version is None and secretariat.partner_id is None
    with pytest.raises(ValueError, match="credential version"):
        ISSUER.issue(Principal("p-1", Role.PARTNER, "p-1"))


def outcome(principal: Principal, standing: Standing | None) -> tuple[int, str] | None:
    try:
        judge(principal, standing, answered=ACTIVE_ONLY)
    except DomainError as refused:
        assert refused.field == "authorization"
        return refused.status, refused.code
    return None


@pytest.mark.parametrize(
    ("standing", "expected"),
    [
        (Standing(PartnerStatus.ACTIVE, 2), None),
        (Standing(PartnerStatus.ACTIVE, 1), None),  # the service has not heard of a rotation yet
        (Standing(PartnerStatus.ACTIVE, 3), (401, "token_revoked")),
        (None, (403, "unknown_partner")),
        (Standing(PartnerStatus.PENDING, 2), (403, "partner_not_allowed")),
        (Standing(PartnerStatus.SUSPENDED, 3), (403, "partner_not_allowed")),
        (Standing(PartnerStatus.WITHDRAWN, 3), (403, "partner_not_allowed")),
    ],
)
def test_a_partner_token_is_judged_by_what_the_service_knows(
    standing: Standing | None, expected: tuple[int, str] | None
) -> None:
    assert outcome(partner(2), standing) == expected


def test_the_secretariats_token_is_not_a_partners() -> None:
    assert outcome(Principal("secretariat", Role.SECRETARIAT), None) is None


def test_a_verified_token_is_kept_until_it_expires_and_another_signature_is_not_it() -> None:
    now = [0.0]
    verifier = TokenVerifier(DEV_JWT_PUBLIC_KEY, "iss", "aud", remember=2, clock=lambda: now[0])
    token = ISSUER.issue(partner(3))
    first = verifier.verify(token)
    assert verifier.verify(token) is first  # kept: not verified again
    head, body, _ = token.split(".")
    forged = f"{head}.{body}.{'A' * 86}"
    with pytest.raises(DomainError, match="token is not valid"):
        verifier.verify(forged)
    now[0] = 10.0**12  # far past the token's exp
    with pytest.raises(DomainError, match="token has expired"):
        verifier.verify(token)


def test_the_tokens_kept_are_bounded_the_oldest_forgotten_first() -> None:
    verifier = TokenVerifier(DEV_JWT_PUBLIC_KEY, "iss", "aud", remember=2)
    tokens = [ISSUER.issue(partner(v)) for v in (1, 2, 3)]
    principals = [verifier.verify(t) for t in tokens]
    assert [p.credential_version for p in principals] == [1, 2, 3]
    assert verifier.verify(tokens[2]) is principals[2]
    assert verifier.verify(tokens[0]) is not principals[0]  # forgotten, verified again
    assert verifier.verify(tokens[0]) == principals[0]
