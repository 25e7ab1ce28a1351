"""The demo's people: one secretariat administrator and a coordinator for two of the demo
partners, created as anyone's account is, through the registry's invitation API (the
secretariat's key invites; the invitation is accepted with a name and a password). Their
passwords are development ones, printed by `make run` and `make up`: never use them anywhere
else."""

from __future__ import annotations

from dataclasses import dataclass

from .api import ApiError, Platform

ADMIN_EMAIL = "admin@secretariat.example"
#: development passwords only (12 characters at least, as the registry requires)
ADMIN_PASSWORD = "secretariat-demo-2026"
COORDINATOR_PASSWORD = "coordinator-demo-2026"
PORTAL_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class Account:
    email: str
    password: str
    role: str
    organisation: str


def invite(
    admin: Platform, email: str, name: str, role: str, partner_id: str | None, password: str
) -> bool:
    """Invite and accept at once; False when the person has an account already."""
    body = {"email": email, "role": role, "partner_id": partner_id}
    try:
        invitation = admin.post("registry", "/invitations", body)
    except ApiError as exc:
        if exc.code == "user_exists":
            return False
        raise
    accept = {"name": name, "password": password}
    path = f"/invitations/{invitation['token']}/accept"
    admin.call("registry", "POST", path, accept, auth=False)
    return True


def seed_admin(admin: Platform) -> Account:
    invite(admin, ADMIN_EMAIL, "Secretariat Administrator", "admin", None, ADMIN_PASSWORD)
    return Account(ADMIN_EMAIL, ADMIN_PASSWORD, "admin", "the secretariat")


def seed_coordinator(admin: Platform, partner_id: str, legal_name: str, domain: str) -> Account:
    email = f"coordinator@{domain}"
    invite(
        admin,
        email,
        f"Coordinator of {legal_name}",
        "coordinator",
        partner_id,
        COORDINATOR_PASSWORD,
    )
    return Account(email, COORDINATOR_PASSWORD, "coordinator", legal_name)


def describe(accounts: list[Account]) -> list[str]:
    """The lines `make run` and `make up` print under the portal's address."""
    lines = [f"Portal: {PORTAL_URL}  (development accounts; passwords for this machine only)"]
    lines += [f"  {a.role:<12} {a.email:<40} {a.password:<24} {a.organisation}" for a in accounts]
    return lines


def main() -> None:
    """`python -m pactctl.accounts` (`make up`): the administrator's account, then the
    portal's address and the accounts to sign in with. The secretariat's key is PACT_API_KEY."""
    import os
    import sys

    from .settings import Settings

    admin = Settings(api_key=os.environ.get("PACT_API_KEY")).platform()
    try:
        seeded = [seed_admin(admin)]
    except ApiError as exc:
        print(f"Portal: {PORTAL_URL}  (no demo account: {exc})", file=sys.stderr)
        return
    print("\n".join(describe(seeded)))


if __name__ == "__main__":
    main()
