"""Fixtures: the real Rasa server and action server, and the scale-out cluster, started once per session.

Helpers live in tests/support/ (servers, replies, the cluster, a socket.io
client); tests import them from there, never from this file. Tests under
server/, browser/ and cluster/ start real servers and are marked `server`.
"""

from pathlib import Path

import pytest
import yaml

from support.cluster import Cluster, shared_cluster_for
from support.servers import MODEL, ROOT, Servers

SLOW_GROUPS = ("server", "browser", "cluster")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if Path(item.fspath).parent.name in SLOW_GROUPS:
            item.add_marker(pytest.mark.server)


@pytest.fixture(scope="session")
def domain() -> dict:
    return yaml.safe_load((ROOT / "domain.yml").read_text())


@pytest.fixture(scope="session")
def servers(tmp_path_factory):
    if not MODEL.exists():
        pytest.fail("models/ally.tar.gz is missing: run `make train` (make test does it for you)")
    running = Servers(tmp_path_factory.mktemp("servers"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def cluster(request, tmp_path_factory) -> Cluster:
    return shared_cluster_for(request, tmp_path_factory)
