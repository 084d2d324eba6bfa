"""Scale-out mode: scripts/run_cluster.sh (Redis, two Rasa replicas, nginx) as `make run-cluster` starts it.

One conversation is sent alternately to replica A and replica B (directly and
through nginx) and keeps its state: the country from the first turn's
metadata, the age band, the question "which country?" asked on one replica
and answered on the other. Redis holds no message text, every key expires,
and nothing of the chat reaches the logs. Then a small load test (20
conversations x 5 turns, each with its own country) against the cluster and
against one `make run`-style server: no errors, no timeouts, no cross-talk.
"""

import asyncio
import json
import sys
import uuid

from support.servers import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from load_test import run_load  # noqa: E402  (bench/load_test.py, the load generator of `make load`)

from support.clients import RawSocketIO
from support.replies import age_variant, handoff_country, response_variants
from support.servers import Canaries

CANARIES = Canaries()
canary = CANARIES.new


variants = response_variants


SEXTORTION_UNDER_13 = age_variant("utter_sextortion", "under_13")
SEXTORTION_13_15 = age_variant("utter_sextortion", "13_15")
SEXTORTION_DEFAULT = age_variant("utter_sextortion", None)


def sextortion():
    return f"he says he will post my pics {canary()} unless i pay him"


def sender():
    return f"cluster-{uuid.uuid4().hex}"


def ok(response):
    status, _headers, replies = response
    assert status == 200, (status, replies)
    assert isinstance(replies, list) and replies
    return replies


def test_a_conversation_alternating_between_the_replicas_keeps_country_and_age(cluster):
    who = sender()
    a, b = cluster.replica_url(0), cluster.replica_url(1)
    first = ok(cluster.say(a, who, sextortion(), {"country": "SE", "age": 14}))
    assert first[0]["text"] == SEXTORTION_13_15
    assert handoff_country(first) == "SE"

    # No metadata from here on: only the state in Redis knows the country and the age.
    second = ok(cluster.say(b, who, sextortion()))
    assert second[0]["text"] == SEXTORTION_13_15
    assert handoff_country(second) == "SE"
    assert "BRIS" in "\n".join(r.get("text", "") for r in second)

    third = ok(cluster.say(a, who, f"can i talk to a real person {canary()}"))
    assert handoff_country(third) == "SE"

    stored = json.loads(cluster.redis_client().get(f"ally:tracker:{who}"))
    slots = {e["name"]: e["value"] for e in stored["events"] if e["event"] == "slot"}
    assert slots["country"] == "SE" and slots["age_band"] == "13_15"


def test_the_country_question_asked_on_one_replica_is_answered_on_the_other(cluster):
    who = sender()
    asked = ok(cluster.say(cluster.replica_url(0), who, sextortion()))
    assert asked[0]["text"] == SEXTORTION_DEFAULT
    assert asked[-1]["text"] in variants("utter_ask_country")

    answered = ok(cluster.say(cluster.replica_url(1), who, f"i live in ireland {canary()}"))
    assert handoff_country(answered) == "IE"
    assert "116 111" in "\n".join(r.get("text", "") for r in answered)


def test_through_nginx_the_turns_go_to_both_replicas_and_the_state_follows(cluster):
    who = sender()
    status, headers, first = cluster.say(cluster.url, who, sextortion(), {"country": "GB", "age": 12})
    assert status == 200 and first[0]["text"] == SEXTORTION_UNDER_13 and handoff_country(first) == "GB"
    served_by = {headers.get("X-Ally-Replica")}
    for _ in range(3):
        status, headers, replies = cluster.say(cluster.url, who, sextortion())
        assert status == 200
        assert replies[0]["text"] == SEXTORTION_UNDER_13
        assert handoff_country(replies) == "GB"
        served_by.add(headers.get("X-Ally-Replica"))
    assert served_by == {"a", "b"}, "nginx did not spread the turns over both replicas"


def test_the_widget_talks_over_websocket_through_nginx_and_its_state_is_shared(cluster):
    session_id = uuid.uuid4().hex

    async def talk():
        socket = await RawSocketIO.connect(cluster.url)  # through nginx: WebSocket upgrade
        try:
            await socket.start_session(session_id)
            await socket.emit(
                "user_uttered", {"message": sextortion(), "session_id": session_id, "customData": {"country": "NO"}}
            )
            first = await socket.bot_messages()
        finally:
            await socket.close()
        # The same conversation continues on the other replica, without metadata.
        other = await RawSocketIO.connect(cluster.replica_url(1))
        try:
            await other.start_session(session_id)
            await other.emit(
                "user_uttered", {"message": f"can i talk to a real person {canary()}", "session_id": session_id}
            )
            second = await other.bot_messages()
        finally:
            await other.close()
        return first, second

    first, second = asyncio.run(talk())
    assert first[0]["text"] in variants("utter_sextortion")
    assert handoff_country(first) == "NO"
    assert handoff_country(second) == "NO"


def test_redis_holds_no_message_text_and_every_key_expires(cluster):
    ok(cluster.say(cluster.url, sender(), sextortion(), {"country": "DE", "note": canary()}))
    assert CANARIES, "no conversation ran"
    found = 0
    for db in (0, 1):  # 0: Ally's tracker store, 1: Rasa's lock store
        client = cluster.redis_client(db)
        for key in client.scan_iter("*"):
            value = client.get(key) or b""
            assert not [c for c in CANARIES if c.encode() in key or c.encode() in value], key
            assert 0 < client.ttl(key) <= 30 * 60, f"{key!r} never expires"
            found += 1
    assert found >= 4
    config = cluster.redis_client().config_get("*")
    assert config["save"] == "" and config["appendonly"] == "no"


def test_nothing_of_the_chat_in_the_logs_and_no_access_log(cluster):
    log = cluster.logs["cluster"].read_text(errors="replace")
    assert "Rasa server is up and running" in log
    assert not [c for c in CANARIES if c in log]
    assert "127.0.0.1 - -" not in log  # an access log line
    nginx_conf = (cluster.run_dir / "nginx.conf").read_text()
    assert "access_log off;" in nginx_conf
    written = [p for p in cluster.run_dir.rglob("*") if p.is_file()]
    assert not [p for p in written if p.suffix == ".log" or p.parent.name in ("client_body", "proxy")]


def test_small_load_on_the_cluster_has_no_errors_and_no_cross_talk(cluster):
    result = asyncio.run(run_load(cluster.url, conversations=20, turns=5, timeout=120, deadline=400))
    assert (result["errors"], result["timeouts"], result["cross_talk"]) == (0, 0, 0), result
    assert result["ok"] == 100


def test_small_load_on_one_server_has_no_errors_and_no_cross_talk(servers):
    result = asyncio.run(run_load(servers.url, conversations=20, turns=5, timeout=120, deadline=400))
    assert (result["errors"], result["timeouts"], result["cross_talk"]) == (0, 0, 0), result
    assert result["ok"] == 100
