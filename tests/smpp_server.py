"""A small SMPP 3.4 server (SMSC) for the tests, as aiosmtpd is for SMTP: it accepts
``bind_transceiver`` with one system id and password, answers ``submit_sm`` (recording every
PDU's fields), ``enquire_link`` and ``unbind``. Tests script its answers: ``statuses`` holds
the command_status of the next submits (ESME_ROK when empty), ``drop_after_submit`` closes
the connection instead of answering the next submit, ``delay`` slows every answer,
``answering`` (an Event, set) holds every answer while it is cleared, and
``send_to_client`` pushes a PDU (an enquire_link, a deliver_sm) to every bound client
before it answers the next submit."""

import collections
import socket
import struct
import threading
import time
from dataclasses import dataclass

from smpplib import consts, smpp

FIELDS = ("source_addr_ton", "source_addr_npi", "source_addr", "dest_addr_ton",
          "dest_addr_npi", "destination_addr", "esm_class", "data_coding",
          "registered_delivery", "short_message")


@dataclass
class Submit:
    source_addr_ton: int
    source_addr_npi: int
    source_addr: str
    dest_addr_ton: int
    dest_addr_npi: int
    destination_addr: str
    esm_class: int
    data_coding: int
    registered_delivery: int
    short_message: bytes
    status: int = 0
    message_id: str = ""


class _Sequences:
    def __init__(self):
        self.value = 0x7000_0000

    @property
    def sequence(self):
        return self.value

    def next_sequence(self):
        self.value += 1
        return self.value


class SMPPTestServer:
    def __init__(self, system_id="newsletter", password="secret"):
        self.system_id, self.password = system_id, password
        self.lock = threading.Lock()
        self.submits: list[Submit] = []
        self.binds: list[tuple[str, str]] = []
        self.client_answers: list[tuple[str, int]] = []  # (command, status) we got back
        self.statuses: collections.deque[int] = collections.deque()
        self.drop_after_submit = 0
        self.delay = 0.0  # seconds before each submit_sm_resp (a slow SMSC)
        self.answering = threading.Event()  # cleared: answers wait until it is set again
        self.answering.set()
        self.record = True  # keep every submit (a benchmark only counts them)
        self.count = 0
        self.send_to_client: collections.deque[str] = collections.deque()
        self._ids = 0
        self._sequences = _Sequences()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self.host, self.port = self._listener.getsockname()
        self._stopped = threading.Event()
        self._connections: list[socket.socket] = []

    def start(self) -> "SMPPTestServer":
        self._listener.listen(16)
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._listener.close()
        for conn in list(self._connections):
            conn.close()

    def reset(self) -> None:
        with self.lock:
            self.submits.clear()
            self.binds.clear()
            self.client_answers.clear()
            self.statuses.clear()
            self.send_to_client.clear()
            self.drop_after_submit = 0
            self.delay = 0.0
            self.answering.set()
            self._ids = 0  # message ids m1, m2, ... again

    def push(self, command: str, **fields) -> None:
        """Send a PDU (a deliver_sm: a reply or a receipt) to every connected client."""
        pdu = smpp.make_pdu(command, client=self._sequences, **fields)
        for conn in list(self._connections):
            conn.sendall(pdu.generate())

    @property
    def url(self) -> str:
        return f"smpp://{self.system_id}:{self.password}@{self.host}:{self.port}"

    # --- connections --------------------------------------------------------------------
    def _accept(self):
        while not self._stopped.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self._connections.append(conn)
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket):
        try:
            while True:
                pdu = self._read(conn)
                if pdu is None or not self._answer(conn, pdu):
                    break
        except OSError:
            pass
        finally:
            conn.close()
            if conn in self._connections:
                self._connections.remove(conn)

    def _read(self, conn):
        header = _recv(conn, 4)
        if header is None:
            return None
        (length,) = struct.unpack(">L", header)
        body = _recv(conn, length - 4)
        if body is None:
            return None
        return smpp.parse_pdu(header + body, client=self._sequences,
                              allow_unknown_opt_params=True)

    def _reply(self, conn, command: str, request, status=0, **fields):
        pdu = smpp.make_pdu(command, client=self._sequences, status=status, **fields)
        pdu.sequence = request.sequence
        conn.sendall(pdu.generate())

    def _answer(self, conn, pdu) -> bool:
        command = pdu.command
        if command == "bind_transceiver":
            credentials = (_text(pdu.system_id), _text(pdu.password))
            with self.lock:
                self.binds.append(credentials)
            ok = credentials == (self.system_id, self.password)
            self._reply(conn, "bind_transceiver_resp", pdu,
                        status=0 if ok else consts.SMPP_ESME_RINVPASWD, system_id="testsmsc")
            return ok
        if command == "submit_sm":
            return self._submit(conn, pdu)
        if command == "enquire_link":
            self._reply(conn, "enquire_link_resp", pdu)
        elif command == "unbind":
            self._reply(conn, "unbind_resp", pdu)
            return False
        elif command.endswith("_resp"):
            with self.lock:
                self.client_answers.append((command, int(pdu.status)))
        return True

    def _submit(self, conn, pdu) -> bool:
        fields = {name: getattr(pdu, name) for name in FIELDS}
        fields["source_addr"] = _text(fields["source_addr"])
        fields["destination_addr"] = _text(fields["destination_addr"])
        with self.lock:
            status = self.statuses.popleft() if self.statuses else 0
            drop = self.drop_after_submit > 0
            self.drop_after_submit -= drop
            pushes = list(self.send_to_client)
            self.send_to_client.clear()
            self._ids += 1
            self.count += 1
            submit = Submit(**fields, status=status, message_id=f"m{self._ids}")
            if self.record:
                self.submits.append(submit)
        if drop:
            return False
        if self.delay:
            time.sleep(self.delay)
        self.answering.wait(30)
        for command in pushes:
            extra = {}
            if command == "deliver_sm":
                extra = {"source_addr": "421905000000", "destination_addr": "7777",
                         "short_message": b"id:m1 stat:DELIVRD", "esm_class": 0x04}
            push = smpp.make_pdu(command, client=self._sequences, **extra)
            conn.sendall(push.generate())
        self._reply(conn, "submit_sm_resp", pdu, status=status,
                    message_id=submit.message_id if status == 0 else "")
        return True


def _recv(conn, size: int) -> bytes | None:
    chunks, received = [], 0
    while received < size:
        chunk = conn.recv(size - received)
        if not chunk:
            return None
        chunks.append(chunk)
        received += len(chunk)
    return b"".join(chunks)


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else (value or "")
