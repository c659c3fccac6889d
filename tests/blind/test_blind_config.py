"""``node.toml`` and ``osatnet node keygen``."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography import x509
from typer.testing import CliRunner

from osatnet.blind.cli import app
from osatnet.blind.config import NodeConfig, keygen, load_config, node_name, write_config
from osatnet.errors import ConfigError


def test_keygen_writes_owner_only_keys_and_a_self_signed_certificate(tmp_path: Path) -> None:
    files = keygen(tmp_path, 1)
    for secret in (files.private_key, files.tls_key):
        assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    cert = x509.load_pem_x509_certificate(files.tls_cert.read_bytes())
    assert cert.issuer == cert.subject
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert node_name(1) in names.get_values_for_type(x509.DNSName)
    with pytest.raises(ConfigError, match="refusing to overwrite"):
        keygen(tmp_path, 1)


def test_config_round_trip_and_key_mismatch(tmp_path: Path) -> None:
    files = [keygen(tmp_path / f"n{i}", i) for i in range(3)]
    nodes = [("127.0.0.1", 7000 + i, f) for i, f in enumerate(files)]
    path = write_config(tmp_path / "node.toml", 2, nodes, store=tmp_path / "store", timeout=9)
    cfg = load_config(path)
    assert cfg.index == 2 and cfg.timeout == 9.0
    assert [n.port for n in cfg.nodes] == [7000, 7001, 7002]
    assert cfg.store == (tmp_path / "store").resolve()
    cfg.load_private_key()  # matches the listed public key
    wrong = write_config(tmp_path / "wrong.toml", 1, nodes, store=tmp_path)
    text = wrong.read_text().replace(str(files[1].private_key.resolve()), str(files[0].private_key))
    wrong.write_text(text)
    with pytest.raises(ConfigError, match="does not match"):
        load_config(wrong).load_private_key()


def test_config_needs_three_nodes(tmp_path: Path) -> None:
    path = tmp_path / "node.toml"
    path.write_text('index = 0\nprivate_key = "k"\n[[nodes]]\nhost = "h"\nport = 1\n')
    with pytest.raises(ConfigError, match="at least three"):
        load_config(path)


def test_cli_keygen_and_run_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["keygen", "--index", "0", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "node-0.x25519.pub" in result.output
    missing = runner.invoke(
        app, ["run", "--config", str(tmp_path / "none.toml"), "--job", "j", "--out", "o"]
    )
    assert missing.exit_code == 2
    assert "cannot read" in missing.output


def test_tls_accepts_only_the_pinned_certificates(tmp_path: Path) -> None:
    """Node 0 reaches node 1 with the listed certificate, and refuses an impostor's."""
    import asyncio
    import ssl

    from osatnet.blind.runtime import tls_context

    files = [keygen(tmp_path / f"n{i}", i) for i in range(3)]
    impostor = keygen(tmp_path / "impostor", 1)  # same name, another key
    nodes = [("127.0.0.1", 7000 + i, f) for i, f in enumerate(files)]
    config0 = load_config(write_config(tmp_path / "0.toml", 0, nodes, store=tmp_path))
    real = load_config(write_config(tmp_path / "1.toml", 1, nodes, store=tmp_path))
    fake_nodes = [nodes[0], ("127.0.0.1", 7001, impostor), nodes[2]]
    fake = load_config(write_config(tmp_path / "f.toml", 1, fake_nodes, store=tmp_path))

    async def reach(server_config: NodeConfig) -> bool:
        server = await asyncio.start_server(
            lambda r, w: w.close(),
            "127.0.0.1",
            0,
            ssl=tls_context(server_config, server=True),
        )
        port = server.sockets[0].getsockname()[1]
        try:
            _, writer = await asyncio.open_connection(
                "127.0.0.1",
                port,
                ssl=tls_context(config0, server=False),
                server_hostname=node_name(1),
            )
            writer.close()
            return True
        except ssl.SSLError:
            return False
        finally:
            server.close()

    assert asyncio.run(reach(real)) is True
    assert asyncio.run(reach(fake)) is False
