"""Who may call what: every endpoint of every service, called by every kind of caller,
answers the status in the table below, and that status is one its OpenAPI document promises.

The endpoints are enumerated from each app (`app.openapi()` plus the documentation routes),
so an endpoint added without a line in the table fails `test_every_endpoint_has_an_expectation`.

The state is real: every service runs in-process in ONE topic namespace; partners register
and the secretariat approves (and suspends) them through the registry, whose partner events
reach commitments and monitoring over Kafka; commitments are pledged over HTTP and reach
monitoring the same way.

Callers (the columns):
  none        no Authorization header
  expired     a secretariat token, correctly signed, expired two hours ago
  bad sig     a secretariat token signed with a freshly generated Ed25519 key
  other       an active partner acting on partner A's resources
  withdrawn   a withdrawn partner, with the token it got before, acting on its own resources
  suspended   a suspended partner, with the token it got before, on its own resources
  pending     a partner never approved, on its own registration and on partner A's
              commitments and alerts (it can have none of its own)
  partner     partner A (active) acting on its own resources
  secretariat the secretariat acting on partner A's resources

Requests are the ones the secretariat or the owner would succeed with (a pending partner
to approve, a fresh commitment to withdraw, ...), so a refusal means the caller was refused,
not that the request was wrong. Destructive calls get resources of their own. The changes a
token alone may not make (STEP_UP) carry the caller's current API key in X-Api-Key, as the
owner and the secretariat would send it; test_step_up_* shows them refused without it.

A token issued before its partner's key was rotated is refused (401) by every protected
endpoint of every service: test_a_token_from_before_a_key_rotation_is_refused_everywhere.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest

from pact_common.dev_keys import DEV_ADMIN_API_KEY
from tests.security.services import (
    BY_NAME,
    DIGITAL,
    SERVICES,
    Endpoint,
    Running,
    documented,
    endpoints,
    pledge_body,
    running,
)
from tests.support import auth
from tests.support.kafka import wait_until
from tests.support.registry import registration

pytestmark = pytest.mark.integration

COLUMNS = (
    "none", "expired", "bad sig", "other", "withdrawn", "suspended", "pending", "partner",
    "secretariat",
)  # fmt: skip

# Answered to anyone, whatever Authorization header comes with the request (even a forged one).
COMMON_PUBLIC: dict[Endpoint, int] = {
    "GET /health": 200,
    "GET /ready": 200,
    "GET /metrics": 200,
    "GET /asyncapi.json": 200,
    "GET /openapi.json": 200,
    "GET /docs": 200,
    "GET /docs/oauth2-redirect": 200,
    "GET /redoc": 200,
}
PUBLIC: dict[str, dict[Endpoint, int]] = {
    "registry": {
        "POST /partners": 201,
        "GET /partnerships": 200,
        "POST /auth/token": 200,
        "GET /auth/public-key": 200,
        # people's accounts (issue 15): a person signs in, an organisation's first coordinator
        # comes with its API key, an invitation is its link's to read and accept
        "POST /auth/password": 200,
        "POST /auth/oidc": 404,  # no OpenID Connect provider in this world
        "POST /partners/{partner_id}/users/first": 201,
        "GET /invitations/{token}": 200,
        "POST /invitations/{token}/accept": 201,
    },
    "commitments": {},
    # the open figures (issue 17): anyone's to read, a token neither needed nor looked at
    "monitoring": {"GET /public/figures": 200, "GET /public/figures.csv": 200},
}

# Every service refuses suspended and withdrawn partners everything. A pending partner sees
# to its own registration only: the registry's directory, commitments' targets and others'
# commitments are refused it, its pledge is not yet taken (422 partner_not_active), and
# monitoring answers only the partners its read model knows to be active (and the
# secretariat).
# fmt: off
PROTECTED: dict[str, dict[Endpoint, tuple[int, ...]]] = {
    "registry": {
        #                                     none  exp  sig oth wdrn susp pend own  secr
        "GET /partners":                     (401, 401, 401, 200, 403, 403, 403, 200, 200),
        "GET /partners/{partner_id}":        (401, 401, 401, 200, 403, 403, 200, 200, 200),
        "PATCH /partners/{partner_id}":      (401, 401, 401, 403, 403, 403, 200, 200, 200),
        "GET /partners/{partner_id}/history":
                                             (401, 401, 401, 403, 403, 403, 200, 200, 200),
        "POST /partners/{partner_id}/approve":
                                             (401, 401, 401, 403, 403, 403, 403, 403, 200),
        "POST /partners/{partner_id}/reject":
                                             (401, 401, 401, 403, 403, 403, 403, 403, 200),
        "POST /partners/{partner_id}/suspend":
                                             (401, 401, 401, 403, 403, 403, 403, 403, 200),
        "POST /partners/{partner_id}/reinstate":
                                             (401, 401, 401, 403, 403, 403, 403, 403, 200),
        "POST /partners/{partner_id}/withdraw":
                                             (401, 401, 401, 403, 403, 403, 200, 200, 200),
        "POST /partners/{partner_id}/purge":
                                             (401, 401, 401, 403, 403, 403, 403, 403, 204),
        "POST /partners/{partner_id}/api-key":
                                             (401, 401, 401, 403, 403, 403, 200, 200, 200),
        "POST /partners/{partner_id}/webhook-secret":
                                             (401, 401, 401, 403, 403, 403, 200, 200, 200),
        "POST /partners/{partner_id}/partnerships":
                                             (401, 401, 401, 403, 403, 403, 200, 200, 200),
        "DELETE /partners/{partner_id}/partnerships/{partnership_id}":
                                             (401, 401, 401, 403, 403, 403, 200, 200, 200),
        "POST /partnerships":                (401, 401, 401, 403, 403, 403, 403, 403, 201),
        # people's accounts: every caller here is a machine's key, which is no person (404)
        # and may not manage people (403 role_not_allowed) but for the secretariat's key
        "GET /auth/me":                      (401, 401, 401, 404, 403, 403, 404, 404, 404),
        "POST /users/me/totp":               (401, 401, 401, 404, 403, 403, 404, 404, 404),
        "POST /users/me/totp/confirm":       (401, 401, 401, 404, 403, 403, 404, 404, 404),
        "GET /users/me/notifications":       (401, 401, 401, 404, 403, 403, 404, 404, 404),
        "PUT /users/me/notifications":       (401, 401, 401, 404, 403, 403, 404, 404, 404),
        "POST /invitations":                 (401, 401, 401, 403, 403, 403, 403, 403, 201),
        "GET /users":                        (401, 401, 401, 403, 403, 403, 200, 200, 200),
        "PATCH /users/{user_id}":            (401, 401, 401, 403, 403, 403, 403, 403, 200),
        "POST /partners/{partner_id}/api-keys":
                                             (401, 401, 401, 403, 403, 403, 201, 201, 201),
        "GET /partners/{partner_id}/api-keys":
                                             (401, 401, 401, 403, 403, 403, 200, 200, 200),
        "DELETE /partners/{partner_id}/api-keys/{key_id}":
                                             (401, 401, 401, 403, 403, 403, 204, 204, 204),
    },
    "commitments": {
        #                                     none  exp  sig oth wdrn susp pend own  secr
        "POST /commitments":                 (401, 401, 401, 403, 403, 403, 422, 201, 201),
        "GET /commitments":                  (401, 401, 401, 403, 403, 403, 200, 200, 200),
        "GET /commitments/{commitment_id}":  (401, 401, 401, 403, 403, 403, 403, 200, 200),
        "POST /commitments/{commitment_id}/amendments":
                                             (401, 401, 401, 403, 403, 403, 403, 200, 200),
        "POST /commitments/{commitment_id}/withdraw":
                                             (401, 401, 401, 403, 403, 403, 403, 200, 200),
        "POST /partnership-targets":         (401, 401, 401, 403, 403, 403, 403, 403, 201),
        "GET /partnership-targets":          (401, 401, 401, 200, 403, 403, 403, 200, 200),
        # calls for pledges (issue 17): the secretariat's to publish, every active partner's
        # to read
        "POST /partnership-targets/{target_id}/calls":
                                             (401, 401, 401, 403, 403, 403, 403, 403, 201),
        "GET /calls":                        (401, 401, 401, 200, 403, 403, 403, 200, 200),
    },
    "monitoring": {
        #                                     none  exp  sig oth wdrn susp pend own  secr
        "POST /progress":                    (401, 401, 401, 403, 403, 403, 403, 202, 202),
        "GET /progress/rejections":          (401, 401, 401, 403, 403, 403, 403, 200, 200),
        "GET /progress/waiting":             (401, 401, 401, 403, 403, 403, 403, 200, 200),
        "GET /progress/commitments":         (401, 401, 401, 403, 403, 403, 403, 200, 200),
        "GET /progress/commitments/{commitment_id}":
                                             (401, 401, 401, 403, 403, 403, 403, 200, 200),
        "POST /progress/commitments/{commitment_id}/periods/{period}/correction":
                                             (401, 401, 401, 403, 403, 403, 403, 403, 200),
        "GET /progress/commitments/{commitment_id}/corrections":
                                             (401, 401, 401, 403, 403, 403, 403, 200, 200),
        "GET /progress/partnerships/{partnership_id}":
                                             (401, 401, 401, 200, 403, 403, 403, 200, 200),
        "GET /progress/partnerships/{partnership_id}/series":
                                             (401, 401, 401, 200, 403, 403, 403, 200, 200),
        "GET /progress/partners/{partner_id}":
                                             (401, 401, 401, 403, 403, 403, 403, 200, 200),
        "GET /progress/countries":           (401, 401, 401, 200, 403, 403, 403, 200, 200),
        "GET /progress/countries/{country}": (401, 401, 401, 200, 403, 403, 403, 200, 200),
        "GET /progress/levels":              (401, 401, 401, 200, 403, 403, 403, 200, 200),
        "GET /progress/levels/{level}":      (401, 401, 401, 200, 403, 403, 403, 200, 200),
        "GET /reports/annual":               (401, 401, 401, 200, 403, 403, 403, 200, 200),
        # unique learners (issue 17): a partner's own, and a partnership of 3 or more partners
        "GET /learners/commitments/{commitment_id}":
                                             (401, 401, 401, 403, 403, 403, 403, 200, 200),
        "GET /learners/partners/{partner_id}":
                                             (401, 401, 401, 403, 403, 403, 403, 200, 200),
        "GET /learners/partnerships/{partnership_id}":
                                             (401, 401, 401, 200, 403, 403, 403, 200, 200),
        "GET /alerts":                       (401, 401, 401, 403, 403, 403, 403, 200, 200),
        "GET /alerts/{fingerprint}":         (401, 401, 401, 403, 403, 403, 403, 200, 200),
        "POST /alerts/{fingerprint}/acknowledge":
                                             (401, 401, 401, 403, 403, 403, 403, 200, 200),
        "GET /alerts/deliveries":            (401, 401, 401, 403, 403, 403, 403, 200, 200),
        "POST /alerts/deliveries/{delivery_id}/retry":
                                             (401, 401, 401, 403, 403, 403, 403, 403, 200),
        # silences: another partner's are not found by one (404); its own are forced its own
        "GET /silences":                     (401, 401, 401, 200, 403, 403, 403, 200, 200),
        "POST /silences":                    (401, 401, 401, 201, 403, 403, 403, 201, 201),
        "POST /silences/{silence_id}/expire":
                                             (401, 401, 401, 404, 403, 403, 403, 200, 200),
        # the annual survey (issue 17): a partner's declaration and survey are its own
        "PUT /declarations/{partner_id}/{year}":
                                             (401, 401, 401, 403, 403, 403, 403, 200, 200),
        "GET /declarations/{partner_id}/{year}":
                                             (401, 401, 401, 403, 403, 403, 403, 200, 200),
        "GET /declarations":                 (401, 401, 401, 403, 403, 403, 403, 200, 200),
        "GET /surveys/{partner_id}/{year}":  (401, 401, 401, 403, 403, 403, 403, 200, 200),
        "POST /surveys/{partner_id}/{year}/confirmation":
                                             (401, 401, 401, 403, 403, 403, 403, 201, 201),
    },
}
#: the changes a token alone may not make: the caller's current API key comes beside it
STEP_UP: dict[str, set[Endpoint]] = {
    "registry": {
        "POST /partners/{partner_id}/withdraw",
        "POST /partners/{partner_id}/api-key",
        "POST /partners/{partner_id}/webhook-secret",
        "PATCH /partners/{partner_id}",  # as the table calls it: it sets the webhook URL
        "POST /partners/{partner_id}/api-keys",
    },
    "commitments": set(),
    "monitoring": set(),
}
# fmt: on


def expectations(service: str) -> dict[Endpoint, tuple[int, ...]]:
    table: dict[Endpoint, tuple[int, ...]] = {
        endpoint: (status,) * len(COLUMNS)
        for endpoint, status in (COMMON_PUBLIC | PUBLIC[service]).items()
    }
    return table | PROTECTED[service]


# --- the world the calls are made in --------------------------------------------------------

EXTRA_PARTNERSHIP = "ai-skills"


@dataclass
class Partner:
    id: str
    api_key: str
    headers: dict[str, str]
    commitment: str = ""
    alert: str = ""  # fingerprint of an alert (TargetAchieved) on a second commitment of its own


@dataclass
class Caller:
    column: str
    headers: dict[str, str]
    owner: Partner  # whose resources the call is about
    api_key: str | None = None  # its own current API key, sent where STEP_UP asks for it


@dataclass
class Call:
    path: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    json: Any = None
    headers: dict[str, str] | None = None  # None: the caller's
    api_key: str | None = None  # with `headers`: the API key that goes with them


class World:
    def __init__(self, services: dict[str, Running]) -> None:
        self.services = services
        self.registry = services["registry"].client
        self.secretariat: dict[str, str] = {}
        self.partners: dict[str, Partner] = {}
        self._counter = itertools.count(1)

    def unique(self) -> int:
        return next(self._counter)

    async def new_partner(self, status: str = "active") -> Partner:
        """Registered through the registry, then taken to `status` by the secretariat."""
        name = f"Security Test Org {uuid.uuid4().hex[:8]}"
        body = registration(legal_name=name, vat=None)
        registered = await self.registry.post("/partners", json=body)
        assert registered.status_code == 201, registered.text
        partner_id, api_key = registered.json()["partner_id"], registered.json()["api_key"]
        answer = await self.registry.post("/auth/token", json={"api_key": api_key})
        assert answer.status_code == 200, answer.text
        partner = Partner(partner_id, api_key, auth.bearer(answer.json()["access_token"]))
        steps = {
            "pending": [],
            "active": ["approve"],
            "suspended": ["approve", "suspend"],
            "rejected": ["reject"],
        }
        for action in steps[status]:
            await self.transition(partner.id, action)
        return partner

    async def transition(self, partner_id: str, action: str) -> None:
        step_up = {"X-Api-Key": DEV_ADMIN_API_KEY} if action == "withdraw" else {}
        response = await self.registry.post(
            f"/partners/{partner_id}/{action}",
            json={"reason": f"security test: {action}"},
            headers=self.secretariat | step_up,
        )
        assert response.status_code == 200, response.text

    async def pledge(self, owner: Partner) -> str:
        response = await self.services["commitments"].client.post(
            "/commitments", json=pledge_body(), headers=owner.headers
        )
        assert response.status_code == 201, response.text
        commitment_id: str = response.json()["commitment_id"]
        return commitment_id

    async def known(self, service: str, collection: str, ids: dict[str, str]) -> None:
        """Wait until `service`'s read model holds each id with the given status."""
        db = self.services[service].db

        async def all_there() -> bool:
            for _id, status in ids.items():
                doc = await db[collection].find_one({"_id": _id})
                if doc is None or doc.get("status") != status:
                    return False
            return True

        await wait_until(all_there, timeout=30)

    async def credentials_known(self, partner_id: str, version: int) -> None:
        """Wait until commitments and monitoring know the partner's credential version."""

        async def known() -> bool:
            for service in ("commitments", "monitoring"):
                if service in self.services:
                    doc = await self.services[service].db["partners"].find_one({"_id": partner_id})
                    if doc is None or doc.get("credential_version", 1) < version:
                        return False
            return True

        await wait_until(known, timeout=30)

    async def target_reached(self) -> None:
        """Each partner pledges a second commitment and reports its target reached: monitoring
        fires a TargetAchieved alert about it, which never resolves (and makes that commitment
        achieved, so it is not the one the other calls are about)."""
        reached = {p.id: await self.pledge(p) for p in self.partners.values()}
        await self.known("monitoring", "commitments", dict.fromkeys(reached.values(), "active"))
        await self.known("monitoring", "partners", dict.fromkeys(reached, "active"))  # own topic
        monitoring = self.services["monitoring"]
        for partner in self.partners.values():
            report = (await progress_report(self, Caller("partner", {}, partner))).json
            report["commitment_id"] = reached[partner.id]
            report["people_trained"] = pledge_body()["target_value"]
            answer = await monitoring.client.post("/progress", json=report, headers=partner.headers)
            assert answer.status_code == 202, answer.text
        alerts = monitoring.db["alerts"]

        async def fired() -> bool:
            for partner in self.partners.values():
                query = {"subject_id": reached[partner.id], "rule": "TargetAchieved"}
                doc = await alerts.find_one(query)
                partner.alert = "" if doc is None else doc["_id"]
            return all(p.alert for p in self.partners.values())

        await wait_until(fired, timeout=30)

    async def skipped_delivery(self) -> str:
        """A webhook delivery monitoring skipped (to the withdrawn or the suspended partner),
        which the secretariat may send again. One sent again is held, not skipped, while a
        silence of that partner's alerts lasts, and the calls to POST /silences leave such
        silences: with none skipped, the secretariat ends the withdrawn partner's silences so
        that its held deliveries are tried, and skipped, again (how many deliveries there
        are to skip depends on the date: on 1 January only TargetAchieved had fired)."""
        monitoring = self.services["monitoring"]
        deliveries = monitoring.db["alert_deliveries"]
        found: dict[str, Any] = {}

        async def skipped() -> bool:
            found.update(await deliveries.find_one({"status": "skipped"}) or {})
            return bool(found)

        if not await skipped():
            withdrawn = self.partners["withdrawn"].id
            listed = await monitoring.client.get(
                "/silences", params={"state": "active"}, headers=self.secretariat
            )
            assert listed.status_code == 200, listed.text
            for silence in listed.json()["items"]:
                if silence["matchers"].get("partner_id") == withdrawn:
                    path = f"/silences/{silence['silence_id']}/expire"
                    ended = await monitoring.client.post(path, headers=self.secretariat)
                    assert ended.status_code == 200, ended.text
        await wait_until(skipped, timeout=30)
        delivery_id: str = found["delivery_id"]
        return delivery_id

    async def fresh(self, caller: Caller) -> Caller:
        """The same kind of caller, with a partner of its own (for calls that destroy it)."""
        status = {"partner": "active", "suspended": "suspended", "pending": "pending"}
        partner = await self.new_partner(status[caller.column])
        return replace(caller, headers=partner.headers, owner=partner, api_key=partner.api_key)

    def callers(self) -> list[Caller]:
        a, other, withdrawn, suspended, pending = (
            self.partners[k] for k in ("a", "other", "withdrawn", "suspended", "pending")
        )
        return [
            Caller("none", {}, a),
            Caller("expired", auth.bearer(auth.expired_token(auth.SECRETARIAT)), a),
            Caller("bad sig", auth.bearer(auth.forged_token(auth.SECRETARIAT)), a),
            Caller("other", other.headers, a, other.api_key),
            Caller("withdrawn", withdrawn.headers, withdrawn, withdrawn.api_key),
            Caller("suspended", suspended.headers, suspended, suspended.api_key),
            Caller("pending", pending.headers, pending, pending.api_key),
            Caller("partner", a.headers, a, a.api_key),
            Caller("secretariat", self.secretariat, a, DEV_ADMIN_API_KEY),
        ]


def quarter(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


@pytest.fixture(scope="module")
async def world(infrastructure: None) -> AsyncIterator[World]:
    """Partner A, another partner, a withdrawn and a suspended one (both still holding the
    tokens they got before), each with a commitment of its own, and a pending one; every
    service has learnt of them through Kafka, not through a back door."""
    namespace = f"t{uuid.uuid4().hex[:10]}."
    async with running(namespace) as services:
        w = World(services)
        token = await w.registry.post("/auth/token", json={"api_key": DEV_ADMIN_API_KEY})
        w.secretariat = auth.bearer(token.json()["access_token"])
        created = await w.registry.post(
            "/partnerships",
            json={"id": EXTRA_PARTNERSHIP, "name": "AI skills", "ecosystem": "digital"},
            headers=w.secretariat,
        )
        assert created.status_code == 201, created.text
        for key in ("a", "other", "withdrawn", "suspended"):
            w.partners[key] = await w.new_partner("active")
        await w.known("commitments", "partners", {p.id: "active" for p in w.partners.values()})
        for partner in w.partners.values():
            partner.commitment = await w.pledge(partner)
        if "monitoring" in services:
            await w.target_reached()
        for key, action in (("withdrawn", "withdraw"), ("suspended", "suspend")):
            await w.transition(w.partners[key].id, action)
        final = {
            "a": "active",
            "other": "active",
            "withdrawn": "withdrawn",
            "suspended": "suspended",
        }
        await w.known("commitments", "partners", {w.partners[k].id: s for k, s in final.items()})
        if "monitoring" in services:
            committed = {w.partners[k].commitment: s for k, s in final.items()}
            await w.known("monitoring", "commitments", committed)
            statuses = {w.partners[k].id: s for k, s in final.items()}
            await w.known("monitoring", "partners", statuses)  # the registry's, not via commitments
        pending = w.partners["pending"] = await w.new_partner("pending")
        pending.commitment, pending.alert = w.partners["a"].commitment, w.partners["a"].alert
        await w.known("commitments", "partners", {pending.id: "pending"})
        yield w


# --- how each endpoint is called --------------------------------------------------------------

Builder = Callable[[World, Caller], Awaitable[Call]]


async def own(_: World, c: Caller) -> Call:
    return Call(
        path={
            "partner_id": c.owner.id,
            "commitment_id": c.owner.commitment,
            "fingerprint": c.owner.alert,
        }
    )


def transition_of(status: str) -> Builder:
    """A partner in `status`, for the secretariat to move on (or for others to try)."""

    async def build(w: World, c: Caller) -> Call:
        target = await w.new_partner(status)
        return Call(path={"partner_id": target.id}, json={"reason": "Charter checked"})

    return build


#: the callers acting on themselves, who get a partner of their own for a call that ends it
ON_THEMSELVES = ("partner", "suspended", "pending")


async def withdraw_partner(w: World, c: Caller) -> Call:
    if c.column in ON_THEMSELVES:
        c = await w.fresh(c)  # a partner withdrawing itself: one of its own
        path = {"partner_id": c.owner.id}
        return Call(path=path, json={"reason": "Leaving"}, headers=c.headers, api_key=c.api_key)
    return await transition_of("active")(w, c)


async def rotate_key(w: World, c: Caller) -> Call:
    """A new API key revokes the tokens of before: of a partner of its own (the caller's
    partner's, for the secretariat), so that the callers keep theirs."""
    if c.column in ON_THEMSELVES:
        c = await w.fresh(c)
        return Call(path={"partner_id": c.owner.id}, headers=c.headers, api_key=c.api_key)
    if c.column == "secretariat":
        return Call(path={"partner_id": (await w.new_partner("active")).id})
    return await own(w, c)


async def withdraw_commitment(w: World, c: Caller) -> Call:
    commitment = c.owner.commitment
    if c.column in ("other", "partner", "secretariat"):
        commitment = await w.pledge(c.owner)
    return Call(path={"commitment_id": commitment}, json={"reason": "Programme discontinued"})


async def progress_report(w: World, c: Caller) -> Call:
    report = {
        "partner_id": c.owner.id,
        "commitment_id": c.owner.commitment,
        "period": quarter(datetime.now(UTC).date()),
        "revision": w.unique(),
        "people_trained": 12,
    }
    return Call(json=report)


async def correct_period(w: World, c: Caller) -> Call:
    call = await own(w, c)
    call.path["period"] = quarter(datetime.now(UTC).date())
    call.json = {"reason": f"Corrected ({w.unique()})", "figures": {"people_trained": 7}}
    return call


async def retry_delivery(w: World, c: Caller) -> Call:
    return Call(path={"delivery_id": await w.skipped_delivery()})


def silence_body(w: World, c: Caller) -> dict[str, Any]:
    ends = datetime.now(UTC).replace(year=datetime.now(UTC).year + 1).isoformat()
    return {"matchers": {"partner_id": c.owner.id}, "ends_at": ends, "comment": f"#{w.unique()}"}


async def expire_silence(w: World, c: Caller) -> Call:
    """A silence of the owner's alerts, made by the secretariat, for the caller to end."""
    made = await w.services["monitoring"].client.post(
        "/silences", json=silence_body(w, c), headers=w.secretariat
    )
    assert made.status_code == 201, made.text
    return Call(path={"silence_id": made.json()["silence_id"]})


#: the survey's year: no report of the world's is for it, so its digest holds still
SURVEY_YEAR, DECLARED_YEAR = "2021", "2022"


def declaration_body(w: World, _: Caller) -> dict[str, Any]:
    activities = {"activities": f"Mentoring ({w.unique()})", "count": 3}
    return {"stakeholders_joined_networks": 5, "lifelong_learning": activities}


async def declared(w: World, c: Caller) -> Call:
    """The owner's declaration, made by the secretariat, for the caller to read."""
    path = {"partner_id": c.owner.id, "year": DECLARED_YEAR}
    made = await w.services["monitoring"].client.put(
        f"/declarations/{c.owner.id}/{DECLARED_YEAR}",
        json=declaration_body(w, c),
        headers=w.secretariat,
    )
    assert made.status_code == 200, made.text
    return Call(path=path)


async def confirm_survey(w: World, c: Caller) -> Call:
    """The owner's survey as the secretariat reads it: its digest, for the caller to confirm."""
    read = await w.services["monitoring"].client.get(
        f"/surveys/{c.owner.id}/{SURVEY_YEAR}", headers=w.secretariat
    )
    assert read.status_code == 200, read.text
    path = {"partner_id": c.owner.id, "year": SURVEY_YEAR}
    return Call(path=path, json={"digest": read.json()["digest"]})


async def new_target(w: World, _: Caller) -> Call:
    target = pledge_body(title=f"Target {w.unique()}")
    keep = ("partnership_id", "title", "target_value", "start_date", "deadline")
    return Call(json={k: target[k] for k in keep})


async def call_for_pledges(w: World, _: Caller) -> Call:
    """A target split into cells, set by the secretariat, and a call for one of them."""
    cell = {"level": "advanced", "country": "RO", "value": 100}
    body = (await new_target(w, _)).json | {"cells": [cell]}
    made = await w.services["commitments"].client.post(
        "/partnership-targets", json=body, headers=w.secretariat
    )
    assert made.status_code == 201, made.text
    message = f"Who trains in Romania? ({w.unique()})"
    return Call(
        path={"target_id": made.json()["target_id"]}, json={"message": message, "cells": [cell]}
    )


async def no_request(_: World, __: Caller) -> Call:
    return Call()


def with_body(body: Callable[[World, Caller], Any]) -> Builder:
    async def build(w: World, c: Caller) -> Call:
        call = await own(w, c)
        call.json = body(w, c)
        return call

    return build


REQUESTS: dict[str, dict[Endpoint, Builder]] = {
    "registry": {
        "POST /partners": lambda w, c: _call(
            json=registration(legal_name=f"New Org {uuid.uuid4().hex[:8]}", vat=None)
        ),
        "POST /auth/token": lambda w, c: _token_request(w),
        "PATCH /partners/{partner_id}": with_body(
            lambda w, c: {
                "contact_name": f"Contact {w.unique()}",
                "webhook_url": f"https://hooks.acme-cloud.example/{w.unique()}",
            }
        ),
        "POST /partners/{partner_id}/approve": transition_of("pending"),
        "POST /partners/{partner_id}/reject": transition_of("pending"),
        "POST /partners/{partner_id}/suspend": transition_of("active"),
        "POST /partners/{partner_id}/reinstate": transition_of("suspended"),
        "POST /partners/{partner_id}/withdraw": withdraw_partner,
        "POST /partners/{partner_id}/purge": transition_of("rejected"),
        "POST /partners/{partner_id}/api-key": rotate_key,
        "POST /partners/{partner_id}/partnerships": with_body(
            lambda w, c: {"partnership_id": EXTRA_PARTNERSHIP}
        ),
        "DELETE /partners/{partner_id}/partnerships/{partnership_id}": lambda w, c: _call(
            path={"partner_id": c.owner.id, "partnership_id": EXTRA_PARTNERSHIP}
        ),
        "POST /partnerships": lambda w, c: _call(
            json={"id": f"skills-{w.unique()}", "name": "Skills", "ecosystem": "digital"}
        ),
    },
    "commitments": {
        "POST /commitments": lambda w, c: _call(json=pledge_body(partner_id=c.owner.id)),
        "GET /commitments": lambda w, c: _call(params={"partner": c.owner.id}),
        "POST /commitments/{commitment_id}/amendments": with_body(
            lambda w, c: {"reason": "Scope extended", "target_value": 6000 + w.unique()}
        ),
        "POST /commitments/{commitment_id}/withdraw": withdraw_commitment,
        "POST /partnership-targets": new_target,
        "POST /partnership-targets/{target_id}/calls": call_for_pledges,
    },
    "monitoring": {
        "POST /progress": progress_report,
        "POST /progress/commitments/{commitment_id}/periods/{period}/correction": correct_period,
        "GET /progress/rejections": lambda w, c: _call(params={"partner_id": c.owner.id}),
        "GET /progress/waiting": lambda w, c: _call(params={"partner_id": c.owner.id}),
        "GET /progress/commitments": lambda w, c: _call(params={"partner": c.owner.id}),
        "GET /progress/partnerships/{partnership_id}": lambda w, c: _call(
            path={"partnership_id": DIGITAL}
        ),
        "GET /progress/partnerships/{partnership_id}/series": lambda w, c: _call(
            path={"partnership_id": DIGITAL}
        ),
        "GET /progress/countries/{country}": lambda w, c: _call(path={"country": "DE"}),
        "GET /progress/levels/{level}": lambda w, c: _call(path={"level": "advanced"}),
        "GET /reports/annual": lambda w, c: _call(params={"year": str(datetime.now(UTC).year)}),
        "GET /learners/commitments/{commitment_id}": lambda w, c: _call(
            path={"commitment_id": c.owner.commitment}, params={"year": "2026"}
        ),
        "GET /learners/partners/{partner_id}": lambda w, c: _call(
            path={"partner_id": c.owner.id}, params={"year": "2026"}
        ),
        "GET /learners/partnerships/{partnership_id}": lambda w, c: _call(
            path={"partnership_id": DIGITAL}, params={"year": "2026"}
        ),
        "GET /alerts": lambda w, c: _call(params={"partner": c.owner.id}),
        "POST /alerts/{fingerprint}/acknowledge": with_body(
            lambda w, c: {"note": f"Seen ({w.unique()})"}
        ),
        "GET /alerts/deliveries": lambda w, c: _call(params={"receiver": f"partner:{c.owner.id}"}),
        "POST /alerts/deliveries/{delivery_id}/retry": retry_delivery,
        "POST /silences": with_body(silence_body),
        "POST /silences/{silence_id}/expire": expire_silence,
        "PUT /declarations/{partner_id}/{year}": lambda w, c: _call(
            path={"partner_id": c.owner.id, "year": DECLARED_YEAR}, json=declaration_body(w, c)
        ),
        "GET /declarations/{partner_id}/{year}": declared,
        "GET /declarations": lambda w, c: _call(
            params={"year": DECLARED_YEAR, "partner_id": c.owner.id}
        ),
        "GET /surveys/{partner_id}/{year}": lambda w, c: _call(
            path={"partner_id": c.owner.id, "year": SURVEY_YEAR}
        ),
        "POST /surveys/{partner_id}/{year}/confirmation": confirm_survey,
    },
}


async def _call(**kw: Any) -> Call:
    return Call(**kw)


# --- people's accounts (issue 15) ---------------------------------------------------------------

PASSWORD = "matrix password, long enough"
#: (id of the world, what) -> a person made once per world: ("signs in", email), ("colleague",
#: user id of a reporter of partner A)
_PEOPLE: dict[tuple[int, str], str] = {}


async def _invite(w: World, partner_id: str | None, role: str = "reporter") -> str:
    """An invitation by the secretariat's key; its token."""
    body = {"email": f"person-{w.unique()}-{uuid.uuid4().hex[:6]}@matrix.example", "role": role}
    made = await w.registry.post(
        "/invitations", json=body | {"partner_id": partner_id}, headers=w.secretariat
    )
    assert made.status_code == 201, made.text
    token: str = made.json()["token"]
    return token


async def _person(w: World, what: str) -> str:
    if (id(w), what) not in _PEOPLE:
        accepted = await w.registry.post(
            f"/invitations/{await _invite(w, w.partners['a'].id)}/accept",
            json={"name": "Matrix Person", "password": PASSWORD},
        )
        assert accepted.status_code == 201, accepted.text
        user = accepted.json()["user"]
        _PEOPLE[(id(w), what)] = user["email"] if what == "signs in" else user["user_id"]
    return _PEOPLE[(id(w), what)]


async def _sign_in(w: World, _: Caller) -> Call:
    return Call(json={"email": await _person(w, "signs in"), "password": PASSWORD})


async def _first_coordinator(w: World, c: Caller) -> Call:
    fresh = await w.new_partner("pending")
    body = {"email": f"first-{w.unique()}@matrix.example", "name": "First", "password": PASSWORD}
    headers = c.headers | {"X-Api-Key": fresh.api_key}
    return Call(path={"partner_id": fresh.id}, json=body, headers=headers)


async def _invitation(w: World, _: Caller) -> Call:
    token = await _invite(w, w.partners["a"].id)
    return Call(path={"token": token}, json={"name": "Invited", "password": PASSWORD})


async def _colleague(w: World, c: Caller) -> Call:
    return Call(path={"user_id": await _person(w, "colleague")}, json={"role": "viewer"})


async def _api_key_to_delete(w: World, c: Caller) -> Call:
    """A key of the caller's partner, for the callers the table shows may delete it (made
    by the secretariat's key); another id for the others, refused before it is looked up."""
    key_id = "key-000000000000"
    if c.column in ("partner", "pending", "secretariat"):
        made = await w.registry.post(
            f"/partners/{c.owner.id}/api-keys",
            json={"label": f"Matrix {w.unique()}", "scope": "reporting"},
            headers=w.secretariat | {"X-Api-Key": DEV_ADMIN_API_KEY},
        )
        assert made.status_code == 201, made.text
        key_id = made.json()["key_id"]
    return Call(path={"partner_id": c.owner.id, "key_id": key_id})


REQUESTS["registry"] |= {
    "POST /auth/password": _sign_in,
    "POST /auth/oidc": lambda w, c: _call(json={"id_token": "a.b.c", "nonce": "n"}),
    "POST /partners/{partner_id}/users/first": _first_coordinator,
    "GET /invitations/{token}": _invitation,
    "POST /invitations/{token}/accept": _invitation,
    "POST /users/me/totp/confirm": lambda w, c: _call(json={"code": "123456"}),
    "PUT /users/me/notifications": lambda w, c: _call(json={"info": "off"}),
    "POST /invitations": lambda w, c: _call(
        json={
            "email": f"invitee-{w.unique()}@matrix.example",
            "role": "viewer",
            "partner_id": c.owner.id,
        }
    ),
    "GET /users": lambda w, c: _call(params={"partner_id": c.owner.id}),
    "PATCH /users/{user_id}": _colleague,
    "POST /partners/{partner_id}/api-keys": with_body(
        lambda w, c: {"label": f"Reporting {w.unique()}", "scope": "reporting"}
    ),
    "DELETE /partners/{partner_id}/api-keys/{key_id}": _api_key_to_delete,
}


async def _token_request(w: World) -> Call:
    return Call(json={"api_key": (await w.new_partner("pending")).api_key})


async def send(
    w: World, service: str, endpoint: Endpoint, caller: Caller, step_up: Any = ...
) -> httpx.Response:
    """The call, with the caller's current API key in X-Api-Key where STEP_UP asks for it
    (`step_up`: this key instead, None: none)."""
    method, template = endpoint.split(" ")
    build = REQUESTS[service].get(endpoint, own if "{" in template else no_request)
    call = await build(w, caller)
    headers, api_key = (
        (caller.headers, caller.api_key) if call.headers is None else (call.headers, call.api_key)
    )
    if step_up is not ...:
        api_key = step_up
    if endpoint in STEP_UP[service] and api_key is not None:
        headers = headers | {"X-Api-Key": api_key}
    return await w.services[service].client.request(
        method, template.format(**call.path), params=call.params, json=call.json, headers=headers
    )


# --- the tests ----------------------------------------------------------------------------------


@pytest.mark.parametrize("service", [s.name for s in SERVICES])
def test_every_endpoint_has_an_expectation(service: str) -> None:
    app = BY_NAME[service].build_app(BY_NAME[service].settings_for("unused."))
    answered, expected = endpoints(app), set(expectations(service))
    assert not PUBLIC[service].keys() & PROTECTED[service].keys()
    assert answered - expected == set(), f"{service}: endpoints with no line in the table"
    assert expected - answered == set(), f"{service}: lines for endpoints that do not exist"


@pytest.mark.parametrize("service", [s.name for s in SERVICES])
async def test_authorization_matrix(world: World, service: str) -> None:
    app = world.services[service].app
    wrong: list[str] = []
    for endpoint, statuses in expectations(service).items():
        promised = documented(app, endpoint)  # None: a documentation page, not in the document
        for caller, expected in zip(world.callers(), statuses, strict=True):
            response = await send(world, service, endpoint, caller)
            got = response.status_code
            if got != expected:
                wrong.append(f"{endpoint} as {caller.column}: {got}, expected {expected}")
            if promised is not None and got not in promised:
                wrong.append(f"{endpoint} as {caller.column}: {got} is not documented")
            if got in (401, 403):
                error = response.json()["error"]
                assert error["code"] and error["message"], response.text
    assert wrong == [], "\n".join(wrong)


@pytest.mark.parametrize("service", [s.name for s in SERVICES])
async def test_every_hostile_token_is_refused(world: World, service: str) -> None:
    """Key confusion, alg none, swapped claims under a genuine signature, wrong audience...:
    401 on every protected endpoint of every service."""
    refused: list[str] = []
    callers = world.callers()
    secretariat = next(c for c in callers if c.column == "secretariat")
    for (what, token), endpoint in itertools.product(
        auth.hostile_tokens().items(), PROTECTED[service]
    ):
        caller = replace(secretariat, column=what, headers=auth.bearer(token))
        response = await send(world, service, endpoint, caller)
        if response.status_code != 401:
            refused.append(f"{endpoint} with {what}: {response.status_code}")
    assert refused == [], "\n".join(refused)


async def test_other_partners_see_no_contact_details(world: World) -> None:
    """Being allowed to read a partner is not being allowed to read all of it: contact
    details and endpoints are the partner's own and the secretariat's."""
    private = ("contact_name", "contact_email", "webhook_url", "webhook_secret_version")
    a_id = world.partners["a"].id
    for caller in world.callers():
        if caller.column not in ("other", "partner", "secretariat"):
            continue
        one = (await world.registry.get(f"/partners/{a_id}", headers=caller.headers)).json()
        page = await world.registry.get("/partners", headers=caller.headers, params={"limit": 200})
        [listed] = [p for p in page.json()["items"] if p["id"] == a_id]
        for seen in (one, listed):
            shown = {k: seen[k] for k in private if seen[k] is not None}
            assert bool(shown) == (caller.column != "other"), (caller.column, shown)


@pytest.mark.parametrize("service", [s.name for s in SERVICES])
async def test_a_token_from_before_a_key_rotation_is_refused_everywhere(
    world: World, service: str
) -> None:
    """A stolen token dies with the key it came from: once its partner's API key is rotated,
    every protected endpoint of every service answers it 401 token_revoked."""
    thief = await world.new_partner("active")
    rotated = await world.registry.post(
        f"/partners/{thief.id}/api-key", headers=thief.headers | {"X-Api-Key": thief.api_key}
    )
    assert rotated.status_code == 200, rotated.text
    await world.credentials_known(thief.id, 2)
    a = world.partners["a"]
    stolen = Caller("rotated", thief.headers, a, rotated.json()["api_key"])
    answered: list[str] = []
    for endpoint in PROTECTED[service]:
        response = await send(world, service, endpoint, stolen)
        code = response.json()["error"]["code"] if response.status_code >= 400 else None
        if (response.status_code, code) != (401, "token_revoked"):
            answered.append(f"{endpoint}: {response.status_code} {code}")
    assert answered == [], "\n".join(answered)


async def test_step_up_endpoints_refuse_a_token_alone(world: World) -> None:
    """The owner and the secretariat, whom the table shows succeed with their current API key
    beside the token, are refused without it or with another key (403 api_key_required)."""
    refused: list[str] = []
    other_key = world.partners["other"].api_key
    for service, asked in STEP_UP.items():
        for endpoint, caller in itertools.product(sorted(asked), world.callers()):
            if caller.column not in ("partner", "secretariat", "pending"):
                continue
            for key in (None, other_key):
                response = await send(world, service, endpoint, caller, step_up=key)
                code = response.json()["error"]["code"] if response.status_code >= 400 else None
                if (response.status_code, code) != (403, "api_key_required"):
                    refused.append(f"{endpoint} as {caller.column}, key {key}: {code}")
    assert refused == [], "\n".join(refused)
