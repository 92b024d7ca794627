"""A real SMTP server on localhost for the tests (aiosmtpd): it keeps every message it accepts."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


@dataclass(frozen=True)
class Delivered:
    sender: str
    recipients: tuple[str, ...]
    message: EmailMessage


@dataclass
class Mailbox:
    """What the server received."""

    delivered: list[Delivered] = field(default_factory=list)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 — aiosmtpd's name
        raw = envelope.original_content or b""
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.delivered.append(Delivered(str(envelope.mail_from), tuple(envelope.rcpt_tos), message))
        return "250 OK"


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    mailbox: Mailbox


def free_port() -> int:
    """A local port nobody listens on (closed again before it is returned)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def accept_only(user: str, password: str) -> Callable[..., AuthResult]:
    """An authenticator that lets in one user with one password and refuses everyone else."""

    def check(server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: object) -> AuthResult:
        ok = isinstance(data, LoginPassword) and data.login.decode() == user and data.password.decode() == password
        return AuthResult(success=ok, handled=False)

    return check


@contextmanager
def smtp_server(authenticator: Callable[..., AuthResult] | None = None) -> Iterator[Server]:
    """A server on 127.0.0.1 for the length of the block; with an authenticator it requires AUTH (over plain text)."""
    mailbox = Mailbox()
    options: dict[str, object] = {}
    if authenticator is not None:
        options = {"authenticator": authenticator, "auth_required": True, "auth_require_tls": False}
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield Server("127.0.0.1", port, mailbox)
    finally:
        controller.stop()
