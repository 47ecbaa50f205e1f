"""The shipped alert rules (deploy/prometheus/alerts.yml) parse, and name only metrics the app exports."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from prometheus_client.parser import text_string_to_metric_families

RULES = Path(__file__).resolve().parents[2] / "deploy" / "prometheus" / "alerts.yml"
PROMETHEUS_OWN = {"up"}  # written by Prometheus for every scrape target
# What docs/operations.md lists under "What to watch": each needs a rule.
WATCHED = {"QueueGrowing", "CameraSilent", "WorkerDown", "MonthlyReturnLate", "ServerErrors", "NotReady", "DiskFilling"}


def exported_names(client) -> set[str]:
    """Every sample name /metrics can show: declared families with their suffixes, as scraped."""
    from prometheus_client import REGISTRY

    names = set()
    for family in REGISTRY.collect():
        suffixes = {"counter": ["_total"], "histogram": ["_bucket", "_count", "_sum"]}.get(family.type, [""])
        names |= {family.name + s for s in suffixes}
    text = client.get("/metrics").content.decode()
    for family in text_string_to_metric_families(text):
        names.add(family.name)
        names |= {s.name for s in family.samples}
    return names


@pytest.mark.django_db
def test_every_rule_names_exported_metrics(client):
    rules = [r for g in yaml.safe_load(RULES.read_text())["groups"] for r in g["rules"]]
    assert WATCHED <= {r["alert"] for r in rules}
    exported = exported_names(client)
    for rule in rules:
        assert set(rule) >= {"alert", "expr", "for", "labels", "annotations"}, rule["alert"]
        assert rule["labels"]["severity"] in {"warning", "critical"}
        named = set(re.findall(r"\b(transit_[a-z_]+|up)\b", rule["expr"]))
        assert named, f"{rule['alert']} names no metric"
        unknown = named - exported - PROMETHEUS_OWN
        assert not unknown, f"{rule['alert']}: {sorted(unknown)} are not exported by /metrics"


def test_the_example_configuration_scrapes_the_jobs_the_rules_name():
    config = yaml.safe_load((RULES.parent / "prometheus.yml").read_text())
    jobs = {c["job_name"] for c in config["scrape_configs"]}
    named = set(re.findall(r'job="([^"]+)"', RULES.read_text()))
    assert named and named <= jobs
    assert all(c["metrics_path"] == "/metrics" for c in config["scrape_configs"])
    assert any(Path(f).name == RULES.name for f in config["rule_files"])


@pytest.mark.skipif(not shutil.which("promtool"), reason="needs promtool (apt-get install prometheus)")
def test_promtool_accepts_the_rules_and_the_configuration(tmp_path):
    """Prometheus' own checker: the PromQL parses, the durations and the configuration are valid."""
    rules = subprocess.run(["promtool", "check", "rules", str(RULES)], capture_output=True, text=True)
    assert rules.returncode == 0, rules.stdout + rules.stderr
    config = yaml.safe_load((RULES.parent / "prometheus.yml").read_text())
    config["rule_files"] = [str(RULES)]  # the example names the path inside Prometheus' container
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    checked = subprocess.run(
        ["promtool", "check", "config", str(tmp_path / "prometheus.yml")], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
