"""The deploy files keep the promises docs/operations.md makes about them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


def manifests() -> dict[str, dict[str, Any]]:
    found = {}
    for path in (DEPLOY / "kubernetes").glob("*.yaml"):
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if document and "kind" in document:
                found[document["kind"]] = document
    return found


def test_kubernetes_replicas_probe_the_database_for_readiness_only() -> None:
    found = manifests()
    deployment = found["Deployment"]["spec"]
    assert deployment["replicas"] >= 2
    (container,) = deployment["template"]["spec"]["containers"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["lifecycle"]["preStop"]
    assert "--no-migrate" in container["args"]
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert found["PodDisruptionBudget"]["spec"]["minAvailable"] >= 1
    job = found["Job"]["spec"]["template"]["spec"]["containers"][0]
    assert "db upgrade" in " ".join(job["command"])
    assert "webhook set" in " ".join(job["command"])
    (path,) = found["Ingress"]["spec"]["rules"][0]["http"]["paths"]
    assert path["path"] == "/telegram", "only the webhook is published"


def test_compose_runs_bot_database_and_tls_front_with_secrets_as_files() -> None:
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) == {"bot", "db", "caddy"}
    assert "pg_isready" in services["db"]["healthcheck"]["test"]
    assert "127.0.0.1" in services["db"]["healthcheck"]["test"]
    targets = {secret["target"] for secret in services["bot"]["secrets"]}
    assert {"telegram_bot_token", "server-key.json", "coalitions.yaml"} <= targets
    assert all(secret["mode"] == 0o400 for secret in services["bot"]["secrets"])
    assert "ports" not in services["bot"], "only the TLS front is published"
    assert "TOKEN" not in " ".join(services["bot"].get("environment", {}))


def test_the_dockerfile_is_multi_stage_non_root_locked_and_checked() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    assert dockerfile.count("\nFROM ") >= 2
    assert "--require-hashes -r requirements.lock" in dockerfile
    assert "USER 10001" in dockerfile
    assert "HEALTHCHECK" in dockerfile
    assert "/healthz" in dockerfile
