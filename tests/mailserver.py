"""A real SMTP server for tests (aiosmtpd), and the task worker run until the queue is idle."""

import email
import socket
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    """One message as the server got it: the envelope's recipients and the parsed mail."""

    recipients: list
    message: EmailMessage
    raw: bytes

    @property
    def text(self):
        return self.message.get_body(preferencelist=("plain",)).get_content()

    @property
    def html(self):
        return self.message.get_body(preferencelist=("html",)).get_content()

    def raw_header(self, header):
        """A header as it came over the wire (folding kept, encoded words not decoded)."""
        return email.message_from_bytes(self.raw, policy=policy.compat32)[header]

    def __getitem__(self, header):
        """A header's value, unfolded. A long header is folded right after its colon, and
        Python's parser keeps that folding space at the start of the value."""
        value = self.message[header]
        return None if value is None else str(value).strip()


class _Collector:
    def __init__(self):
        self.received = []
        self.refusals = {}  # address: the reply to its RCPT TO

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        refusal = self.refusals.get(address)
        if refusal is not None:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.received.append(Received(list(envelope.rcpt_tos), message, envelope.content))
        return "250 Message accepted for delivery"


class MailServer:
    """An SMTP server on 127.0.0.1 that keeps what it receives; it can stop and start
    again on the same port, as a real one going down and coming back."""

    def __init__(self):
        self.port = free_port()
        self._collector = _Collector()
        self._controller = None

    @property
    def received(self):
        return self._collector.received

    def refuse(self, address, reply):
        """Answer ``reply`` (such as "450 4.2.2 Mailbox full") to ``RCPT TO:<address>``."""
        self._collector.refusals[address] = reply

    def to(self, address):
        """The messages whose envelope went to ``address``."""
        return [mail for mail in self.received if address in mail.recipients]

    def start(self):
        self._controller = Controller(self._collector, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def run_worker():
    """Run queued tasks until none is ready, in this process: ``db_worker --batch``.

    The worker's own loop (claim, run, record), without its signal handlers, which
    belong to a process of its own.
    """
    from django_tasks_db.management.commands.db_worker import Worker

    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()


def send_through(settings, server):
    """Point the site's email at ``server`` (pytest-django's ``settings`` fixture)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
