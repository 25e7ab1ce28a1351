"""Sends one alert email over SMTP (aiosmtplib): plain text with an HTML alternative, its
Message-ID made of the message's id (the same message sent again has the same one)."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

import aiosmtplib


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int
    sender: str
    timeout: float = 10.0
    start_tls: bool = False
    username: str | None = None
    password: str | None = None


def email_of(doc: dict[str, Any], sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = doc["to"]
    message["Subject"] = doc["subject"]
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = f"<{doc['_id']}@pact-monitoring.invalid>"
    message["X-Pact-Mail-Id"] = doc["_id"]
    message.set_content(doc["text"])
    message.add_alternative(doc["html"], subtype="html")
    return message


class SmtpMailer:
    def __init__(self, server: SmtpServer) -> None:
        self._server = server

    async def send(self, doc: dict[str, Any]) -> str | None:
        """Send one message; None when the server took it, else why not."""
        s = self._server
        try:
            await aiosmtplib.send(
                email_of(doc, s.sender),
                hostname=s.host,
                port=s.port,
                timeout=s.timeout,
                start_tls=s.start_tls,
                username=s.username,
                password=s.password,
            )
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            return f"{type(exc).__name__}: {exc}"
        return None
