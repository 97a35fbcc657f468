"""DKIM signing (RFC 6376, rsa-sha256, relaxed/relaxed) with the RSA primitive from
``cryptography`` (OpenSSL): dkimpy's pure-Python RSA manages about 130 signatures per
second, OpenSSL several thousand. dkimpy verifies our signatures in the tests."""

import base64
import hashlib
import re
import time

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

#: Headers signed when present, in this order (the issue's list plus the ones that shape the
#: body and the list headers).
SIGNED_HEADERS = ("from", "to", "subject", "date", "message-id", "reply-to",
                  "list-unsubscribe", "list-unsubscribe-post", "list-id", "mime-version",
                  "content-type")

_WSP = re.compile(rb"[ \t]+")
_FOLD = re.compile(rb"\r\n(?=[ \t])")


def generate_private_key(bits: int = 2048) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def dns_record(private_key_pem: str) -> str:
    """The TXT record value to publish at ``<selector>._domainkey.<domain>``."""
    key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)
    der = key.public_key().public_bytes(serialization.Encoding.DER,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)
    return f"v=DKIM1; k=rsa; p={base64.b64encode(der).decode()}"


def _relaxed_header(name: bytes, value: bytes) -> bytes:
    value = _WSP.sub(b" ", _FOLD.sub(b"", value)).strip(b" ")
    return name.strip().lower() + b":" + value


def _relaxed_body(body: bytes) -> bytes:
    """RFC 6376 3.4.4 over the whole body at once (a CRLF message): runs of blanks become
    one space, blanks at line ends go, empty lines at the end go, one CRLF ends it."""
    body = _WSP.sub(b" ", body + b"\r\n").replace(b" \r\n", b"\r\n").rstrip(b"\r\n")
    return body + b"\r\n" if body else b""


def _split(message: bytes) -> tuple[list[tuple[bytes, bytes]], bytes]:
    head, _, body = message.partition(b"\r\n\r\n")
    fields: list[tuple[bytes, bytes]] = []
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t") and fields:
            name, value = fields[-1]
            fields[-1] = (name, value + b"\r\n" + line)
        else:
            name, _, value = line.partition(b":")
            fields.append((name, value))
    return fields, body


class Signer:
    """Signs CRLF-terminated messages for one domain and selector."""

    def __init__(self, domain: str, selector: str, private_key_pem: str):
        self.domain = domain
        self.selector = selector
        self._key = serialization.load_pem_private_key(private_key_pem.encode(), password=None)

    def sign(self, message: bytes) -> bytes:
        """The message with a DKIM-Signature header in front."""
        fields, body = _split(message)
        by_name = {name.strip().lower(): (name, value) for name, value in fields}
        signed = [h for h in SIGNED_HEADERS if h.encode() in by_name]
        body_hash = base64.b64encode(hashlib.sha256(_relaxed_body(body)).digest()).decode()
        tags = (f"v=1; a=rsa-sha256; c=relaxed/relaxed; d={self.domain}; s={self.selector}; "
                f"t={int(time.time())}; h={':'.join(signed)}; bh={body_hash}; b=")
        data = b"".join(_relaxed_header(*by_name[h.encode()]) + b"\r\n" for h in signed)
        data += _relaxed_header(b"DKIM-Signature", b" " + tags.encode())
        signature = self._key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        header = "DKIM-Signature: " + tags.replace("; ", ";\r\n\t") + \
            base64.b64encode(signature).decode()
        return header.encode() + b"\r\n" + message
