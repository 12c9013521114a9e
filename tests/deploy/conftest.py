"""The deploy tests' certificate: made for each test by a CA of its own (trustme)."""

from pathlib import Path

import pytest


@pytest.fixture
def certificate(tmp_path) -> tuple[Path, Path, object]:
    """A certificate for help.example.com and 127.0.0.1 from a CA made for the test: (cert, key, CA)."""
    import trustme

    ca = trustme.CA()
    issued = ca.issue_cert("help.example.com", "127.0.0.1")
    cert, key = tmp_path / "fullchain.pem", tmp_path / "privkey.pem"
    issued.cert_chain_pems[0].write_to_path(str(cert))
    for extra in issued.cert_chain_pems[1:]:
        extra.write_to_path(str(cert), append=True)
    issued.private_key_pem.write_to_path(str(key))
    return cert, key, ca
