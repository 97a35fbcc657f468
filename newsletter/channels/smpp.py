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
"""

import contextlib
import itertools
import logging
import time

from smpplib import client as smpp_client
from smpplib import consts, exceptions, smpp

from newsletter.sms.parts import MAX_PARTS, UCS2, decode, encode, split
from newsletter.sms.senders import addressing

from .base import (
    Accepted,
    ConnectionBackoff,
    InDoubt,
    OutgoingMessage,
    PermanentFailure,
    ServerUnavailable,
    TemporaryFailure,
)

log = logging.getLogger(__name__)
DATA_CODING = {"gsm7": 0x00, UCS2: 0x08}
ESM_UDHI = 0x40
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
                 on_deliver=None):
        self.host, self.port = host, port
        self.system_id, self.password, self.system_type = system_id, password, system_type
        self.source = source  # the operator's number: used when a message has no sender
        self.timeout, self.keepalive = timeout, keepalive
        self.registered_delivery = registered_delivery
        self.on_deliver = on_deliver
        self._client: smpp_client.Client | None = None
        self._last_io = 0.0
        self._references = itertools.cycle(range(1, 256))

    # --- connection ---------------------------------------------------------------------
    def _connect(self) -> smpp_client.Client:
        if self._client is not None:
            if time.monotonic() - self._last_io > self.keepalive:
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
            raise ServerUnavailable(f"SMPP {self.host}:{self.port}: cannot bind: {exc}") from exc
        self._client, self._last_io = client, time.monotonic()
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
            raise PermanentFailure(f"the text has {parts.count} parts (1 to {MAX_PARTS})")
        client = self._connect()
        sequences = []
        for fields in self._submits(message, parts):
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
            raise InDoubt(f"SMPP connection lost before the answer: {exc}") from exc
        statuses = [int(responses[s].status) for s in sequences]
        refused = [s for s in statuses if s != consts.SMPP_ESME_ROK]
        if not refused:  # the receipt (asked for with the last part) quotes the last id
            ids = [_text(responses[s].message_id) for s in sequences]
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
                    pdu = client.read_pdu()
                except TimeoutError:
                    if time.monotonic() - self._last_io > self.keepalive:
                        client.send_pdu(smpp.make_pdu("enquire_link", client=client))
                        self._last_io = time.monotonic()
                    continue
            else:
                pdu = client.read_pdu()
            self._last_io = time.monotonic()
            if pdu.sequence in sequences and pdu.command in (command, "generic_nack"):
                found[pdu.sequence] = pdu
                continue
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
                continue
            answer.sequence = pdu.sequence
            client.send_pdu(answer)
        return found

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


def _text(value) -> str:
    return value.decode() if isinstance(value, bytes) else str(value or "")
