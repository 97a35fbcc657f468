"""SMPP 3.4 gateway (smpplib): binds as a transceiver, sends each SMS as ``submit_sm`` PDUs,
one per part, concatenated with a UDH (IEI 0x00, 8-bit reference) and ``data_coding`` 0
(GSM-7, one septet per octet) or 8 (UCS-2), and waits for each ``submit_sm_resp``.

Answers map onto the Messenger protocol: ``ESME_RTHROTTLED`` and ``ESME_RMSGQFUL`` back off
the connection (the message is deferred), system and submit errors are temporary, any other
status is permanent for the recipient. A connection that cannot be opened or bound means the
gateway is unavailable; one that drops after a part was handed over leaves the message in
doubt (retried: at-least-once), and the next message reconnects. ``enquire_link`` from the
SMSC is answered, and one is sent when the link has been idle for ``keepalive`` seconds.
Incoming ``deliver_sm`` (replies, delivery receipts) go to ``on_deliver(number, text,
receipt)``; without one, or when it raises, they are answered with ``ESME_RX_T_APPN``
(temporary), so the SMSC keeps them and offers them again. ``listen`` keeps a bind open for
them between campaigns (``newsletter sms-listen``).

The send window (``window`` > 1, the engine's ``send_windowed`` and ``drain``): messages go
out without waiting for their answers while fewer than ``window`` are unanswered, so the
SMSC's round trip is not paid per message; the answers are matched to their messages by
sequence number, and a drop leaves every unanswered message in doubt (retried: a killed or
cut-off worker sends at most ``window`` messages twice).
"""

import contextlib
import itertools
import logging
import struct
import time

from smpplib import client as smpp_client
from smpplib import consts, exceptions, smpp

from newsletter.sms.parts import MAX_PARTS, UCS2, decode, encode, split
from newsletter.sms.senders import addressing
from newsletter.texts import N_, stored

from .base import (
    Accepted,
    ConnectionBackoff,
    DeliveryError,
    InDoubt,
    OutgoingMessage,
    PermanentFailure,
    ServerUnavailable,
    TemporaryFailure,
)

log = logging.getLogger(__name__)
DATA_CODING = {"gsm7": 0x00, UCS2: 0x08}
ESM_UDHI = 0x40
SUBMIT_SM = 0x00000004
#: one message's answer in the send window: (its reference, the reply, or the error)
Answer = tuple[int | None, str | None, "DeliveryError | None"]
BACK_OFF = {consts.SMPP_ESME_RTHROTTLED, consts.SMPP_ESME_RMSGQFUL}
TEMPORARY = {consts.SMPP_ESME_RSYSERR, consts.SMPP_ESME_RSUBMITFAIL,
             consts.SMPP_ESME_RX_T_APPN}


def udh(reference: int, total: int, number: int) -> bytes:
    """Concatenation header: IEI 0x00 (8-bit reference), length 3, ref, total, number."""
    return bytes((0x05, 0x00, 0x03, reference, total, number))


class SmppMessenger:
    def __init__(self, host: str, port: int, system_id: str, password: str, *,
                 system_type: str = "", source: str = "", timeout: float = 10.0,
                 keepalive: float = 30.0, registered_delivery: bool = True,
                 on_deliver=None, window: int = 1):
        self.host, self.port = host, port
        self.system_id, self.password, self.system_type = system_id, password, system_type
        self.source = source  # the operator's number: used when a message has no sender
        self.timeout, self.keepalive = timeout, keepalive
        self.registered_delivery = registered_delivery
        self.on_deliver = on_deliver
        self._client: smpp_client.Client | None = None
        self._buffer = bytearray()  # bytes read from the SMSC, not yet parsed
        self.window = window  # unanswered messages at most (``send_windowed``)
        self._unanswered: dict[int, tuple[list[int], dict]] = {}  # reference: parts, answers
        self._owners: dict[int, int] = {}  # sequence number: reference
        self._last_io = 0.0
        self._references = itertools.cycle(range(1, 256))

    # --- connection ---------------------------------------------------------------------
    def _connect(self) -> smpp_client.Client:
        if self._client is not None:
            if time.monotonic() - self._last_io > self.keepalive and not self._unanswered:
                self._enquire_link()
            if self._client is not None:
                return self._client
        client = smpp_client.Client(self.host, self.port, timeout=self.timeout,
                                    allow_unknown_opt_params=True)
        try:
            client.connect()
            client.bind_transceiver(system_id=self.system_id, password=self.password,
                                    system_type=self.system_type)
        except (exceptions.ConnectionError, exceptions.PDUError, OSError) as exc:
            self._drop(client)
            raise ServerUnavailable(stored(N_("SMPP %(server)s: cannot bind: %(error)s"),
                                           server=f"{self.host}:{self.port}",
                                           error=exc)) from exc
        self._client, self._last_io = client, time.monotonic()
        self._buffer = bytearray()
        return client

    def _enquire_link(self) -> None:
        try:
            pdu = smpp.make_pdu("enquire_link", client=self._client)
            self._client.send_pdu(pdu)
            self._await({pdu.sequence}, "enquire_link_resp")
        except (exceptions.ConnectionError, OSError, TemporaryFailure):
            self._drop(self._client)
            self._client = None

    @staticmethod
    def _drop(client) -> None:
        try:
            client.disconnect()
        except Exception:  # noqa: BLE001 - closing a broken socket may fail in any way
            client._socket = None

    def close(self) -> None:
        if self._client is None:
            return
        client, self._client = self._client, None
        with contextlib.suppress(exceptions.ConnectionError, exceptions.PDUError, OSError):
            client.unbind()
        self._drop(client)

    # --- sending ------------------------------------------------------------------------
    def begin(self, sender: str, recipient: str) -> None:
        pass

    def send(self, message: OutgoingMessage, then=None, meanwhile=None) -> str:
        """Every part goes out before the first answer is read (a window of one message);
        ``meanwhile`` runs while the SMSC works on them."""
        parts = split(message.data.decode("utf-8"))
        if not parts.count or not parts.within_cap:
            raise PermanentFailure(_too_long(parts.count))
        client = self._connect()
        sequences = []
        for fields in self._submits(message, parts):  # a write per part: see _read_pdu
            try:
                sequences.append(client.send_message(**fields).sequence)
            except (exceptions.ConnectionError, OSError) as exc:
                self._lost()
                error = InDoubt if sequences else TemporaryFailure
                raise error(f"SMPP connection lost: {exc}") from exc
        if meanwhile is not None:
            meanwhile()
        try:
            responses = self._await(set(sequences), "submit_sm_resp")
        except (exceptions.ConnectionError, OSError) as exc:
            self._lost()
            raise InDoubt(_lost(exc)) from exc
        return _verdict([responses[s] for s in sequences])

    # --- the send window ----------------------------------------------------------------
    def send_windowed(self, message: OutgoingMessage) -> list[Answer]:
        """Send a message without waiting for its answer: first, while ``window`` messages
        are unanswered, read answers. Returns the answers read, each ``(reference, reply,
        error)``. ServerUnavailable when no bind could be made (no message is unanswered
        then)."""
        parts = split(message.data.decode("utf-8"))
        if not parts.count or not parts.within_cap:
            return [(message.reference, None, PermanentFailure(_too_long(parts.count)))]
        answers = self._answers(lambda: len(self._unanswered) < self.window) \
            if self._unanswered else []  # room in the window first
        client = self._connect()
        sequences = []
        for fields in self._submits(message, parts):  # a write per part: see _read_pdu
            sequence = client.next_sequence()
            try:
                client._socket.sendall(submit_sm(sequence, fields))
                sequences.append(sequence)
            except (OSError, AttributeError) as exc:
                error = InDoubt if sequences else TemporaryFailure
                return answers + self._window_lost(exc) + [
                    (message.reference, None, error(f"SMPP connection lost: {exc}"))]
        self._unanswered[message.reference] = (sequences, {})
        self._owners.update(dict.fromkeys(sequences, message.reference))
        return answers

    def drain(self) -> list[Answer]:
        """Wait for the answers to every message sent."""
        return self._answers(lambda: not self._unanswered)

    def _answers(self, enough) -> list[Answer]:
        answers: list[Answer] = []
        client = self._client
        while not enough():
            try:
                pdu = self._read_pdu(client)
                self._last_io = time.monotonic()
                reference = self._owners.pop(pdu.sequence, None) \
                    if pdu.command in ("submit_sm_resp", "generic_nack") else None
                if reference is None:
                    self._answer_smsc(client, pdu)
                    continue
            except (exceptions.ConnectionError, exceptions.PDUError, OSError) as exc:
                return answers + self._window_lost(exc)
            sequences, found = self._unanswered[reference]
            found[pdu.sequence] = pdu
            if len(found) == len(sequences):
                del self._unanswered[reference]
                try:
                    answers.append((reference, _verdict([found[s] for s in sequences]), None))
                except DeliveryError as exc:
                    answers.append((reference, None, exc))
        return answers

    def _window_lost(self, exc) -> list[Answer]:
        """The connection dropped: every unanswered message is in doubt (retried)."""
        self._lost()
        lost = [(reference, None, InDoubt(_lost(exc)))
                for reference in self._unanswered]
        self._unanswered.clear()
        self._owners.clear()
        return lost

    def _submits(self, message: OutgoingMessage, parts) -> list[dict]:
        """The submit_sm fields of each part: UDH and data_coding, addressing."""
        sender = addressing(message.sender or self.source)
        reference = next(self._references)
        submits = []
        for number, part in enumerate(parts.parts, 1):
            payload = encode(part, parts.encoding)
            if parts.count > 1:
                payload = udh(reference, parts.count, number) + payload
            submits.append(dict(
                source_addr_ton=sender.ton_npi[0], source_addr_npi=sender.ton_npi[1],
                source_addr=sender.value, dest_addr_ton=1, dest_addr_npi=1,
                destination_addr=message.recipient.lstrip("+"), short_message=payload,
                data_coding=DATA_CODING[parts.encoding],
                esm_class=ESM_UDHI if parts.count > 1 else 0,
                registered_delivery=int(self.registered_delivery and number == parts.count)))
        return submits

    def _await(self, sequences: set[int], command: str, until=None) -> dict:
        """Read PDUs until the responses ``command`` to all ``sequences`` are in (or, when
        listening, ``until()``), answering what the SMSC asks meanwhile."""
        client, found = self._client, {}
        while len(found) < len(sequences):
            if until is not None:
                if until():
                    return found
                try:
                    pdu = self._read_pdu(client)
                except TimeoutError:
                    if time.monotonic() - self._last_io > self.keepalive:
                        client.send_pdu(smpp.make_pdu("enquire_link", client=client))
                        self._last_io = time.monotonic()
                    continue
            else:
                pdu = self._read_pdu(client)
            self._last_io = time.monotonic()
            if pdu.sequence in sequences and pdu.command in (command, "generic_nack"):
                found[pdu.sequence] = pdu
                continue
            self._answer_smsc(client, pdu)
        return found

    def _answer_smsc(self, client, pdu) -> None:
        """Answer what the SMSC asks (enquire_link, deliver_sm, unbind); ignore the rest."""
        if pdu.command == "enquire_link":
            answer = smpp.make_pdu("enquire_link_resp", client=client)
        elif pdu.command == "deliver_sm":
            answer = smpp.make_pdu("deliver_sm_resp", client=client,
                                   status=self._delivered(pdu))
        elif pdu.command == "unbind":
            answer = smpp.make_pdu("unbind_resp", client=client)
            answer.sequence = pdu.sequence
            client.send_pdu(answer)
            raise exceptions.ConnectionError("the SMSC unbound")
        else:
            return
        answer.sequence = pdu.sequence
        client.send_pdu(answer)

    def _read_pdu(self, client):
        """The next PDU, read through a buffer: one ``recv`` brings every answer the SMSC
        has sent so far (smpplib reads each PDU with two). The parts go out in a write each,
        as smpplib writes them: parts in one segment made an SMSC's second answer wait for
        our delayed ACK (Nagle), 40 ms a message."""
        buffer = self._buffer
        while len(buffer) < 4 or len(buffer) < int.from_bytes(buffer[:4], "big"):
            chunk = client._socket.recv(65536)
            if not chunk:
                raise exceptions.ConnectionError("the SMSC closed the connection")
            buffer += chunk
        length = int.from_bytes(buffer[:4], "big")
        if length < 16:
            raise exceptions.PDUError("broken PDU")
        raw, self._buffer = bytes(buffer[:length]), buffer[length:]
        pdu = smpp.parse_pdu(raw, client=client, allow_unknown_opt_params=True)
        if not pdu.is_error() and pdu.command in consts.STATE_SETTERS:
            client.state = consts.STATE_SETTERS[pdu.command]
        return pdu

    def _delivered(self, pdu) -> int:
        """Hand an incoming message or receipt to ``on_deliver``; the status to answer."""
        if self.on_deliver is None:
            return consts.SMPP_ESME_RX_T_APPN
        receipt = bool(int(pdu.esm_class or 0) & 0x3C)
        text = decode(pdu.short_message or b"", int(pdu.data_coding or 0))
        try:
            self.on_deliver(_text(pdu.source_addr), text, receipt)
        except Exception:  # noqa: BLE001 - the SMSC offers it again later
            log.exception("deliver_sm from %s not handled", _text(pdu.source_addr))
            return consts.SMPP_ESME_RX_T_APPN
        return consts.SMPP_ESME_ROK

    def listen(self, should_stop, poll: float = 1.0) -> None:
        """Stay bound and hand every incoming message to ``on_deliver`` until
        ``should_stop()``; reconnects after a drop (waiting ``poll`` seconds between tries)."""
        while not should_stop():
            try:
                client = self._connect()
                client._socket.settimeout(poll)
                self._await({-1}, "none", until=should_stop)
            except ServerUnavailable as exc:
                log.warning("%s", exc)
                time.sleep(poll)
            except (exceptions.ConnectionError, OSError):
                self._lost()
        self.close()

    def _lost(self) -> None:
        if self._client is not None:
            self._drop(self._client)
            self._client = None


def _cstring(value: str) -> bytes:
    return value.encode("ascii") + b"\0"


def submit_sm(sequence: int, fields: dict) -> bytes:
    """A ``submit_sm`` PDU (SMPP 3.4, 4.4.1) without optional parameters, as smpplib would
    make it from ``fields``, at a fraction of its cost (smpplib walks every optional
    parameter of the command for each PDU)."""
    message = fields["short_message"]
    body = b"".join((
        b"\0",  # service_type: the SMSC's default
        bytes((fields["source_addr_ton"], fields["source_addr_npi"])),
        _cstring(fields["source_addr"]),
        bytes((fields["dest_addr_ton"], fields["dest_addr_npi"])),
        _cstring(fields["destination_addr"]),
        bytes((fields["esm_class"], 0, 0)),  # esm_class, protocol_id, priority_flag
        b"\0\0",  # schedule_delivery_time, validity_period: now, the SMSC's default
        bytes((fields["registered_delivery"], 0, fields["data_coding"], 0, len(message))),
        message))
    return struct.pack(">LLLL", 16 + len(body), SUBMIT_SM, 0, sequence) + body


def _too_long(count: int) -> str:
    return stored(N_("the text has %(num)d parts (1 to %(max)d)"), num=count, max=MAX_PARTS)


def _lost(exc: BaseException) -> str:
    return stored(N_("SMPP connection lost before the answer: %(error)s"), error=exc)


def _verdict(responses) -> Accepted:
    """A message's outcome from the answers to its parts: accepted (naming the last part's
    message id, which the receipt quotes), or the DeliveryError of the first refusal."""
    statuses = [int(r.status) for r in responses]
    refused = [s for s in statuses if s != consts.SMPP_ESME_ROK]
    if not refused:
        ids = [_text(r.message_id) for r in responses]
        return Accepted("accepted " + " ".join(ids), reference=ids[-1] or None)
    status = refused[0]
    text = f"SMPP 0x{status:02X} {consts.DESCRIPTIONS.get(status, 'unknown status')}"
    if len(refused) < len(statuses):  # some parts are with the SMSC already
        raise InDoubt(text, code=status)
    if status in BACK_OFF:
        raise ConnectionBackoff(text, code=status)
    if status in TEMPORARY:
        raise TemporaryFailure(text, code=status)
    raise PermanentFailure(text, code=status)


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value or "")
