"""People's tokens (issue 15): the new claims travel, old tokens still work, odd claims are
refused, the role table is enforced by Principal.require, and the shared dependency keeps
viewers from writing and reporting keys to the progress routes."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

import httpx
import jwt
import pytest
from fastapi import Depends, FastAPI

from pact_common.auth import Principal, Role, TokenIssuer, TokenVerifier, principal_dependency
from pact_common.dev_keys import DEV_JWT_PRIVATE_KEY, DEV_JWT_PUBLIC_KEY
from pact_common.errors import DomainError
from pact_common.http import install_common
from pact_common.permissions import KeyScope, Kind, Permission, UserRole

ISSUER = TokenIssuer(DEV_JWT_PRIVATE_KEY, "iss", "aud", timedelta(minutes=5))
VERIFIER = TokenVerifier(DEV_JWT_PUBLIC_KEY, "iss", "aud")


def user(role: UserRole, partner_id: str | None = "p-1") -> Principal:
    if role.is_secretariat:
        return Principal("usr-a1", Role.SECRETARIAT, user_role=role, email="ann@sec.example")
    return Principal(
        "usr-b2", Role.PARTNER, partner_id, 3, user_role=role, email="bo@acme.example", name="Bo"
    )


PRINCIPALS: dict[Kind, Principal] = {
    **{Kind(r.value): user(r) for r in UserRole},
    Kind.SECRETARIAT_KEY: Principal("secretariat", Role.SECRETARIAT),
    Kind.FULL_KEY: Principal("p-1", Role.PARTNER, "p-1", 1),
    Kind.REPORTING_KEY: Principal("key-1", Role.PARTNER, "p-1", 1, key_scope=KeyScope.REPORTING),
}

A, OF, C, R = "admin", "officer", "coordinator", "reporter"
S, F, K = "secretariat key", "full key", "reporting key"
#: the issue's table, written out once more by hand: who may
EXPECTED = {
    Permission.MANAGE_PARTNERS: {A, OF, S},
    Permission.MANAGE_TARGETS: {A, OF, S},
    Permission.MANAGE_SECRETARIAT_USERS: {A, S},
    Permission.MANAGE_ORGANISATION: {A, OF, S, C, F},
    Permission.MANAGE_COLLEAGUES: {A, S, C},
    Permission.PLEDGE: {A, OF, S, C, R, F},
    Permission.REPORT_PROGRESS: {A, OF, S, C, R, F, K},
    Permission.ACKNOWLEDGE_ALERTS: {A, OF, S, C, R, F},
    Permission.SILENCE_ALERTS: {A, OF, S, C, R, F},
}


def test_every_principal_survives_the_round_trip_through_a_token() -> None:
    for kind, principal in PRINCIPALS.items():
        back = VERIFIER.verify(ISSUER.issue(principal))
        assert back == principal, kind
        assert back.kind is kind


def test_a_token_of_before_issue_15_is_a_machines_and_its_actor_is_its_subject() -> None:
    claims = jwt.decode(
        ISSUER.issue(PRINCIPALS[Kind.FULL_KEY]), options={"verify_signature": False}
    )
    assert set(claims) == {"sub", "role", "iss", "aud", "iat", "exp"} | {
        "partner_id",
        "credential_version",
    }
    old = VERIFIER.verify(ISSUER.issue(PRINCIPALS[Kind.FULL_KEY]))
    assert old.user_role is None and old.key_scope is None and old.actor == "p-1"


def test_a_persons_token_names_the_person_as_the_actor() -> None:
    principal = Principal(
        "usr-b2", Role.PARTNER, "p-1", 3, user_role=UserRole.REPORTER, email="bo@acme.example",
        name="Bo", auth_time=1_700_000_000,
    )  # fmt: skip
    claims = jwt.decode(ISSUER.issue(principal), options={"verify_signature": False})
    assert claims["user_role"] == "reporter" and claims["email"] == "bo@acme.example"
    assert claims["name"] == "Bo" and claims["auth_time"] == 1_700_000_000
    back = VERIFIER.verify(ISSUER.issue(principal))
    assert back.actor == "bo@acme.example" and back.auth_time == 1_700_000_000


def _signed(**claims: Any) -> str:
    base = {"sub": "usr-1", "iss": "iss", "aud": "aud", "exp": 4_000_000_000}
    return jwt.encode(base | claims, DEV_JWT_PRIVATE_KEY, algorithm="EdDSA")


PARTNER_CLAIMS = {"role": "partner", "partner_id": "p-1", "credential_version": 1}


@pytest.mark.parametrize(
    "claims",
    [
        {"role": "secretariat", "user_role": "superuser"},
        {"role": "secretariat", "user_role": "coordinator"},
        {**PARTNER_CLAIMS, "user_role": "admin"},
        {"role": "secretariat", "scope": "reporting"},
        {**PARTNER_CLAIMS, "scope": "everything"},
        {**PARTNER_CLAIMS, "scope": "reporting", "user_role": "viewer"},
        {**PARTNER_CLAIMS, "user_role": "viewer", "auth_time": "1700000000"},
        {**PARTNER_CLAIMS, "user_role": "viewer", "email": 7},
    ],
)
def test_a_token_with_odd_new_claims_is_refused(claims: dict[str, Any]) -> None:
    with pytest.raises(DomainError) as refused:
        VERIFIER.verify(_signed(**claims))
    assert (refused.value.status, refused.value.field) == (401, "authorization")


@pytest.mark.parametrize("permission", list(Permission))
def test_each_kind_of_principal_holds_what_the_table_says(permission: Permission) -> None:
    for kind, principal in PRINCIPALS.items():
        try:
            principal.require(permission)
            allowed = True
        except DomainError as refused:
            assert (refused.status, refused.code, refused.field) == (
                403,
                "role_not_allowed",
                "authorization",
            )
            assert f" {kind.value} may not {permission.value}" in refused.message
            allowed = False
        assert allowed is (kind.value in EXPECTED[permission]), (kind, permission)


def test_the_refusal_names_the_role_and_the_action() -> None:
    with pytest.raises(DomainError, match="a viewer may not pledge, amend or withdraw"):
        PRINCIPALS[Kind.VIEWER].require(Permission.PLEDGE)


Guarded = Annotated[Principal, Depends(principal_dependency(lambda _: VERIFIER))]
Own = Annotated[Principal, Depends(principal_dependency(lambda _: VERIFIER, guarded=False))]


def _app() -> FastAPI:
    app = FastAPI()
    install_common(app, 10_000)

    @app.api_route("/commitments", methods=["GET", "POST"])
    async def commitments(p: Guarded) -> str:
        return p.kind.value

    @app.api_route("/progress", methods=["GET", "POST"])
    async def progress(p: Guarded) -> str:
        return p.kind.value

    @app.post("/users/me/totp")
    async def totp(p: Own) -> str:
        return p.kind.value

    return app


async def test_viewers_only_read_and_reporting_keys_only_reach_the_progress_routes() -> None:
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:

        async def status(kind: Kind, method: str, path: str) -> int:
            token = ISSUER.issue(PRINCIPALS[kind])
            answer = await client.request(
                method, path, headers={"Authorization": f"Bearer {token}"}
            )
            if answer.status_code == 403:
                assert answer.json()["error"]["code"] == "role_not_allowed"
                assert answer.json()["error"]["field"] == "authorization"
            return answer.status_code

        assert await status(Kind.VIEWER, "GET", "/commitments") == 200
        assert await status(Kind.VIEWER, "POST", "/commitments") == 403
        assert await status(Kind.VIEWER, "POST", "/progress") == 403
        assert await status(Kind.VIEWER, "POST", "/users/me/totp") == 200
        assert await status(Kind.REPORTER, "POST", "/commitments") == 200
        assert await status(Kind.REPORTING_KEY, "POST", "/progress") == 200
        assert await status(Kind.REPORTING_KEY, "GET", "/progress") == 200
        assert await status(Kind.REPORTING_KEY, "GET", "/commitments") == 403
        assert await status(Kind.FULL_KEY, "POST", "/commitments") == 200
