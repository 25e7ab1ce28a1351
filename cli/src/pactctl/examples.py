"""Examples shown at the end of every command's --help (a test checks every command has
some, and that each names its own command)."""

from __future__ import annotations

EXAMPLES: dict[str, list[str]] = {
    "register": [
        "pactctl register --file docs/examples/registration.json --key-file acme.key",
        "pactctl register --legal-name 'Acme Cloud Europe SE' --organisation-type company "
        "--hq-country DE --country DE,FR --contact-name 'Eva Weber' "
        "--contact-email skills@acme.example --accept-charter",
    ],
    "token": ["pactctl token", 'curl -H "Authorization: Bearer $(pactctl token)" ...'],
    "keygen": ["pactctl keygen -o json > signing-key.json"],
    "partners list": [
        "pactctl partners list --status pending",
        "pactctl partners list --country DE -o wide",
        "pactctl partners list --status active --quiet",
    ],
    "partners show": [
        "pactctl partners show p-3f2a9c1e --history",
        "pactctl partners show p-3f2a9c1e -o json",
    ],
    "partners approve": ['pactctl partners approve p-3f2a9c1e --reason "Charter signed"'],
    "partners reject": ['pactctl partners reject p-3f2a9c1e --reason "Not an organisation"'],
    "partners suspend": ['pactctl partners suspend p-3f2a9c1e --reason "Reports overdue"'],
    "partners reinstate": ['pactctl partners reinstate p-3f2a9c1e --reason "Reports back"'],
    "partners withdraw": ['pactctl partners withdraw p-3f2a9c1e --reason "Left the Pact"'],
    "commitments list": [
        "pactctl commitments list --status active",
        "pactctl commitments list --partner p-3f2a9c1e -o csv > commitments.csv",
    ],
    "commitments show": ["pactctl commitments show c-7b1d3e5f"],
    "commitments pledge": [
        'pactctl commitments pledge --title "Reskill 3,000 network technicians" '
        "--principle lifelong_learning --action-type reskilling --specialisation networks_5g "
        "--level advanced --country PL,RO --target 3,000 --start-date 2026-01-01 "
        "--deadline 2026-12-31 --milestone 2026-06-30:1,000 --cadence quarterly",
        "pactctl commitments pledge --file pledge.json --target 3,500",
    ],
    "commitments amend": [
        'pactctl commitments amend c-7b1d3e5f --target 3,500 --reason "Scope extended to PT"',
        "pactctl commitments amend c-7b1d3e5f --deadline 2028-06-30 --milestone "
        '2027-06-30:2,000 --reason "Funding came late"',
    ],
    "commitments withdraw": [
        'pactctl commitments withdraw c-7b1d3e5f --reason "Programme discontinued"'
    ],
    "targets list": [
        "pactctl targets list",
        "pactctl targets list --partnership cloud-lsp -o wide",
    ],
    "targets set": [
        'pactctl targets set --title "20,000 trained by 2027" --target 20,000 '
        "--start-date 2026-01-01 --deadline 2027-12-31 --milestone 2026-12-31:8,000",
        'pactctl targets set --title "Advanced skills in RO and PL" --target 8,000 '
        "--start-date 2026-01-01 --deadline 2027-12-31 --cell level=advanced,country=RO,value=4000 "
        "--cell level=advanced,country=PL,value=4000",
        'pactctl targets set --title "Advanced in RO, women in PL" --target 8,000 '
        '--start-date 2026-01-01 --deadline 2027-12-31 --cell "advanced,RO=4,000" '
        '--cell "PL,female=4000"',
    ],
    "calls list": [
        "pactctl calls list",
        "pactctl calls list --partnership digital-ecosystem -o json",
    ],
    "calls publish": [
        'pactctl calls publish t-5c2e8a1f --cell "advanced,RO=4000" '
        '--message "Advanced training in Romania has no pledge yet: who can help?"',
    ],
    "progress import": [
        "pactctl progress import q3-figures.csv --dry-run",
        "pactctl progress import q3-figures.csv",
        "pactctl progress import figures.csv --commitment c-7b1d3e5f --keep-unset",
        "pactctl progress import export-de.csv --decimal-comma --via http",
    ],
    "progress send": [
        "pactctl progress send reports.jsonl --dry-run",
        "pactctl progress send reports.jsonl",
        "PACT_SIGNING_KEY=... pactctl progress send signed.jsonl -o json",
    ],
    "progress rejections": [
        "pactctl progress rejections",
        "pactctl progress rejections --commitment c-7b1d3e5f -o json",
    ],
    "progress waiting": [
        "pactctl progress waiting",
        "pactctl progress waiting --partner p-3f2a9c1e -o json",
    ],
    "progress show": ["pactctl progress show c-7b1d3e5f"],
    "alerts list": [
        "pactctl alerts list",
        "pactctl alerts list --status resolved --partner p-3f2a9c1e -o wide",
    ],
    "alerts acknowledge": ['pactctl alerts acknowledge 3f9a1c2b7d4e --note "Catch-up plan agreed"'],
    "alerts deliveries": ["pactctl alerts deliveries --status failed"],
    "mail": ["pactctl mail", "pactctl mail --to ana@acme.example -o wide"],
    "alerts retry": ["pactctl alerts retry d-5e6f7a8b"],
    "alerts ack": ['pactctl alerts ack 3f9a1c2b7d4e --note "Catch-up plan agreed"'],
    "deliveries list": [
        "pactctl deliveries list --status failed",
        "pactctl deliveries list --receiver partner:p-3f2a9c1e -o wide",
    ],
    "deliveries retry": ["pactctl deliveries retry d-5e6f7a8b"],
    "silences list": ["pactctl silences list", "pactctl silences list --state expired -o wide"],
    "silences create": [
        "pactctl silences create --rule ReportingOverdue --commitment c-7b1d3e5f --ends 3d "
        '-c "LMS export being fixed"',
        'pactctl silences create --severity info --ends 2026-12-31T00:00 -c "Year-end"',
    ],
    "silences expire": ["pactctl silences expire 6f1c2d3e-4b5a-4c6d-8e7f-9a0b1c2d3e4f"],
    "report annual": [
        "pactctl report annual --year 2026",
        "pactctl report annual --year 2026 --format csv --save pact-annual-2026.csv",
        "pactctl report annual --year 2026 -o json",
    ],
    "simulate": [
        "pactctl simulate --partners 12 --commitments-per-partner 2 --rate 50 --duration 120 "
        "--seed 1 --save sim.json",
        "pactctl simulate --from-file sim.json --rate 500 --count 100000 --first-revision 1000",
    ],
    "demo": ["pactctl demo"],
    "learners sketch": [
        "pactctl learners sketch learners-2026-Q1.csv --salt-file learners.salt",
        "pactctl learners sketch ids.csv --salt-file learners.salt --column student -o json",
    ],
    "learners show": [
        "pactctl learners show partners p-3f2a9c1e --year 2026",
        "pactctl learners show partnerships digital-ecosystem --year 2026 -o json",
    ],
}


def epilog(path: str) -> str | None:
    found = EXAMPLES.get(path)
    if not found:
        return None
    return "\n\n".join(["[bold]Examples[/]", *(f"  $ {e}" for e in found)])
