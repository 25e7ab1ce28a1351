"""With a mail server (PORTAL_SMTP_HOST), an invitation's link is also sent by email to the
person invited: a small SMTP server of the test's own receives it."""

from __future__ import annotations

import asyncio
import email
import re
import uuid
from collections.abc import AsyncIterator
from email.message import Message

import httpx
import pytest

from tests.support.stack import free_port

from .conftest import Stack, Visitor, running
from .test_identity_pages import signed_up

pytestmark = pytest.mark.integration


class Inbox:
    """Just enough SMTP (RFC 5321) to take messages: EHLO, MAIL, RCPT, DATA, QUIT."""

    def __init__(self) -> None:
        self.port = free_port()
        self.messages: list[Message] = []

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 inbox ESMTP\r\n")
        lines: list[bytes] | None = None
        while line := await reader.readline():
            if lines is not None:  # the message, up to a lone dot
                if line == b".\r\n":
                    self.messages.append(email.message_from_bytes(b"".join(lines)))
                    lines = None
                    writer.write(b"250 queued\r\n")
                else:
                    lines.append(line[1:] if line.startswith(b"..") else line)
                continue
            verb = line[:4].upper()
            if verb == b"DATA":
                lines = []
                writer.write(b"354 go on\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 bye\r\n")
                break
            else:
                writer.write(b"250 ok\r\n")
            await writer.drain()
        await writer.drain()
        writer.close()


@pytest.fixture(scope="module")
async def inbox() -> AsyncIterator[Inbox]:
    box = Inbox()
    server = await asyncio.start_server(box._session, "127.0.0.1", box.port)
    async with server:
        yield box


@pytest.fixture(scope="module")
async def mailing(infrastructure: None, inbox: Inbox) -> AsyncIterator[Stack]:
    smtp = {"PORTAL_SMTP_HOST": "127.0.0.1", "PORTAL_SMTP_PORT": str(inbox.port)}
    async with running(Stack(f"t{uuid.uuid4().hex[:10]}.", portal_env=smtp)) as s:
        yield s


async def test_the_invitation_link_is_mailed(mailing: Stack, inbox: Inbox) -> None:
    suffix = uuid.uuid4().hex[:6]
    async with httpx.AsyncClient(base_url=mailing.portal.url, follow_redirects=True) as client:
        coordinator = Visitor(client)
        await signed_up(coordinator, f"Mail Works {suffix}", f"cora-{suffix}@mail.example")
        await coordinator.get("/organisation/people")
        invited = f"rui-{suffix}@mail.example"
        await coordinator.submit(
            "/organisation/people/invite", {"email": invited, "role": "reporter"}
        )
        assert f"It was sent by email to {invited}." in coordinator.text()
        link = re.search(
            r'id="invitation-link" type="text" readonly value="([^"]+)"', coordinator.page
        )
        assert link
    (message,) = [m for m in inbox.messages if m["To"] == invited]
    assert message["Subject"] == "Your invitation to the Pact for Skills portal"
    body = message.get_payload(decode=True).decode()
    assert link.group(1) in body and "as Reporter" in body and "Camille Martin" in body
