#!/usr/bin/python3
"""An Open311 GeoReport v2 client written from the specification alone.

It knows only what the spec says (http://wiki.open311.org/GeoReport_v2):
the discovery document, services, service definitions, POST requests with
attribute[CODE] answers, GET requests and requests/ID; the format comes
from the path's extension. It walks the whole path a reporting front end
takes, in XML and then in JSON:

  discovery -> the endpoint and its formats
  services -> a service with metadata true
  its definition -> answers for its required, variable attributes
  POST requests with those answers and an e-mail address (with a key)
  GET requests?service_request_id=ID without a key: the public view
  GET requests/ID with a read key: the full record, the e-mail included

    open311_client.py BASE_URL WRITE_KEY READ_KEY
"""
import datetime
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

LISTS = {"services": "service", "service_requests": "request", "errors": "error", "attributes": "attribute",
         "values": "value", "endpoints": "endpoint", "formats": "format"}
PRIVATE = ("email", "phone", "first_name", "last_name", "device_id", "account_id")


def from_xml(e):
    """An element as the spec's data: lists by their container's name."""
    children = list(e)
    if e.tag in LISTS:
        return [from_xml(c) for c in children]
    if children:
        return {c.tag: from_xml(c) for c in children}
    return e.text or ""


def call(url, fmt, data=None, headers=None):
    req = urllib.request.Request(url, data=urllib.parse.urlencode(data, doseq=True).encode() if data else None,
                                 method="POST" if data else "GET")
    if data:
        req.add_header("Content-Type", "application/x-www-form-urlencoded")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            status, body, ctype = r.status, r.read(), r.headers.get("Content-Type", "")
    except urllib.error.HTTPError as e:
        status, body, ctype = e.code, e.read(), e.headers.get("Content-Type", "")
    want = "text/xml" if fmt == "xml" else "application/json"
    if not ctype.startswith(want):
        raise SystemExit(f"FAIL {url}: content type {ctype}, expected {want}")
    doc = from_xml(ET.fromstring(body)) if fmt == "xml" else json.loads(body)
    return status, doc


def expect(cond, what):
    if not cond:
        raise SystemExit("FAIL " + what)


def walk(base, fmt, write_key, read_key):
    host = base.rstrip("/")
    status, disc = call(f"{host}/open311/discovery.{fmt}", fmt)
    expect(status == 200, f"discovery.{fmt}: {status}")
    mime = "text/xml" if fmt == "xml" else "application/json"
    endpoints = [e for e in disc["endpoints"] if "GeoReport_v2" in e["specification"] and mime in e["formats"]]
    expect(endpoints, f"discovery.{fmt} lists no GeoReport v2 endpoint in {mime}")
    # The endpoint as discovered, on the host the client was given.
    path = urllib.parse.urlparse(endpoints[0]["url"]).path
    ep = host + path
    status, services = call(f"{ep}/services.{fmt}", fmt)
    expect(status == 200 and services, f"services.{fmt}: {status}")
    with_metadata = [s for s in services if s["metadata"] in (True, "true")]
    expect(with_metadata, "no service has metadata")
    service = with_metadata[0]
    status, definition = call(f"{ep}/services/{service['service_code']}.{fmt}", fmt)
    expect(status == 200 and definition["service_code"] == service["service_code"], "definition")
    form = {"api_key": write_key, "service_code": service["service_code"], "lat": "40.005", "long": "116.005",
            "description": f"spec client ({fmt})", "email": f"client-{fmt}@example.cn", "first_name": "Zhang"}
    for a in sorted(definition["attributes"], key=lambda a: int(a["order"])):
        if a["variable"] not in (True, "true") or a["required"] not in (True, "true"):
            continue
        kind, code = a["datatype"], a["code"]
        if kind == "singlevaluelist":
            form[f"attribute[{code}]"] = a["values"][0]["key"]
        elif kind == "multivaluelist":
            form[f"attribute[{code}][]"] = [v["key"] for v in a["values"][:2]]
        elif kind == "number":
            form[f"attribute[{code}]"] = "1"
        elif kind == "datetime":
            form[f"attribute[{code}]"] = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
        else:
            form[f"attribute[{code}]"] = "x"
    status, created = call(f"{ep}/requests.{fmt}", fmt, data=form)
    expect(status in (200, 201), f"POST requests.{fmt}: {status} {created}")
    rid = created[0]["service_request_id"]
    expect(rid, "no service_request_id")
    # A resend (the client did not see the answer) is the same request.
    status, again = call(f"{ep}/requests.{fmt}", fmt, data=form)
    expect(status in (200, 201) and again[0]["service_request_id"] == rid, f"resend gave {again}")
    status, public = call(f"{ep}/requests.{fmt}?service_request_id={rid}", fmt)
    expect(status == 200 and len(public) == 1, f"GET requests.{fmt} without a key: {status} {public}")
    r = public[0]
    expect(r["service_request_id"] == rid and r["status"] == "open" and r["service_code"] == service["service_code"],
           f"public view {r}")
    leaked = [k for k in PRIVATE if k in r]
    expect(not leaked, f"the public view shows {leaked}")
    status, full = call(f"{ep}/requests/{rid}.{fmt}?api_key={read_key}", fmt)
    expect(status == 200 and len(full) == 1, f"GET requests/{rid}.{fmt} with a key: {status}")
    expect(full[0]["email"] == form["email"] and full[0]["first_name"] == "Zhang", f"full view {full[0]}")
    status, err = call(f"{ep}/requests/999999.{fmt}", fmt)
    expect(status == 404 and err[0]["code"] in (404, "404") and err[0]["description"], f"404 as errors: {err}")
    print(f"{fmt}: discovery, {len(services)} services, {service['service_code']} with "
          f"{len(definition['attributes'])} attributes, request {rid} posted, resent, read publicly and in full")


def main():
    base, write_key, read_key = sys.argv[1:4]
    for fmt in ("xml", "json"):
        walk(base, fmt, write_key, read_key)
    return 0


if __name__ == "__main__":
    sys.exit(main())
