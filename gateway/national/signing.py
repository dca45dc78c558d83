"""Detached JWS (RFC 7515 Appendix F) with Ed25519 over the exact bytes of each response body, so that
the national platform can prove what the city sent. `verify` is the receiver's side (docs/national-api.md)."""

import base64
import hashlib
import json
import os
import time
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from szcore.settings import Environment, Settings

SIGNATURE_HEADER = "X-Shuzhuan-Signature"
DEV_KEY_NAME = "national-signing-ed25519.pem"
URLSAFE = bytes.maketrans(b"+/", b"-_")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_jwk(key: Ed25519PublicKey) -> dict[str, str]:
    x = b64url(key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw))
    # RFC 7638 thumbprint: the key id follows from the key itself.
    thumbprint = hashlib.sha256(
        json.dumps({"crv": "Ed25519", "kty": "OKP", "x": x}, separators=(",", ":")).encode()
    )
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": x,
        "kid": b64url(thumbprint.digest()),
        "alg": "EdDSA",
        "use": "sig",
    }


class Signer:
    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self.private_key = private_key
        self.jwk = public_jwk(private_key.public_key())
        self.kid = self.jwk["kid"]

    def sign(self, body: bytes, now: int | None = None) -> str:
        """`<protected header>..<signature>`: the payload (the body, base64url) is left out."""
        header = {
            "alg": "EdDSA",
            "kid": self.kid,
            "typ": "JOSE",
            "iat": int(time.time()) if now is None else now,
        }
        protected = b64url(json.dumps(header, separators=(",", ":")).encode())
        # Bytes throughout: the signing input of a megabyte page is not copied through str and back.
        payload = base64.b64encode(body).translate(URLSAFE).rstrip(b"=")
        signature = self.private_key.sign(b"".join((protected.encode("ascii"), b".", payload)))
        return f"{protected}..{b64url(signature)}"

    def jwks(self) -> dict[str, Any]:
        return {"keys": [self.jwk]}


def load_signer(settings: Settings) -> Signer | None:
    """The configured key; in dev and test one is generated under the data dir. None: not configured
    (production without a key), so the API refuses to answer unsigned."""
    path = settings.national_signing_key_file
    if path is None:
        if settings.env not in (Environment.dev, Environment.test):
            return None
        path = settings.data_dir / "keys" / DEV_KEY_NAME
        if not path.exists():
            _generate(path)
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return Signer(key)


def _generate(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    try:
        # Exclusive create: gateways starting together keep whichever key was written first.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)


class SignatureInvalid(Exception):
    pass


def verify(body: bytes, signature: str, jwks: dict[str, Any]) -> dict[str, Any]:
    """Checks a detached JWS over `body` against a JWKS; returns its protected header or raises."""
    try:
        protected, payload, sig = signature.split(".")
        header = json.loads(b64url_decode(protected))
    except ValueError as exc:
        raise SignatureInvalid("malformed signature") from exc
    if payload != "":
        raise SignatureInvalid("the signature must be detached (empty payload part)")
    if header.get("alg") != "EdDSA":
        raise SignatureInvalid(f"algorithm {header.get('alg')!r} is not accepted")
    jwk = next((k for k in jwks.get("keys", []) if k.get("kid") == header.get("kid")), None)
    if jwk is None or jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise SignatureInvalid(f"unknown key id {header.get('kid')!r}")
    key = Ed25519PublicKey.from_public_bytes(b64url_decode(jwk["x"]))
    try:
        key.verify(b64url_decode(sig), f"{protected}.{b64url(body)}".encode("ascii"))
    except InvalidSignature as exc:
        raise SignatureInvalid("the signature does not match the body") from exc
    return dict(header)
