"""The configuration Kubernetes would run is the configuration tested: the ConfigMap's endpoints.yml and
credentials.yml boot the real Rasa server and action server against a real, password-protected Redis."""

import secrets
import shutil
import subprocess
import time
import uuid

import pytest
import yaml

from support.kustomize import render
from support.replies import handoff_country, replies_text
from support.servers import ROOT, Canaries, Servers, free_port

CONFIG = next(
    d
    for d in render(ROOT / "deploy" / "k8s" / "overlays" / "example")
    if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "ally-config"
)


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    import redis

    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed (.ci/run installs it)")
    workdir = tmp_path_factory.mktemp("k8s-config")
    password, port = secrets.token_hex(16), free_port()
    server = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--requirepass",
            password,
            "--dir",
            str(workdir),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port, password=password)
    for _ in range(50):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.1)
    # Only the addresses change: the cluster's service names become this machine's ports.
    endpoints = CONFIG["data"]["endpoints.yml"].replace("http://ally-actions:5055", "http://127.0.0.1:5055")
    endpoints = endpoints.replace("url: ally-redis", "url: 127.0.0.1").replace("port: 6379", f"port: {port}")
    credentials = CONFIG["data"]["credentials.yml"]
    servers = Servers(
        workdir, env={"ALLY_REDIS_PASSWORD": password}, endpoints_text=endpoints, credentials_text=credentials
    )
    yield servers, client
    servers.stop()
    server.terminate()
    server.wait(timeout=20)


def test_the_configmap_is_what_the_servers_read():
    endpoints = yaml.safe_load(CONFIG["data"]["endpoints.yml"])
    assert endpoints["tracker_store"]["backend"] == "redis" and "password" not in endpoints["tracker_store"]


def test_a_conversation_on_the_kubernetes_configuration(deployed):
    servers, client = deployed
    canaries = Canaries()
    who = f"k8s-{uuid.uuid4().hex}"
    first = servers.say(who, f"someone on snap keeps asking me for pics {canaries.new()}", {"country": "GB"})
    assert "Childline" in replies_text(first) and handoff_country(first) == "GB"
    second = servers.say(who, f"can i talk to a real person {canaries.new()}")
    assert handoff_country(second) == "GB", "the country came back from Redis"
    keys = list(client.scan_iter("*"))
    assert any(k.decode().endswith(who) for k in keys), "the conversation is in Redis"
    for key in keys:
        value = client.get(key) if client.type(key) == b"string" else b""
        assert not any(c.encode() in (value or b"") or c.encode() in key for c in canaries), key
        assert client.ttl(key) > 0, f"{key} never expires"


def test_the_probes_answer_with_the_api_off(deployed):
    import urllib.request

    servers, _ = deployed
    for path in ("/", "/webhooks/rest/"):
        with urllib.request.urlopen(servers.url + path, timeout=10) as response:
            assert response.status == 200, path
