"""Compute-node configuration (``node.toml``) and key generation (``osatnet node keygen``).

``node.toml``::

    index = 0                          # this node's position in [[nodes]] (MPyC party id)
    private_key = "node-0.x25519.key"  # opens the shares members sealed to this node
    tls_cert = "node-0.crt"            # this node's TLS certificate and key
    tls_key = "node-0.tls.key"
    store = "shares"                   # where the sealed share bundles are read from
    timeout = 600                      # seconds before an unfinished computation is abandoned

    [[nodes]]                          # every node, in party order, this one included
    host = "127.0.0.1"
    port = 11365
    public_key = "…base64…"            # its X25519 public key (members seal shares to it)
    tls_cert = "node-0.crt"            # its certificate: pinned, the only one accepted for it

Relative paths are read from the file's directory. TLS certificates are self-signed: each node
trusts exactly the certificates listed here, so no certificate authority is involved.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.x509.oid import NameOID

from ..errors import ConfigError
from .envelope import b64, public_bytes, unb64

__all__ = [
    "KeyFiles",
    "NodeConfig",
    "NodeEntry",
    "keygen",
    "load_config",
    "node_name",
    "write_config",
]


def node_name(index: int) -> str:
    """The TLS server name (certificate subject) of node ``index``."""
    return f"osatnet-node-{index}"


@dataclass(frozen=True)
class NodeEntry:
    host: str
    port: int
    public_key: bytes  # raw X25519
    tls_cert: Path


@dataclass(frozen=True)
class NodeConfig:
    index: int
    nodes: tuple[NodeEntry, ...]
    private_key: Path
    tls_cert: Path
    tls_key: Path
    store: Path
    timeout: float = 600.0

    @property
    def me(self) -> NodeEntry:
        return self.nodes[self.index]

    def load_private_key(self) -> X25519PrivateKey:
        try:
            key = serialization.load_pem_private_key(self.private_key.read_bytes(), None)
        except (OSError, ValueError) as exc:
            raise ConfigError(f"cannot read the node key {self.private_key}: {exc}") from None
        if not isinstance(key, X25519PrivateKey):
            raise ConfigError(f"{self.private_key} is not an X25519 private key")
        if public_bytes(key.public_key()) != self.me.public_key:
            raise ConfigError(
                f"{self.private_key} does not match the public key listed for node {self.index}"
            )
        return key


def _path(base: Path, value: object, what: str) -> Path:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"node.toml: {what} must be a file path")
    p = Path(value)
    return p if p.is_absolute() else base / p


def load_config(path: str | Path) -> NodeConfig:
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {file}: {exc}") from None
    base = file.parent
    raw_nodes = data.get("nodes")
    if not isinstance(raw_nodes, list) or len(raw_nodes) < 3:
        raise ConfigError(f"{file}: list at least three [[nodes]] (honest majority)")
    nodes = []
    for i, n in enumerate(raw_nodes):
        try:
            key = unb64(str(n["public_key"]))
            entry = NodeEntry(
                str(n["host"]), int(n["port"]), key, _path(base, n["tls_cert"], "tls_cert")
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(
                f"{file}: node {i} needs host, port, public_key, tls_cert: {exc}"
            ) from None
        if len(key) != 32:
            raise ConfigError(f"{file}: node {i}: public_key must be 32 bytes (X25519)")
        nodes.append(entry)
    index = data.get("index")
    if not isinstance(index, int) or not 0 <= index < len(nodes):
        raise ConfigError(f"{file}: index must be a node number from 0 to {len(nodes) - 1}")
    return NodeConfig(
        index=index,
        nodes=tuple(nodes),
        private_key=_path(base, data.get("private_key"), "private_key"),
        tls_cert=_path(base, data.get("tls_cert"), "tls_cert"),
        tls_key=_path(base, data.get("tls_key"), "tls_key"),
        store=_path(base, data.get("store", "shares"), "store"),
        timeout=float(data.get("timeout", 600.0)),
    )


@dataclass(frozen=True)
class KeyFiles:
    private_key: Path
    public_key: Path
    tls_key: Path
    tls_cert: Path

    def public_key_b64(self) -> str:
        return self.public_key.read_text(encoding="ascii").strip()


def _write_secret(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)


def keygen(out: Path, index: int, *, host: str = "127.0.0.1", days: int = 825) -> KeyFiles:
    """Write node ``index``'s X25519 key pair and a self-signed TLS certificate into ``out``.

    Private keys get owner-only permissions. Existing files are never overwritten: a node's
    key opens the shares already sealed to it.
    """
    out.mkdir(parents=True, exist_ok=True)
    stem = f"node-{index}"
    files = KeyFiles(
        out / f"{stem}.x25519.key", out / f"{stem}.x25519.pub", out / f"{stem}.tls.key",
        out / f"{stem}.crt",
    )  # fmt: skip
    existing = [str(p) for p in vars(files).values() if p.exists()]
    if existing:
        raise ConfigError(f"refusing to overwrite {', '.join(existing)}")
    share_key = X25519PrivateKey.generate()
    _write_secret(
        files.private_key,
        share_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
    files.public_key.write_text(b64(public_bytes(share_key.public_key())) + "\n", "ascii")
    tls_key = ec.generate_private_key(ec.SECP256R1())
    _write_secret(
        files.tls_key,
        tls_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, node_name(index))])
    alt: list[x509.GeneralName] = [x509.DNSName(node_name(index))]
    try:
        alt.append(x509.IPAddress(ipaddress.ip_address(host)))
    except ValueError:
        alt.append(x509.DNSName(host))
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(tls_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.SubjectAlternativeName(alt), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(tls_key, hashes.SHA256())
    )
    files.tls_cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return files


def write_config(
    path: Path,
    index: int,
    nodes: list[tuple[str, int, KeyFiles]],
    *,
    store: Path,
    timeout: float = 600.0,
) -> Path:
    """Write node ``index``'s ``node.toml`` (absolute paths) for ``nodes`` in party order."""

    def q(value: object) -> str:
        return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'

    me = nodes[index][2]
    lines = [
        f"index = {index}",
        f"private_key = {q(me.private_key.resolve())}",
        f"tls_cert = {q(me.tls_cert.resolve())}",
        f"tls_key = {q(me.tls_key.resolve())}",
        f"store = {q(store.resolve())}",
        f"timeout = {float(timeout)!r}",
    ]
    for host, port, files in nodes:
        lines += [
            "",
            "[[nodes]]",
            f"host = {q(host)}",
            f"port = {int(port)}",
            f"public_key = {q(files.public_key_b64())}",
            f"tls_cert = {q(files.tls_cert.resolve())}",
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
