"""Invitation links by email, when the deployment has a mail server (PORTAL_SMTP_HOST);
without one the portal shows the link to copy and send, as it always does."""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage


class Mailer:
    def __init__(
        self,
        host: str | None,
        port: int = 25,
        sender: str = "portal@localhost",
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout: float = 10.0,
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self._username = username
        self._password = password
        self._starttls = starttls
        self._timeout = timeout

    @property
    def enabled(self) -> bool:
        return bool(self.host)

    async def send(self, to: str, subject: str, body: str) -> bool:
        """True once the server took the message; False (and nothing raised) if it did not:
        the page still shows the link."""
        if not self.enabled:
            return False
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        message.set_content(body)
        try:
            await asyncio.to_thread(self._deliver, message)
        except (OSError, smtplib.SMTPException):
            return False
        return True

    def _deliver(self, message: EmailMessage) -> None:
        assert self.host is not None
        with smtplib.SMTP(self.host, self.port, timeout=self._timeout) as smtp:
            if self._starttls:
                smtp.starttls()
            if self._username and self._password:
                smtp.login(self._username, self._password)
            smtp.send_message(message)
