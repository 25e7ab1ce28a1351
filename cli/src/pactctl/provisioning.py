"""Setting up simulated partners as real ones are: register on the registry, approved by
the secretariat, then each pledges its commitments on the commitments service."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from pact_contracts.signing import new_key_pair

from .api import NOT_YET_KNOWN, ApiError, Platform, while_refused
from .catalogue import Member, Plan
from .simulation import SimulatedCommitment


@dataclass(frozen=True)
class Partner:
    partner_id: str
    legal_name: str
    api_key: str
    member: Member
    signing_key: str | None = None


def _existing(admin: Platform, member: Member) -> dict[str, Any] | None:
    org = member.organisation
    offset = 0
    while True:
        page = admin.get("registry", "/partners", country=org.hq_country, limit=200, offset=offset)
        for p in page["items"]:
            if p["legal_name"] == org.legal_name and p["hq_country"] == org.hq_country:
                found: dict[str, Any] = p
                return found
        offset += len(page["items"])
        if not page["items"] or offset >= page["total"]:
            return None


def simulated(found: dict[str, Any], registration: dict[str, Any]) -> bool:
    """A partner that simulate registered: its contact is the simulated organisation's own
    (a real organisation of the same name has its own contact, and keeps its keys)."""
    email = str(found.get("contact_email") or "").lower()
    return email == str(registration["contact_email"]).lower()


def enrol(admin: Platform, member: Member, *, sign: bool = False) -> Partner:
    """Register and approve the organisation (with a new signing key when `sign`); one
    registered before (a name taken in its country) is taken over: a new API key (and
    signing key), approved or reinstated where needed, if simulate registered it; any other
    is refused, its keys untouched."""
    org = member.organisation
    private, public = new_key_pair() if sign else (None, None)
    keys = {"signing_public_key": public} if public else {}
    try:
        body = org.registration() | keys
        done = admin.call("registry", "POST", "/partners", body, auth=False)
        partner_id, api_key, status = done["partner_id"], done["api_key"], done["status"]
    except ApiError as exc:
        found = _existing(admin, member) if exc.code == "duplicate_partner" else None
        if found is None:
            raise
        if not simulated(found, body):
            raise ApiError(
                f"{org.legal_name} ({found['id']}) is registered already and was not set up by "
                "pactctl simulate (its contact is not "
                f"{body['contact_email']}); its API key is left alone: simulate other "
                "partners (--seed, --partners) or report on existing commitments (--from-file)",
                code="not_simulated",
            ) from exc
        partner_id, status = found["id"], found["status"]
        rotated = admin.post("registry", f"/partners/{partner_id}/api-key", step_up=True)
        api_key = rotated["api_key"]
        if keys:
            path = f"/partners/{partner_id}"
            admin.call("registry", "PATCH", path, keys, headers=admin.step_up())
    reason = {"reason": "Simulated partner: charter signed"}
    if status == "pending":
        admin.post("registry", f"/partners/{partner_id}/approve", reason)
    elif status == "suspended":
        admin.post("registry", f"/partners/{partner_id}/reinstate", reason)
    elif status != "active":
        raise ApiError(f"{org.legal_name} ({partner_id}) is {status} and cannot be simulated")
    return Partner(partner_id, org.legal_name, api_key, member, private)


def pledge(
    partner: Platform, enrolled: Partner, plan: Plan, today: date, scale: float, wait: float
) -> SimulatedCommitment:
    """Pledge as the partner, retrying while commitments has not yet heard of its approval."""
    body = plan.pledge(today, scale)
    done = while_refused(
        lambda: partner.post("commitments", "/commitments", body),
        lambda exc: exc.code in NOT_YET_KNOWN,
        wait,
        pause=0.2,
    )
    return SimulatedCommitment.from_json(
        body
        | {"commitment_id": done["commitment_id"], "partner_id": enrolled.partner_id}
        | {"female_share": plan.female_share, "signing_key": enrolled.signing_key}
    )


def provision(
    admin: Platform,
    members: list[Member],
    *,
    per_partner: int = 1,
    sign: bool = False,
    today: date | None = None,
    wait: float = 30.0,
    on_step: Callable[[str], None] = lambda _: None,
) -> list[SimulatedCommitment]:
    """Every member enrolled (with signing keys when `sign`), then `per_partner` commitments
    pledged by each."""
    today = today or date.today()
    partners = []
    for member in members:
        partners.append(enrol(admin, member, sign=sign))
        on_step(f"enrolled {partners[-1].legal_name} ({partners[-1].partner_id})")
    commitments = []
    for p in partners:
        as_partner = admin.with_key(p.api_key)
        for n in range(per_partner):
            plan = p.member.plans[n % len(p.member.plans)]
            scale = 1.0 + 0.25 * (n // len(p.member.plans))
            commitments.append(pledge(as_partner, p, plan, today, scale, wait))
            on_step(f"{p.legal_name} pledged {commitments[-1].commitment_id}")
    return commitments
