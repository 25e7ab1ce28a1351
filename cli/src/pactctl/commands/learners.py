"""Unique learners without personal data: `learners sketch` turns a CSV of the partner's
learner ids into a learners sketch (an Apache DataSketches HLL sketch, lg_k 12, of
HMAC-SHA256(salt, id)) to attach to a progress report as `learners_sketch`; no id leaves the
partner, and without the salt (which the partner keeps, the same for every report) no
id can be tested against it. `learners show` reads monitoring's unique learners."""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
from pathlib import Path
from typing import Annotated, Any

import typer
from datasketches import hll_sketch  # type: ignore[import-untyped]

from pact_contracts.progress import LEARNERS_SKETCH_LG_K

from ..output import CliError, console, emit_json, handled
from ..settings import settings

app = typer.Typer(help="Unique learners: sketches of hashed learner ids, merged by monitoring.")

MIN_SALT_BYTES = 16


def read_salt(path: Path) -> bytes:
    try:
        salt = path.read_bytes().strip()
    except OSError as exc:
        raise CliError(f"cannot read the salt file {path}: {exc}") from exc
    if len(salt) < MIN_SALT_BYTES:
        raise CliError(
            f"the salt file {path} holds {len(salt)} bytes; use at least {MIN_SALT_BYTES} "
            "random bytes (e.g. `openssl rand -hex 32 > learners.salt`), kept secret and the "
            "same for every report"
        )
    return salt


def learner_ids(text: str, column: str) -> list[str]:
    """The ids of the CSV's `column` (or of its only column, with or without a header)."""
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        return []
    header = [h.strip().lstrip("\ufeff") for h in rows[0]]
    if column in header:
        at = header.index(column)
        return [r[at].strip() for r in rows[1:] if len(r) > at and r[at].strip()]
    if len(header) == 1:
        return [r[0].strip() for r in rows if r and r[0].strip()]
    raise CliError(f"no column {column!r} in the CSV; its columns are: {', '.join(header)}")


def sketch_of(ids: list[str], salt: bytes) -> hll_sketch:
    sketch = hll_sketch(LEARNERS_SKETCH_LG_K)
    for learner in ids:
        sketch.update(hmac.new(salt, learner.encode("utf-8"), hashlib.sha256).hexdigest())
    return sketch


def encoded(sketch: hll_sketch) -> str:
    return base64.b64encode(sketch.serialize_compact()).decode("ascii")


@app.command("sketch")
@handled
def sketch(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="CSV of learner ids (one per row).")],
    salt_file: Annotated[
        Path, typer.Option(help="The partner's secret salt (kept; the same for every report).")
    ],
    column: Annotated[str, typer.Option(help="The column of the ids.")] = "learner_id",
) -> None:
    """Print the learners sketch of a CSV of learner ids (base64, for a report's
    learners_sketch); -o json adds the distinct learners it estimates. Make the salt once
    (`openssl rand -hex 32 > learners.salt`), keep it secret, and use it for every report."""
    s = settings(ctx)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"cannot read {file}: {exc}") from exc
    ids = learner_ids(text, column)
    built = sketch_of(ids, read_salt(salt_file))
    if s.json_output:
        emit_json(
            {
                "learners_sketch": encoded(built),
                "rows": len(ids),
                "estimate": round(built.get_estimate()),
                "lower": int(built.get_lower_bound(2)),
                "upper": int(built.get_upper_bound(2) + 0.999),
            }
        )
    else:
        print(encoded(built))


@app.command("show")
@handled
def show(
    ctx: typer.Context,
    scope: Annotated[str, typer.Argument(help="commitments, partners or partnerships.")],
    subject: Annotated[str, typer.Argument(help="Its id.")],
    year: Annotated[int, typer.Option(help="The year.")],
) -> None:
    """Distinct learners of a commitment, partner or partnership in a year (monitoring's
    GET /learners/...), with the sketch's error bounds and the summed people trained."""
    if scope not in ("commitments", "partners", "partnerships"):
        raise CliError("scope: commitments, partners or partnerships")
    s = settings(ctx)
    found: dict[str, Any] = s.platform().get(
        "monitoring", f"/learners/{scope}/{subject}", year=year
    )
    if s.json_output:
        emit_json(found)
        return
    console.print(f"{found['scope']} {found['id']}, {found['year']}: {_unique(found['unique'])} "
                  f"({found['people_trained']:,} people trained, summed)")  # fmt: skip
    for row in found.get("partners", []):
        console.print(f"  {row['id']}: {_unique(row['unique'])}, shared with others "
                      f"{_unique(row['shared_with_others'])}")  # fmt: skip
    for pair in found.get("overlaps", []):
        console.print(f"  {' & '.join(pair['partners'])} share {_unique(pair['shared'])}")


def _unique(u: dict[str, int] | None) -> str:
    if u is None:
        return "no learners sketch"
    return f"{u['estimate']:,} unique learners ({u['lower']:,}-{u['upper']:,})"
