"""Interop check: tokens minted by PyJWT and joserfc for every asymmetric algorithm must verify with the
`authkit` CLI (keys given as PEM, DER, JWK and JWKS), and their tampered twins must be rejected; tokens the
CLI signs must verify with PyJWT.

Usage: python3 interop.py /path/to/authkit
Prints one line per failed check and ends with 'interop: N passed, N failed'; exit status 1 on any failure.
"""

import base64
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings

import jwt as pyjwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from joserfc import jws as jrfc_jws
from joserfc import jwt as jrfc_jwt
from joserfc.jwk import ECKey, OKPKey, RSAKey

warnings.simplefilter("ignore")

ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
CURVES = {"ES256": ec.SECP256R1(), "ES384": ec.SECP384R1(), "ES512": ec.SECP521R1()}

authkit = sys.argv[1]
work = tempfile.mkdtemp(prefix="authkit-interop-")
passed = 0
failed = 0


def check(ok, what):
    global passed, failed
    if ok:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + what)


def run(*args, stdin=None):
    return subprocess.run([authkit, *args], capture_output=True, input=stdin)


def write(name, data):
    path = os.path.join(work, name)
    with open(path, "wb") as handle:
        handle.write(data if isinstance(data, bytes) else data.encode())
    return path


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def generate(alg):
    if alg.startswith(("RS", "PS")):
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if alg.startswith("ES"):
        return ec.generate_private_key(CURVES[alg])
    return ed25519.Ed25519PrivateKey.generate()


def tampered(token):
    """Twins that must all be rejected: flipped signature bit, changed payload, alg switched to HS256."""
    header, payload, signature = token.split(".")
    raw = bytearray(unb64(signature))
    raw[len(raw) // 2] ^= 0x01
    yield "flipped signature bit", ".".join([header, payload, b64(bytes(raw))])
    claims = json.loads(unb64(payload))
    claims["sub"] = "mallory"
    yield "changed payload", ".".join([header, b64(json.dumps(claims).encode()), signature])
    fields = json.loads(unb64(header))
    fields["alg"] = "HS256"
    yield "alg switched to HS256", ".".join([b64(json.dumps(fields).encode()), payload, signature])
    yield "signature dropped", ".".join([header, payload, ""])


now = int(time.time())
for alg in ALGORITHMS:
    private = generate(alg)
    public = private.public_key()
    kid = "interop-" + alg.lower()
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    importer = RSAKey if alg[:2] in ("RS", "PS") else ECKey if alg.startswith("ES") else OKPKey
    jrfc_private = importer.import_key(private_pem)
    jwk = jrfc_private.as_dict(private=False)
    jwk.update({"kid": kid, "alg": alg, "use": "sig"})
    other = importer.import_key(
        generate(alg).private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    ).as_dict(private=False)
    other.update({"kid": kid + "-other", "alg": alg})
    key_files = {
        "PEM": (write(alg + ".pub.pem", pem), ["--kid", kid, "--alg", alg]),
        "DER": (write(alg + ".pub.der", der), ["--kid", kid, "--alg", alg]),
        "JWK": (write(alg + ".jwk", json.dumps(jwk)), []),
        "JWKS": (write(alg + ".jwks", json.dumps({"keys": [other, jwk]})), []),
    }
    claims = {"sub": "interop", "iss": "python", "exp": now + 600, "iat": now}
    tokens = {
        "PyJWT": pyjwt.encode(claims, private_pem, algorithm=alg, headers={"kid": kid}),
        "joserfc": jrfc_jwt.encode({"alg": alg, "kid": kid}, claims, jrfc_private, algorithms=[alg]),
    }
    for minter, token in tokens.items():
        for form, (path, extra) in key_files.items():
            result = run("jwt", "verify", "--key", path, *extra, token)
            check(result.returncode == 0, f"{alg} {minter} token, {form} key: exit {result.returncode} "
                  f"{result.stderr.decode().strip()}")
            for twin, forged in tampered(token):
                result = run("jwt", "verify", "--key", path, *extra, forged)
                check(result.returncode == 1, f"{alg} {minter} {twin}, {form} key: exit {result.returncode}")
    # A non-JSON payload through `jws verify`.
    payload = b"webhook body \x00\xff not JSON"
    compact = jrfc_jws.serialize_compact({"alg": alg, "kid": kid}, payload, jrfc_private, algorithms=[alg])
    compact = compact.decode() if isinstance(compact, bytes) else compact
    result = run("jws", "verify", "--key", key_files["JWK"][0], compact)
    check(result.returncode == 0 and result.stdout == payload, f"{alg} joserfc JWS payload: exit {result.returncode}")
    header, body, signature = compact.split(".")
    result = run("jws", "verify", "--key", key_files["JWK"][0], ".".join([header, b64(b"other"), signature]))
    check(result.returncode == 1, f"{alg} joserfc JWS tampered payload: exit {result.returncode}")
    # The other direction: the CLI signs with the private PEM, PyJWT verifies with the public key.
    signing_pem = write(alg + ".pem", private_pem)
    result = run("jwt", "sign", "--key", signing_pem, "--alg", alg, "--claims", json.dumps(claims))
    ok = result.returncode == 0
    if ok:
        try:
            decoded = pyjwt.decode(result.stdout.decode().strip(), pem, algorithms=[alg])
            ok = decoded["sub"] == "interop"
        except Exception as error:  # noqa: BLE001 - any failure to verify is the finding
            print(f"  PyJWT: {error}")
            ok = False
    check(ok, f"{alg} CLI-signed token verified by PyJWT")

print(f"interop: {passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
