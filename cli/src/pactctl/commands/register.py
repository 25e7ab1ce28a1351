"""A partner's self-registration (POST /partners) and tokens (POST /auth/token)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from pact_contracts.vocabulary import OrganisationType, SizeClass

from ..api import ApiError
from ..catalogue import PRINCIPLES
from ..errors import names_for, naming
from ..output import CliError, console, emit_json, errors, handled
from ..settings import settings
from .partners import checked_country


def _csv(values: list[str] | None) -> list[str]:
    return [v.strip() for item in values or [] for v in item.split(",") if v.strip()]


#: the registration's fields (as in a --file) and the flags that give them: one vocabulary
FLAGS = {
    "legal_name": "--legal-name", "organisation_type": "--organisation-type",
    "size_class": "--size-class", "hq_country": "--hq-country", "countries": "--country",
    "contact_name": "--contact-name", "contact_email": "--contact-email",
    "website": "--website", "vat": "--vat", "partnerships": "--partnership",
    "webhook_url": "--webhook-url", "signing_public_key": "--signing-public-key",
    "principles": "--accept-charter",
}  # fmt: skip
REQUIRED = ("legal_name", "organisation_type", "hq_country", "contact_name", "contact_email",
            "principles")  # fmt: skip


def read_json_file(file: Path) -> dict[str, Any]:
    try:
        body = json.loads(file.read_text(encoding="utf-8-sig"))
    except ValueError as exc:
        raise CliError(f"{file} is not JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise CliError(f"{file} must hold a JSON object")
    return body


def _checked_countries(body: dict[str, Any], names: dict[str, str]) -> None:
    """Country codes upper-cased and checked before sending, named as the user wrote them."""
    if isinstance(body.get("hq_country"), str):
        body["hq_country"] = checked_country(names["hq_country"], body["hq_country"])
    if isinstance(body.get("countries"), list):
        body["countries"] = [
            checked_country(names["countries"], c) if isinstance(c, str) else c
            for c in body["countries"]
        ]


@handled
def register(
    ctx: typer.Context,
    file: Annotated[
        Path | None,
        typer.Option(
            "--file",
            "-f",
            help="A JSON registration: the keys are the flags' names with underscores "
            "(legal_name, organisation_type, hq_country, countries, ...; accept_charter: true "
            "or principles). Flags given override it. Sample: docs/examples/registration.json.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    legal_name: Annotated[str | None, typer.Option(help="Registered legal name.")] = None,
    type_: Annotated[
        OrganisationType | None,
        typer.Option("--organisation-type", "--type", help="Organisation type."),
    ] = None,
    size: Annotated[
        SizeClass | None,
        typer.Option("--size-class", "--size", help="Size class (companies, SMEs)."),
    ] = None,
    hq: Annotated[
        str | None,
        typer.Option("--hq-country", "--hq", help="Headquarters country, e.g. DE (Greece: GR)."),
    ] = None,
    country: Annotated[
        list[str] | None, typer.Option(help="Countries of operation: DE,FR or repeated.")
    ] = None,
    contact_name: Annotated[str | None, typer.Option(help="Contact person.")] = None,
    contact_email: Annotated[str | None, typer.Option(help="Contact e-mail.")] = None,
    website: Annotated[str | None, typer.Option(help="https://...")] = None,
    vat: Annotated[str | None, typer.Option(help="VAT number, e.g. DE123456789.")] = None,
    partnership: Annotated[
        list[str] | None, typer.Option(help="Partnerships to join (default digital-ecosystem).")
    ] = None,
    webhook_url: Annotated[str | None, typer.Option(help="Where alerts are delivered.")] = None,
    signing_public_key: Annotated[
        str | None,
        typer.Option(help="Ed25519 public key (base64) that signs its reports (pactctl keygen)."),
    ] = None,
    accept_charter: Annotated[
        bool,
        typer.Option(
            "--accept-charter", help="Accept the four principles of the Pact for Skills charter."
        ),
    ] = False,
    key_file: Annotated[
        Path | None,
        typer.Option(
            help="Also write the API key to this file (readable by you only); it is shown once.",
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """Register an organisation (POST /partners). The API key in the answer is shown once."""
    s = settings(ctx)
    if key_file is not None and key_file.exists():
        raise CliError(f"--key-file {key_file} exists already; an API key is never overwritten")
    body = read_json_file(file) if file is not None else {}
    if body.pop("accept_charter", False) is True:
        body.setdefault("principles", dict(PRINCIPLES))
    flags: dict[str, Any] = {
        "legal_name": legal_name,
        "organisation_type": type_.value if type_ else None,
        "size_class": size.value if size else None,
        "hq_country": hq,
        "countries": _csv(country) or None,
        "contact_name": contact_name,
        "contact_email": contact_email,
        "website": website,
        "vat": vat,
        "partnerships": [p for item in partnership or [] for p in item.split(",")] or None,
        "webhook_url": webhook_url,
        "signing_public_key": signing_public_key,
        "principles": dict(PRINCIPLES) if accept_charter else None,
    }
    names = names_for(FLAGS, flags, str(file) if file else None)
    body |= {k: v for k, v in flags.items() if v is not None}
    missing = [k for k in REQUIRED if k not in body]
    if missing:
        said = [FLAGS[k] + (f" (or {k} in {file})" if file else "") for k in missing]
        raise CliError("missing: " + ", ".join(said))
    _checked_countries(body, names)
    try:
        done = s.platform().call("registry", "POST", "/partners", body, auth=False)
    except ApiError as exc:
        raise naming(exc, names) from exc
    if key_file is not None:
        key_file.touch(mode=0o600)
        key_file.write_text(done["api_key"] + "\n")
    if s.quiet:
        print(done["partner_id"])
    elif s.json_output:
        emit_json(done)
    else:
        console.print(f"Registered [bold]{done['partner_id']}[/] (status {done['status']}).")
        console.print(f"API key (shown once, keep it safe): [bold]{done['api_key']}[/]")
    if key_file is not None:
        errors.print(f"API key written to {key_file}")
    errors.print("The secretariat approves new partners before they can pledge and report.")


@handled
def token(ctx: typer.Context) -> None:
    """Exchange the API key for a short-lived token (POST /auth/token); prints the token."""
    s = settings(ctx)
    got = s.platform().token()
    if s.json_output:
        emit_json(
            {
                "access_token": got.access_token,
                "token_type": "bearer",
                "expires_in": got.expires_in,
                "role": got.role,
                "partner_id": got.partner_id,
            }
        )
        return
    print(got.access_token)
    who = got.partner_id or "the secretariat"
    errors.print(f"role {got.role} ({who}), valid {got.expires_in} s")
