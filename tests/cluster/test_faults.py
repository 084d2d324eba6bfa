"""Faults in scale-out mode (scripts/run_cluster.sh): parts stop, Ally keeps answering safely.

* The action server stops mid-conversation: risk messages still get their
  guidance and generic help, danger now the emergency numbers; when it is
  back the conversation continues with full service and its earlier state,
  without restarting Rasa. (tests/test_server.py checks the single-server case.)
* A replica is killed: the next messages through nginx go to the other
  replica and the conversation continues; restarted, the replica continues
  the same conversation from the state in Redis.
* Redis stops: every message is still answered (200), with the bot's answer,
  a short notice and generic help, never an error or nothing; when Redis is
  back, state is shared again (ally/lock_store.py, ally/channels/rest.py).
"""

import signal
import time
import uuid

from support.replies import age_variant, handoff_country, response_variants
from support.servers import ROOT, Canaries

CANARIES = Canaries()
canary = CANARIES.new


variants = response_variants


def sextortion():
    return f"he says he will post my pics {canary()} unless i pay him"


def sender():
    return f"fault-{uuid.uuid4().hex}"


def texts(replies):
    return [r.get("text") for r in replies if r.get("text")]


def say(cluster, base_url, who, message, metadata=None):
    status, headers, replies = cluster.say(base_url, who, message, metadata)
    assert status == 200, (status, replies)
    assert isinstance(replies, list) and replies, "an answer with no message"
    return replies, headers


def test_action_server_stopped_mid_conversation_then_back_without_restarting_rasa(cluster):
    replicas_before = (cluster.pid("replica-a"), cluster.pid("replica-b"))
    who = sender()
    replies, _ = say(cluster, cluster.url, who, sextortion(), {"country": "SE"})
    assert handoff_country(replies) == "SE"

    cluster.stop_part("actions")
    replies, _ = say(cluster, cluster.url, who, sextortion())
    assert replies[0]["text"] in variants("utter_sextortion")
    assert replies[-1]["text"] in variants("utter_offline_help")
    replies, _ = say(cluster, cluster.url, sender(), f"hes outside my house right now {canary()}", {"country": "SE"})
    assert replies[0]["text"] in variants("utter_emergency_offline")

    cluster.restart_actions()
    for _ in range(2):  # both replicas, through nginx: the country is still known
        replies, _ = say(cluster, cluster.url, who, f"can i talk to a real person {canary()}")
        assert handoff_country(replies) == "SE"
    assert (cluster.pid("replica-a"), cluster.pid("replica-b")) == replicas_before


def test_a_killed_replica_is_skipped_and_a_restarted_one_continues_from_redis(cluster):
    who = sender()
    replies, _ = say(cluster, cluster.url, who, sextortion(), {"country": "GB", "age": 15})
    assert handoff_country(replies) == "GB"

    cluster.stop_part("replica-a", signal.SIGKILL)
    served_by = []
    for _ in range(4):
        replies, headers = say(cluster, cluster.url, who, sextortion())
        assert replies[0]["text"] == age_variant("utter_sextortion", "13_15")  # from the stored age band
        assert handoff_country(replies) == "GB"
        served_by.append(headers.get("X-Ally-Replica"))
    assert served_by == ["b"] * 4

    # Rasa restarted: the new process has no memory of its own, the conversation comes from Redis.
    cluster.restart_replica(0)
    replies, _ = say(cluster, cluster.replica_url(0), who, f"can i talk to a real person {canary()}")
    assert handoff_country(replies) == "GB"


def test_redis_stopped_gives_a_safe_answer_with_generic_help_then_recovers(cluster):
    cluster.stop_part("redis")
    generic = variants("utter_offline_help")[0]
    for base_url in (cluster.url, cluster.replica_url(0), cluster.replica_url(1)):
        replies, _ = say(cluster, base_url, sender(), sextortion(), {"country": "SE"})
        assert replies[0]["text"] in variants("utter_sextortion")  # the guidance itself
        assert variants("utter_degraded")[0] in texts(replies)
        assert replies[-1]["text"] in variants("utter_offline_help") or replies[-1]["text"] == generic
        assert handoff_country(replies) == "SE"  # the metadata still routes to the right helpline
    replies, _ = say(cluster, cluster.url, sender(), f"hes outside my house right now {canary()}", {"country": "US"})
    assert "911" in replies[0]["text"]

    cluster.restart_redis()
    time.sleep(float(cluster.env["ALLY_REDIS_RETRY_SECONDS"]) + 0.5)  # the replicas try Redis again after this
    who = sender()
    first, _ = say(cluster, cluster.replica_url(0), who, sextortion(), {"country": "IE"})
    second, _ = say(cluster, cluster.replica_url(1), who, f"can i talk to a real person {canary()}")
    assert handoff_country(first) == handoff_country(second) == "IE"
    assert variants("utter_degraded")[0] not in texts(first) + texts(second)
    assert cluster.redis_client().exists(f"ally:tracker:{who}")


def test_the_lock_store_without_redis_falls_back_then_returns_to_redis(tmp_path):
    """ally/lock_store.py on its own: Redis absent, then started; no Rasa needed."""
    import asyncio
    import subprocess

    import redis

    from ally.lock_store import ResilientRedisLockStore
    from support.servers import free_port

    port = free_port()
    store = ResilientRedisLockStore(host="127.0.0.1", port=port, retry_seconds=0.2)

    async def use(conversation_id):
        async with store.lock(conversation_id):
            return store.degraded

    assert asyncio.run(use("c1")) is True  # no Redis: answered anyway, with an in-process lock
    process = subprocess.Popen(
        ["redis-server", str(ROOT / "deploy" / "redis" / "redis.conf"), "--port", str(port), "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        client = redis.Redis(port=port, db=1)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        time.sleep(0.3)  # past retry_seconds

        async def hold():
            async with store.lock("c2"):
                return store.degraded, client.ttl("lock:c2")

        degraded, ttl = asyncio.run(hold())
        assert degraded is False and 0 < ttl <= 2 * 60  # back on Redis; lock keys expire
        assert not client.exists("lock:c2")  # and are removed after the message
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_nothing_of_the_chat_in_any_log_after_the_faults(cluster):
    assert CANARIES
    for name, path in cluster.logs.items():
        text = path.read_text(errors="replace")
        assert not [c for c in CANARIES if c in text], f"chat text in the {name} log"
