"""Signing keys and tokens for production: an RSA key pair per issuer, published as a JWKS file that every
service and the gateway read (SZ_AUTH_JWKS_FILE); the private key stays with whoever issues tokens."""

import json
import secrets
from pathlib import Path

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def generate_key(directory: Path, kid: str | None = None) -> tuple[Path, Path, str]:
    """Writes <kid>.pem (private, mode 600) and adds the public key to jwks.json (other keys are kept,
    so that keys can be rotated: publish the new one, switch issuers, then drop the old one)."""
    kid = kid or f"key-{secrets.token_hex(4)}"
    directory.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = directory / f"{kid}.pem"
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    private.chmod(0o600)
    jwks_path = directory / "jwks.json"
    document = json.loads(jwks_path.read_text()) if jwks_path.exists() else {"keys": []}
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    document["keys"] = [k for k in document["keys"] if k.get("kid") != kid] + [
        {**public, "kid": kid, "alg": "RS256", "use": "sig"}
    ]
    jwks_path.write_text(json.dumps(document, indent=2))
    return private, jwks_path, kid
