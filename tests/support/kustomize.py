"""Render a kustomization the way `kubectl kustomize` does, for the parts Ally's manifests use.

Supported: `resources` (files and directories with a kustomization.yaml), `namespace`,
`labels` (metadata labels only, as `includeSelectors: false`), `images` (newName / newTag),
`replicas`, and `patches` with JSON 6902 `replace` / `add` operations aimed by kind and name.
tests/unit/test_manifests.py checks this against the real kustomize when kubectl is installed.
"""

from pathlib import Path
from typing import Any, Dict, List

import yaml


def render(directory: Path) -> List[Dict[str, Any]]:
    spec = yaml.safe_load((directory / "kustomization.yaml").read_text())
    docs: List[Dict[str, Any]] = []
    for resource in spec.get("resources") or []:
        path = directory / resource
        if path.is_dir():
            docs += render(path)
        else:
            docs += [d for d in yaml.safe_load_all(path.read_text()) if d]
    for label in spec.get("labels") or []:
        for doc in docs:
            doc.setdefault("metadata", {}).setdefault("labels", {}).update(label["pairs"])
    if spec.get("namespace"):
        for doc in docs:
            doc["metadata"]["namespace"] = spec["namespace"]
    for image in spec.get("images") or []:
        for container in containers(docs):
            name, _, _ = container["image"].partition(":")
            if name == image["name"]:
                container["image"] = f"{image.get('newName', name)}:{image['newTag']}"
    for replicas in spec.get("replicas") or []:
        for doc in docs:
            if doc["metadata"]["name"] == replicas["name"] and "replicas" in doc.get("spec", {}):
                doc["spec"]["replicas"] = replicas["count"]
    for patch in spec.get("patches") or []:
        target = patch["target"]
        for doc in docs:
            if doc["kind"] == target["kind"] and doc["metadata"]["name"] == target["name"]:
                for op in yaml.safe_load(patch["patch"]):
                    apply(doc, op)
    return docs


def containers(docs: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    found = []
    for doc in docs:
        pod = ((doc.get("spec") or {}).get("template") or {}).get("spec") or {}
        found += pod.get("containers") or []
    return found


def apply(doc: Dict[str, Any], op: Dict[str, Any]) -> None:
    *parents, last = [int(p) if p.isdigit() else p for p in op["path"].strip("/").split("/")]
    node: Any = doc
    for part in parents:
        node = node[part]
    if op["op"] == "replace":
        if isinstance(last, int) and last >= len(node) or isinstance(last, str) and last not in node:
            raise KeyError(f"{op['path']} does not exist in {doc['kind']}/{doc['metadata']['name']}")
        node[last] = op["value"]
    elif op["op"] == "add":
        if isinstance(node, list):
            node.insert(len(node) if last == "-" else int(last), op["value"])
        else:
            node[last] = op["value"]
    else:
        raise ValueError(f"unsupported patch op {op['op']}")
