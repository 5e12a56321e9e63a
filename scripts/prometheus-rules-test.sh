#!/usr/bin/env bash
# Checks deploy/prometheus/ with promtool: the example config (and the rule files it loads),
# the rules, and the rules' unit tests (deploy/prometheus/tests/). Also fails when an alert has
# no summary or description, or no unit test in which it fires and one in which it does not.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh python3 python3-yaml
cd deploy/prometheus

promtool check config prometheus.yml
promtool check rules rules/*.rules.yml
promtool test rules tests/*.test.yml

/usr/bin/python3 - rules/*.rules.yml -- tests/*.test.yml <<'EOF'
import sys, yaml
arguments = sys.argv[1:]
rule_files, test_files = arguments[: arguments.index("--")], arguments[arguments.index("--") + 1 :]
alerts, problems = {}, []
for path in rule_files:
    for group in yaml.safe_load(open(path))["groups"]:
        for rule in group["rules"]:
            if "alert" not in rule:
                continue
            alerts[rule["alert"]] = {"fires": 0, "quiet": 0}
            annotations = rule.get("annotations", {})
            if not annotations.get("summary") or not annotations.get("description"):
                problems.append(f'{rule["alert"]}: no summary or description')
for path in test_files:
    for test in yaml.safe_load(open(path))["tests"]:
        for case in test.get("alert_rule_test", []):
            counts = alerts.get(case["alertname"])
            if counts is None:
                problems.append(f'{path}: no alert {case["alertname"]}')
                continue
            counts["fires" if case.get("exp_alerts") else "quiet"] += 1
for name, counts in sorted(alerts.items()):
    if not counts["fires"] or not counts["quiet"]:
        problems.append(f"{name}: tests where it fires: {counts['fires']}, where it does not: {counts['quiet']}")
    print(f"{name}: fires in {counts['fires']} test cases, stays quiet in {counts['quiet']}")
if problems:
    sys.exit("\n".join(problems))
print(f"promtool test rules: every one of the {len(alerts)} alerts tested firing and not firing")
EOF
