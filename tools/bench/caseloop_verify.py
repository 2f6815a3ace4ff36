#!/usr/bin/python3
"""A replayed year checked in the project with python3's sqlite3 alone,
against the transitions file (tools/synth/year.c), not against what the
replaying program counted.

    caseloop_verify.py PROJECT TRANSITIONS [--summary JSON] [--acked FILE]

Checked: one incident per report of the file (found by its description,
"year incident N (...)"); incident_event holds the file's reports and
transitions, no more, no fewer; each incident's events run seq 1..n without
a gap, in the file's order of actions and states; its stored state is its
last event's to_state and the state the file expects; the counts of final
states are those of the file (and of the generator's summary); every
idempotency key is stored once; with --acked (lines "KEY", the keys of the
requests a client was answered 2xx for), every acknowledged request is in
the store exactly once. Exit status 1 on any difference.
"""
import collections
import json
import re
import sqlite3
import sys


def main():
    args = sys.argv[1:]
    project, transitions = args[0], args[1]
    summary = acked_path = None
    if "--summary" in args:
        summary = json.load(open(args[args.index("--summary") + 1]))
    if "--acked" in args:
        acked_path = args[args.index("--acked") + 1]
    expected = collections.defaultdict(list)  # n -> [(action, state)]
    for line in open(transitions, encoding="utf-8"):
        if line.startswith("#") or not line.strip():
            continue
        f = line.rstrip("\n").split("\t")
        n, action = int(f[1]), f[2]
        state = next(x[7:] for x in f[3:] if x.startswith("expect="))
        expected[n].append((action, state))
    arrivals = len(expected)
    moves = sum(len(v) - 1 for v in expected.values())

    db = sqlite3.connect(f"file:{project}?mode=ro", uri=True)
    failures = []

    def check(ok, what):
        if not ok:
            failures.append(what)

    ids = {}
    for iid, desc, stage in db.execute("SELECT id, description, stage FROM incident"):
        m = re.match(r"year incident (\d+) ", desc or "")
        check(m is not None, f"incident {iid}: not one of the year's ({desc!r})")
        if m:
            n = int(m.group(1))
            check(n not in ids, f"year incident {n} stored twice (incidents {ids.get(n)} and {iid})")
            ids[n] = (iid, stage)
    check(len(ids) == arrivals, f"{len(ids)} incidents stored, the file reports {arrivals}")
    events = db.execute("SELECT count(*) FROM incident_event").fetchone()[0]
    check(events == arrivals + moves,
          f"{events} events stored, the file has {arrivals} reports and {moves} transitions ({arrivals + moves})")

    stored = collections.defaultdict(list)
    for iid, seq, action, to_state in db.execute(
            "SELECT incident, seq, action, to_state FROM incident_event ORDER BY incident, seq"):
        stored[iid].append((seq, action, to_state))
    finals = collections.Counter()
    gaps = order = last_state = expect_state = 0
    for n, want in expected.items():
        if n not in ids:
            check(False, f"year incident {n}: not stored")
            continue
        iid, stage = ids[n]
        got = stored.get(iid, [])
        if [s for s, _, _ in got] != list(range(1, len(got) + 1)):
            gaps += 1
            if gaps <= 5:
                check(False, f"year incident {n} (incident {iid}): seq {[s for s, _, _ in got]} is not 1..{len(got)}")
        if [(a, s) for _, a, s in got] != want:
            order += 1
            if order <= 5:
                check(False, f"year incident {n} (incident {iid}): events {[(a, s) for _, a, s in got]},"
                             f" the file {want}")
        if got and got[-1][2] != stage:
            last_state += 1
            if last_state <= 5:
                check(False, f"year incident {n}: state {stage}, its last event's to_state {got[-1][2]}")
        if stage != want[-1][1]:
            expect_state += 1
        finals[stage] += 1
    check(gaps == 0, f"{gaps} incidents with gaps in seq")
    check(order == 0, f"{order} incidents whose history differs from the file")
    check(last_state == 0, f"{last_state} incidents whose state is not their last event's")
    check(expect_state == 0, f"{expect_state} incidents not in the state the file leaves them in")
    file_finals = collections.Counter(v[-1][1] for v in expected.values())
    check(finals == file_finals, f"final states {dict(finals)}, the file {dict(file_finals)}")
    if summary is not None:
        want = {k: v for k, v in summary["final_states"].items() if v}
        check(dict(finals) == want, f"final states {dict(finals)}, the generator's summary {want}")
        check(summary["transitions"] == moves and summary["incidents"] == arrivals,
              "the file is not the one the summary describes")
    dup = db.execute("SELECT count(*) FROM (SELECT actor, idempotency_key FROM incident_event"
                     " WHERE idempotency_key IS NOT NULL GROUP BY 1, 2 HAVING count(*) > 1)").fetchone()[0]
    check(dup == 0, f"{dup} idempotency keys stored twice")
    acked_n = 0
    if acked_path is not None:
        keys = collections.Counter()
        for (k,) in db.execute("SELECT idempotency_key FROM incident_event WHERE idempotency_key IS NOT NULL"):
            keys[k] += 1
        for (k,) in db.execute("SELECT idempotency_key FROM incident WHERE idempotency_key IS NOT NULL"):
            keys[k] += 1
        missing = twice = 0
        for line in open(acked_path):
            k = line.strip()
            if not k:
                continue
            acked_n += 1
            if keys[k] == 0:
                missing += 1
            elif keys[k] > 1:
                twice += 1
        check(missing == 0, f"{missing} acknowledged requests not in the store")
        check(twice == 0, f"{twice} acknowledged requests stored more than once")
    check(db.execute("PRAGMA integrity_check").fetchone()[0] == "ok", "the store is damaged")
    print(f"verified with sqlite3: {len(ids)} incidents, {events} events ({arrivals} reports + {moves} transitions),"
          f" seq without gaps, histories as the file has them, final states {dict(sorted(finals.items()))}"
          + (f"; {acked_n} acknowledged requests each stored once" if acked_path else ""))
    for f in failures:
        print("FAIL " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
