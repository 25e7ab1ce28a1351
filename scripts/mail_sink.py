"""The development mail sink: an SMTP server (aiosmtpd) that keeps every message it is given
under .local/mail/ (one .eml each and an index.json), and an HTTP API in Mailpit's shape so
that tools that read Mailpit read it too:

    GET    /api/v1/messages          {"total": N, "messages": [{"ID", "From", "To", "Subject",
                                      "Created", ...}]}, newest first (?start=&limit=)
    GET    /api/v1/message/{ID}      one message, with its Text and HTML
    DELETE /api/v1/messages          forget them all
    GET    /ready                    for scripts/stack.sh

    python scripts/mail_sink.py [--smtp-port 1025] [--http-port 8025] [--dir .local/mail]

Started by `make run` and `make up` (Procfile); monitoring mails alerts to it there
(MONITORING_SMTP_HOST/PORT). Never for production: it accepts anything from anyone local."""

from __future__ import annotations

import argparse
import asyncio
import json
import threading
import uuid
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path
from typing import Any

import uvicorn
from aiosmtpd.controller import Controller
from fastapi import FastAPI, HTTPException
from fastapi.responses import HTMLResponse

HOST = "127.0.0.1"


def _addresses(value: str | None) -> list[dict[str, str]]:
    return [{"Name": n, "Address": a} for n, a in getaddresses([value or ""]) if a]


def _body(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    return part.get_content() if part is not None and part.get_content_subtype() == subtype else ""


class Mailbox:
    """The messages kept: .eml files and an index, in one folder; thread-safe."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self._index_path = folder / "index.json"
        self._lock = threading.Lock()
        self.index: list[dict[str, Any]] = (
            json.loads(self._index_path.read_text()) if self._index_path.exists() else []
        )

    def _write_index(self) -> None:
        tmp = self._index_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.index, indent=1))
        tmp.replace(self._index_path)

    def keep(self, raw: bytes, rcpt_tos: list[str]) -> dict[str, Any]:
        message = message_from_bytes(raw, policy=policy.default)
        assert isinstance(message, EmailMessage)
        text = _body(message, "plain")
        entry = {
            "ID": uuid.uuid4().hex[:22],
            "MessageID": (message.get("Message-ID") or "").strip("<>"),
            "From": (_addresses(message.get("From")) or [{"Name": "", "Address": ""}])[0],
            "To": _addresses(message.get("To")) or [{"Name": "", "Address": a} for a in rcpt_tos],
            "Subject": str(message.get("Subject", "")).strip(),
            "Created": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
            "Size": len(raw),
            "Snippet": " ".join(text.split())[:250],
            "Read": False,
            "Tags": [],
        }
        with self._lock:
            (self.folder / f"{entry['ID']}.eml").write_bytes(raw)
            self.index.append(entry)
            self._write_index()
        return entry

    def get(self, message_id: str) -> dict[str, Any] | None:
        entry = next((e for e in self.index if e["ID"] == message_id), None)
        if entry is None:
            return None
        raw = (self.folder / f"{message_id}.eml").read_bytes()
        message = message_from_bytes(raw, policy=policy.default)
        assert isinstance(message, EmailMessage)
        return {**entry, "Text": _body(message, "plain"), "HTML": _body(message, "html")}

    def clear(self) -> None:
        with self._lock:
            for entry in self.index:
                (self.folder / f"{entry['ID']}.eml").unlink(missing_ok=True)
            self.index = []
            self._write_index()


class Handler:
    def __init__(self, mailbox: Mailbox) -> None:
        self.mailbox = mailbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.mailbox.keep(envelope.original_content or envelope.content, envelope.rcpt_tos)
        return "250 Message accepted for delivery"


def api(mailbox: Mailbox, smtp_port: int) -> FastAPI:
    app = FastAPI(title="Mail sink (development)", docs_url=None, redoc_url=None)

    @app.get("/ready")
    def ready() -> dict[str, str]:
        return {"status": "ready"}

    @app.get("/api/v1/messages")
    def messages(start: int = 0, limit: int = 50) -> dict[str, Any]:
        newest = list(reversed(mailbox.index))
        page = newest[start : start + limit]
        return {
            "total": len(newest),
            "unread": len(newest),
            "count": len(page),
            "messages_count": len(newest),
            "start": start,
            "tags": [],
            "messages": page,
        }

    @app.get("/api/v1/message/{message_id}")
    def message(message_id: str) -> dict[str, Any]:
        found = mailbox.get(message_id)
        if found is None:
            raise HTTPException(404, "no such message")
        return found

    @app.delete("/api/v1/messages")
    def clear() -> str:
        mailbox.clear()
        return "ok"

    @app.get("/", response_class=HTMLResponse)
    def home() -> str:
        rows = "".join(
            f"<li>{e['Created']} to {', '.join(t['Address'] for t in e['To'])}: "
            f"<a href='/api/v1/message/{e['ID']}'>{e['Subject']}</a></li>"
            for e in reversed(mailbox.index)
        )
        return (
            f"<!doctype html><title>Mail sink</title><h1>Mail sink</h1><p>SMTP on {HOST}:"
            f"{smtp_port}; {len(mailbox.index)} message(s), newest first.</p><ul>{rows}</ul>"
        )

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smtp-port", type=int, default=1025)
    parser.add_argument("--http-port", type=int, default=8025)
    parser.add_argument("--dir", type=Path, default=Path(".local/mail"))
    args = parser.parse_args()
    mailbox = Mailbox(args.dir)
    controller = Controller(Handler(mailbox), hostname=HOST, port=args.smtp_port)
    controller.start()
    try:
        server = uvicorn.Server(
            uvicorn.Config(api(mailbox, args.smtp_port), host=HOST, port=args.http_port)
        )
        asyncio.run(server.serve())
    finally:
        controller.stop()


if __name__ == "__main__":
    main()
