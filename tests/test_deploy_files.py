"""The deploy files keep the promises docs/operations.md makes about them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

from bot.config import Settings

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
# The oldest Kubernetes still commonly run, and the newest whose schemas the pinned
# kubernetes-validate ships.
KUBERNETES = ["1.28", kubernetes_validate.latest_version()]
KINDS = ["ConfigMap", "Deployment", "Ingress", "Job", "Namespace", "PodDisruptionBudget", "Secret",
         "Service"]  # fmt: skip


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
    paths = found["Ingress"]["spec"]["rules"][0]["http"]["paths"]
    published = {(p["path"], p["pathType"]) for p in paths}
    assert published == {("/telegram", "Exact"), ("/desk/", "Prefix")}, "webhook and desk only"


def documents() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in sorted((DEPLOY / "kubernetes").glob("*.yaml")):
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if document:
                found.append((path.name, document))
    return found


@pytest.mark.parametrize("version", KUBERNETES)
def test_every_kubernetes_manifest_is_valid_against_the_api_schema(version: str) -> None:
    """Strict schemas: a misspelt or misplaced field fails, as `kubectl apply` would refuse it."""
    checked = []
    for name, document in documents():
        if document["kind"] == "Kustomization":
            continue
        try:
            kubernetes_validate.validate(document, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            raise AssertionError(f"{name}: {error.message} at {list(error.path)}") from None
        checked.append(document["kind"])
    assert sorted(checked) == sorted(KINDS)


def test_the_schema_check_catches_a_misspelt_field() -> None:
    deployment = manifests()["Deployment"]
    deployment["spec"]["template"]["spec"]["containers"][0]["readinessprobe"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES[0], strict=True)


def test_the_kubernetes_manifests_refer_to_each_other_correctly() -> None:
    """What the schemas cannot see: names, labels, ports and keys that must match."""
    found = manifests()
    kustomization = found["Kustomization"]
    listed = set(kustomization["resources"])
    files = {path.name for path in (DEPLOY / "kubernetes").glob("*.yaml")}
    assert listed == files - {"kustomization.yaml", "secret.example.yaml"}, "all applied"
    assert "secret.example.yaml" not in listed, "no secret is applied from git"
    images = {image["name"] for image in kustomization["images"]}

    deployment, service = found["Deployment"], found["Service"]
    pod = deployment["spec"]["template"]
    labels = pod["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"].items() <= labels.items()
    assert service["spec"]["selector"].items() <= labels.items()
    pdb = found["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"]
    assert pdb.items() <= labels.items()
    (container,) = pod["spec"]["containers"]
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    assert ports == {"http": 8080}, "the image's LISTEN_PORT"
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["port"] in ports
    (service_port,) = service["spec"]["ports"]
    assert service_port["targetPort"] in ports
    backend = found["Ingress"]["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == service["metadata"]["name"]
    assert backend["port"]["name"] == service_port["name"]
    tls = found["Ingress"]["spec"]["tls"][0]["hosts"]
    assert found["Ingress"]["spec"]["rules"][0]["host"] in tls

    secret = found["Secret"]
    keys = set(secret["stringData"])
    config = found["ConfigMap"]
    known = {name.upper() for name in Settings.model_fields} | {"SECRETS_DIR"}
    assert set(config["data"]) <= known, "every ConfigMap key is a setting the bot reads"
    assert config["data"]["WEBHOOK_URL"].startswith(f"https://{tls[0]}/")
    for workload in (pod["spec"], found["Job"]["spec"]["template"]["spec"]):
        (run,) = workload["containers"]
        assert run["image"] in images, "kustomize sets the image"
        assert workload["securityContext"]["runAsUser"] == 10001, "the image's user"
        for source in run["envFrom"]:
            assert source["configMapRef"]["name"] == config["metadata"]["name"]
        for variable in run["env"]:
            reference = variable["valueFrom"]["secretKeyRef"]
            assert reference["name"] == secret["metadata"]["name"]
            assert reference["key"] in keys
        mounted = {volume["name"]: volume for volume in workload["volumes"]}
        for mount in run["volumeMounts"]:
            assert mount["name"] in mounted
        secrets = mounted["secrets"]["secret"]
        assert secrets["secretName"] == secret["metadata"]["name"]
        assert {item["key"] for item in secrets.get("items", [])} <= keys
    mounted_files = {item["path"] for item in pod["spec"]["volumes"][0]["secret"]["items"]}
    for setting in ("COALITIONS_FILE", "SERVER_KEY_FILE"):
        assert Path(config["data"][setting]).name in mounted_files
        assert Path(config["data"][setting]).parent == Path(config["data"]["SECRETS_DIR"])


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
