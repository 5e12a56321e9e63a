#!/usr/bin/env python3
"""Runs every PromQL expression of the Grafana dashboard and of the rule files through a real
Prometheus server's HTTP API, and fails on any parse or evaluation error, or on an empty result
where data is expected. Called by scripts/promql-live-test.sh once that server has scraped the
exporter in --simulate mode.

The dashboard's template variables are resolved the way Grafana does (label_values and
query_result against the same server) and substituted: first each set to All its values, where
every panel query must return data, then each set to its first value (a single meeting and
participant), where a query may be empty (e.g. a participant without video) but must still
evaluate. Recording rules must return data; alert expressions must evaluate and may be empty
(an alert that does not fire). Every metric an expression names must be one the server has,
and every rule must be loaded and evaluating without error."""

import argparse
import json
import re
import sys
import urllib.error
import urllib.parse
import urllib.request

import yaml

# Families the exporter has no sample of until an event the simulated Zoom never causes; an
# expression that uses one must still parse, and the dashboard queries them with
# `or on () vector(0)` so that their panels show 0 instead of "No data".
EVENT_ONLY_METRICS = {
    "zoom_exporter_parse_errors_total": "a QoS value Zoom sends that cannot be parsed",
    "zoom_exporter_invalid_replies_total": "a 200 reply from Zoom whose body is not the JSON expected",
    "zoom_exporter_rate_limited_total": "a 429 from Zoom (the exporter keeps below the simulated limits)",
}

# Grafana's own variables, as Grafana would set them for a short range on a fast scrape.
BUILTIN_VARIABLES = {
    "__rate_interval": "1m",
    "__interval": "15s",
    "__interval_ms": "15000",
    "__range": "5m",
    "__range_s": "300",
    "__range_ms": "300000",
}


class Prometheus:
    def __init__(self, url):
        self.url = url.rstrip("/")

    def get(self, path, **params):
        query = urllib.parse.urlencode(params, doseq=True)
        try:
            with urllib.request.urlopen(f"{self.url}{path}?{query}", timeout=30) as reply:
                body = json.load(reply)
        except urllib.error.HTTPError as error:
            body = json.load(error)
        if body.get("status") != "success":
            raise PromQLError(f'{body.get("errorType")}: {body.get("error")}')
        return body["data"]

    def query(self, expr):
        return self.get("/api/v1/query", query=expr)["result"]


class PromQLError(Exception):
    pass


def regex_value(values):
    """A multi-value variable in a regex matcher, as Grafana's Prometheus data source writes it."""
    escaped = [re.sub(r"([\\^$.|?*+()\[\]{}])", r"\\\\\1", value) for value in values]
    return escaped[0] if len(escaped) == 1 else "(" + "|".join(escaped) + ")"


def interpolate(text, variables):
    def replace(match):
        name = match.group(1) or match.group(2) or match.group(3)
        if name not in variables:
            raise PromQLError(f"unknown variable ${name}")
        return variables[name]

    return re.sub(r"\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)", replace, text)


def series_text(sample):
    """query_result's text of a series, as Grafana builds it for the variable's regex."""
    labels = dict(sample["metric"])
    name = labels.pop("__name__", "")
    inner = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    return f'{name}{{{inner}}} {sample["value"][1]} {int(float(sample["value"][0]) * 1000)}'


def variable_values(prometheus, variable, substitutions):
    query = variable["query"]
    query = query.get("query", "") if isinstance(query, dict) else query
    query = interpolate(query, substitutions)
    label_values = re.fullmatch(r"label_values\((?:(.+),\s*)?(\w+)\)\s*", query)
    if label_values:
        selector, label = label_values.groups()
        params = {"match[]": selector} if selector else {}
        values = prometheus.get(f"/api/v1/label/{label}/values", **params)
    else:
        query_result = re.fullmatch(r"query_result\((.+)\)\s*", query, re.S)
        if not query_result:
            raise PromQLError(f'variable {variable["name"]}: unsupported query {query}')
        values = [series_text(sample) for sample in prometheus.query(query_result.group(1))]
    pattern = variable.get("regex") or ""
    if pattern:
        body = re.fullmatch(r"/(.*)/(\w*)", pattern, re.S)
        compiled = re.compile(body.group(1).replace("(?<", "(?P<") if body else pattern)
        picked = []
        for value in values:
            match = compiled.search(value)
            if not match:
                continue
            groups = match.groupdict()
            picked.append(groups.get("value") or (match.group(1) if match.groups() else value))
        values = picked
    return sorted(set(values))


def panels_of(dashboard):
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])


def check_dashboard_structure(dashboard, failures):
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    datasource = variables.get("datasource")
    if not datasource or datasource["type"] != "datasource" or datasource["query"] != "prometheus":
        failures.append("dashboard: no Prometheus data source variable named datasource")
    if dashboard.get("schemaVersion", 0) < 41:
        failures.append(f'dashboard: schemaVersion {dashboard.get("schemaVersion")} is not current')
    ids = [panel["id"] for panel in panels_of(dashboard)]
    if len(ids) != len(set(ids)):
        failures.append("dashboard: panel ids are not unique")
    for panel in panels_of(dashboard):
        title = panel.get("title", panel["id"])
        if panel["type"] == "row":
            continue
        if not panel.get("fieldConfig", {}).get("defaults", {}).get("unit"):
            failures.append(f"panel {title}: no unit")
        for holder in [panel] + panel.get("targets", []):
            if holder.get("datasource", {}).get("uid") not in ("${datasource}", "$datasource"):
                failures.append(f"panel {title}: data source is not the datasource variable")
        if not panel.get("targets"):
            failures.append(f"panel {title}: no query")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prometheus", required=True, help="the server's URL")
    parser.add_argument("--dashboard", required=True)
    parser.add_argument("rule_files", nargs="+")
    args = parser.parse_args()
    prometheus = Prometheus(args.prometheus)
    failures = []
    checked = {"dashboard, All": 0, "dashboard, one value": 0, "recording rules": 0, "alerts": 0}
    expressions = []  # every expression as written, for the metric name check

    with open(args.dashboard, encoding="utf-8") as file:
        dashboard = json.load(file)
    check_dashboard_structure(dashboard, failures)

    # Variables, in order: each may use the ones before it.
    resolved = {}
    for variable in dashboard["templating"]["list"]:
        if variable["type"] == "datasource":
            continue
        if variable["type"] != "query":
            failures.append(f'variable {variable["name"]}: type {variable["type"]} not checked')
            continue
        try:
            values = variable_values(
                prometheus, variable, {**BUILTIN_VARIABLES, **{n: regex_value(v) for n, v in resolved.items()}}
            )
        except PromQLError as error:
            failures.append(f'variable {variable["name"]}: {error}')
            values = []
        if not values:
            failures.append(f'variable {variable["name"]}: no values')
            values = ["no-value"]
        resolved[variable["name"]] = values
        print(f'variable {variable["name"]}: {len(values)} values, e.g. {values[0]}')

    substitutions = {
        "dashboard, All": {**BUILTIN_VARIABLES, **{n: regex_value(v) for n, v in resolved.items()}},
        "dashboard, one value": {**BUILTIN_VARIABLES, **{n: regex_value(v[:1]) for n, v in resolved.items()}},
    }
    for panel in panels_of(dashboard):
        for target in panel.get("targets", []):
            expressions.append(target["expr"])
            for case, values in substitutions.items():
                checked[case] += 1
                expr = target["expr"]
                try:
                    expr = interpolate(expr, values)
                    result = prometheus.query(expr)
                except PromQLError as error:
                    failures.append(f'panel {panel["title"]} ({case}): {error}\n    {expr}')
                    continue
                if not result and case == "dashboard, All":
                    failures.append(f'panel {panel["title"]}: no data\n    {expr}')

    rule_count = 0
    for path in args.rule_files:
        with open(path, encoding="utf-8") as file:
            groups = yaml.safe_load(file)["groups"]
        for group in groups:
            for rule in group["rules"]:
                rule_count += 1
                expressions.append(rule["expr"])
                name = rule.get("record") or rule["alert"]
                kind = "recording rules" if "record" in rule else "alerts"
                checked[kind] += 1
                try:
                    result = prometheus.query(rule["expr"])
                except PromQLError as error:
                    failures.append(f"rule {name}: {error}")
                    continue
                if kind == "recording rules" and not result:
                    failures.append(f"recording rule {name}: no data")
                if kind == "alerts":
                    print(f"alert {name}: {len(result)} series match now")

    # The server itself evaluates the rules: each must be loaded and healthy.
    loaded = 0
    for group in prometheus.get("/api/v1/rules")["groups"]:
        for rule in group["rules"]:
            loaded += 1
            if rule.get("health") != "ok":
                failures.append(f'server: rule {rule["name"]} is {rule.get("health")}: {rule.get("lastError")}')
    if loaded != rule_count:
        failures.append(f"server: {loaded} rules loaded, the files have {rule_count}")

    # A metric name with a typo evaluates to nothing rather than to an error.
    known = set(prometheus.get("/api/v1/label/__name__/values"))
    named = set()
    for expr in expressions:
        named.update(re.findall(r"\b(zoom_[a-z0-9_]+|[a-z_]+:[a-z0-9_]+:[a-z0-9_]+)\b", expr))
    for name in sorted(named - known):
        if name in EVENT_ONLY_METRICS:
            print(f"not checked: {name} has no sample until {EVENT_ONLY_METRICS[name]}")
        else:
            failures.append(f"no metric {name} on the server")

    total = sum(checked.values())
    print(
        f"PromQL expressions checked: {total} ("
        + ", ".join(f"{count} {case}" for case, count in checked.items())
        + f"); {len(named)} metric names; {loaded} rules healthy on the server"
    )
    if failures:
        print(f"{len(failures)} problems:", *failures, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
