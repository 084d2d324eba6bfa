"""The Kubernetes manifests (deploy/k8s/): valid for two Kubernetes versions, private and safe as documented."""

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from support.kustomize import containers, render

ROOT = Path(__file__).resolve().parents[2]
OVERLAY = ROOT / "deploy" / "k8s" / "overlays" / "example"
BASE = ROOT / "deploy" / "k8s" / "base"
VALIDATOR = ROOT / ".venv-tools" / "bin" / "kubernetes-validate"
KUBERNETES_VERSIONS = ["1.29.0", "1.35.0"]
CURRENT_APIS = {"v1", "apps/v1", "autoscaling/v2", "policy/v1", "networking.k8s.io/v1"}
DOCS = render(OVERLAY)


def kind(name_kind: str, name: str) -> dict:
    return next(d for d in DOCS if d["kind"] == name_kind and d["metadata"]["name"] == name)


def config_file(name: str) -> dict:
    return yaml.safe_load(kind("ConfigMap", "ally-config")["data"][name])


def rasa_container() -> dict:
    return kind("Deployment", "ally-rasa")["spec"]["template"]["spec"]["containers"][0]


def env(container: dict) -> dict:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env") or []}


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_manifest_is_valid_for_the_kubernetes_version(tmp_path, version):
    assert VALIDATOR.exists(), "make setup creates .venv-tools with kubernetes-validate"
    files = []
    for i, doc in enumerate(DOCS):
        path = tmp_path / f"{i:02d}-{doc['kind']}-{doc['metadata']['name']}.yaml"
        path.write_text(yaml.safe_dump(doc))
        files.append(str(path))
    result = subprocess.run([str(VALIDATOR), "--strict", "-k", version, *files], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed here")
def test_the_renderer_agrees_with_kubectl_kustomize():
    result = subprocess.run(["kubectl", "kustomize", str(OVERLAY)], capture_output=True, text=True, check=True)
    real = [d for d in yaml.safe_load_all(result.stdout) if d]
    key = lambda d: (d["kind"], d["metadata"]["name"])  # noqa: E731
    assert sorted(real, key=key) == sorted(DOCS, key=key)


def test_only_current_api_versions():
    assert {d["apiVersion"] for d in DOCS} <= CURRENT_APIS


def test_every_image_is_pinned_and_the_overlay_sets_ours():
    images = [c["image"] for c in containers(DOCS)]
    assert all(":" in i and not i.endswith((":latest", ":PLACEHOLDER")) for i in images), images
    base_images = [c["image"] for c in containers(render(BASE))]
    assert {"ally-rasa:PLACEHOLDER", "ally-actions:PLACEHOLDER"} <= set(base_images)


def test_the_http_api_is_off_and_the_model_is_in_the_image():
    args = rasa_container()["args"]
    assert "--enable-api" not in args and "--model-server" not in " ".join(args)
    assert args[args.index("--model") + 1] == "models/ally.tar.gz"
    assert "models" not in config_file("endpoints.yml"), "no model server: the model is baked into the image"


def test_origins_are_the_helplines_not_everyone():
    args = rasa_container()["args"]
    origins = [args[args.index("--cors") + 1], env(rasa_container())["ALLY_ALLOWED_ORIGINS"]]
    origins += config_file("credentials.yml")["ally.channels.widget.WidgetInput"]["allowed_origins"]
    assert all(o.startswith("https://") and "*" not in o for o in origins), origins


def test_telemetry_is_off():
    assert env(rasa_container())["RASA_TELEMETRY_ENABLED"] == "false"


def test_the_stores_are_allys_on_redis_and_nothing_else_keeps_events():
    endpoints = config_file("endpoints.yml")
    store, lock = endpoints["tracker_store"], endpoints["lock_store"]
    assert store["type"] == "ally.tracker_store.PrivacyTrackerStore" and store["backend"] == "redis"
    assert 0 < store["idle_minutes"] <= 60
    assert lock["type"] == "ally.lock_store.ResilientRedisLockStore"
    assert "event_broker" not in endpoints
    assert not any(k in str(endpoints).lower() for k in ("sql", "dialect", "postgres", "mongo"))
    assert endpoints["nlg"]["type"] == "ally.nlg.LanguageNLG"
    assert env(rasa_container())["ALLY_REDIS_PASSWORD"]["secretKeyRef"]["name"] == "ally-redis"


def test_redis_keeps_nothing_on_disk_and_needs_the_password():
    redis = kind("Deployment", "ally-redis")["spec"]["template"]["spec"]["containers"][0]
    args = redis["args"]
    assert args[args.index("--save") + 1] == "" and args[args.index("--appendonly") + 1] == "no"
    assert args[args.index("--requirepass") + 1] == "$(ALLY_REDIS_PASSWORD)"


def test_the_ingress_keeps_no_access_log_and_serves_websockets():
    annotations = kind("Ingress", "ally")["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/enable-access-log"] == "false"
    assert int(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 600


@pytest.mark.parametrize("name", ["ally-rasa", "ally-actions", "ally-redis"])
def test_pods_run_locked_down(name):
    pod = kind("Deployment", name)["spec"]["template"]["spec"]
    assert pod["automountServiceAccountToken"] is False
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
    for container in pod["containers"]:
        context = container["securityContext"]
        assert context["readOnlyRootFilesystem"] is True and context["allowPrivilegeEscalation"] is False
        assert context["capabilities"]["drop"] == ["ALL"]
        assert container["resources"]["requests"] and container["resources"]["limits"]["memory"]
        assert container["readinessProbe"] and container["livenessProbe"]


def test_the_network_is_closed_but_for_the_paths_ally_needs():
    deny = kind("NetworkPolicy", "ally-default-deny")["spec"]
    assert deny["podSelector"] == {} and set(deny["policyTypes"]) == {"Ingress", "Egress"}
    actions_in = kind("NetworkPolicy", "ally-actions")["spec"]["ingress"]
    assert actions_in == [
        {
            "from": [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "ally-rasa"}}}],
            "ports": [{"protocol": "TCP", "port": 5055}],
        }
    ]
    redis_from = kind("NetworkPolicy", "ally-redis")["spec"]["ingress"][0]["from"]
    assert {f["podSelector"]["matchLabels"]["app.kubernetes.io/name"] for f in redis_from} == {
        "ally-rasa",
        "ally-actions",
    }


def test_scaling_objects_use_current_apis():
    hpa = kind("HorizontalPodAutoscaler", "ally-rasa")
    assert hpa["apiVersion"] == "autoscaling/v2" and hpa["spec"]["minReplicas"] >= 2
    assert kind("PodDisruptionBudget", "ally-rasa")["spec"]["minAvailable"] == 1


def test_the_old_helm_values_are_gone():
    assert not (ROOT / "deploy" / "helm").exists()
