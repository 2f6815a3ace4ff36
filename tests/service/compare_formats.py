#!/usr/bin/python3
"""Compares each Open311 answer in XML with its JSON twin, field by field.

Each case file written by run_cases.sh holds the request line, the status,
some headers and the body. For every NAME with a NAME.xml beside it, the
XML body is read with Python's own parser (xml.etree, independent of the
libxml2 writer that made it) and must say what the JSON says, by the
GeoReport v2 rule: an object's members are child elements in the same order,
a list's items are children named by the list's singular (services/service,
service_requests/request, errors/error, attributes/attribute, values/value,
endpoints/endpoint, formats/format, service_request_updates/request_update), null is an empty element, true and
false are the words, numbers read the same. The statuses must agree, and the
content types be application/json and text/xml.

    compare_formats.py DIR
"""
import json
import os
import sys
import xml.etree.ElementTree as ET

ITEMS = {"services": "service", "service_requests": "request", "errors": "error",
         "attributes": "attribute", "values": "value", "endpoints": "endpoint", "formats": "format",
         "service_request_updates": "request_update"}
ROOTS = {"services", "service_requests", "errors", "service_definition", "discovery", "service_request_updates"}


def read_case(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    status = lines[1].split(": ", 1)[1]
    headers = {}
    k = 2
    while k < len(lines) and ":" in lines[k] and lines[k].split(":", 1)[0] in (
            "content-type", "x-total-count", "x-truncated", "link", "idempotent-replayed"):
        name, value = lines[k].split(":", 1)
        headers[name] = value.strip()
        k += 1
    return status, headers, "\n".join(lines[k:])


def same(j, e, where, problems):
    """Does element e say what JSON value j says?"""
    children = list(e)
    text = (e.text or "").strip() if not children else ""
    if isinstance(j, dict):
        tags = [c.tag for c in children]
        if tags != list(j.keys()):
            problems.append(f"{where}: members {list(j.keys())} in JSON, elements {tags} in XML")
            return
        for c, (k, v) in zip(children, j.items()):
            same(v, c, f"{where}/{k}", problems)
    elif isinstance(j, list):
        item = ITEMS.get(e.tag)
        if item is None:
            problems.append(f"{where}: a list in an element <{e.tag}> the spec does not name")
            return
        if len(children) != len(j) or any(c.tag != item for c in children):
            problems.append(f"{where}: {len(j)} items in JSON, {[c.tag for c in children]} in XML")
            return
        for n, (c, v) in enumerate(zip(children, j)):
            same(v, c, f"{where}/{item}[{n}]", problems)
    elif j is None:
        if children or text:
            problems.append(f"{where}: null in JSON, '{text}' in XML")
    elif isinstance(j, bool):
        if text != ("true" if j else "false"):
            problems.append(f"{where}: {j} in JSON, '{text}' in XML")
    elif isinstance(j, (int, float)):
        try:
            if float(text) != float(j):
                problems.append(f"{where}: {j} in JSON, {text} in XML")
        except ValueError:
            problems.append(f"{where}: {j} in JSON, '{text}' in XML")
    else:
        # Element text keeps its spaces; only an all-space value is trimmed.
        raw = e.text or ""
        if children or (raw != j and raw != j.replace('.json', '.xml')):
            problems.append(f"{where}: '{j}' in JSON, '{raw}' in XML")


def main():
    d = sys.argv[1]
    pairs = sorted(n[:-4] for n in os.listdir(d) if n.endswith(".xml") and os.path.exists(os.path.join(d, n[:-4])))
    if not pairs:
        print("no XML twins found")
        return 1
    bad = 0
    for name in pairs:
        js, jh, jbody = read_case(os.path.join(d, name))
        xs, xh, xbody = read_case(os.path.join(d, name + ".xml"))
        problems = []
        if js != xs:
            problems.append(f"status {js} in JSON, {xs} in XML")
        if not jh.get("content-type", "").startswith("application/json"):
            problems.append(f"JSON content type {jh.get('content-type')}")
        if not xh.get("content-type", "").startswith("text/xml"):
            problems.append(f"XML content type {xh.get('content-type')}")
        try:
            j = json.loads(jbody)
            root = ET.fromstring(xbody.encode("utf-8"))
        except (ValueError, ET.ParseError) as err:
            problems.append(f"cannot parse: {err}")
        else:
            if root.tag not in ROOTS:
                problems.append(f"root <{root.tag}> is not one of the spec's")
            same(j, root, root.tag, problems)
        if problems:
            bad += 1
            print(f"{name}: " + "; ".join(problems[:5]))
    print(f"{len(pairs)} XML answers compared with their JSON twins: {len(pairs) - bad} agree")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
