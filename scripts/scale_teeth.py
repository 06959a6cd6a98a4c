"""scale_teeth.py - proof that scripts/scale_check.py has teeth: it checks a
saved report and three doctored copies of it (one banner delay off by 2 us,
one session dropped, one PTR tie moved to another session) and expects
each doctored copy to fail in its group.  Run through
`python3 scripts/scale_check.py --teeth` (about 40 s; not part of make test).

Python 3 standard library only.
"""

import json

from scale_check import check_lines


def teeth(rows, meta, path):
    """Check the saved report at path and three doctored copies of it;
    returns 0 when the true one passes and each doctored one fails in its
    group."""
    banner_sid = next("S%d" % r.n for r in rows if r.banner == 1 and r.variant == "normal")
    drop_sid = next("S%d" % r.n for r in rows if r.variant == "slow_ptr")
    with_ptr = [r for r in rows if r.banner == 1]
    from_sid, to_sid = "S%d" % with_ptr[len(with_ptr) // 2].n, "S%d" % with_ptr[-1].n
    moved = None
    with open(path) as f:
        for line in f:
            if '"%s"' % from_sid in line:
                o = json.loads(line)
                if o.get("type") == "session" and o["id"] == from_sid:
                    moved = next(d for d in o["dns"] if d["relation"] == "ptr_of_client")
                    break
    assert moved, "no PTR tie found in %s" % from_sid

    def lines(mutate):
        with open(path) as f:
            for line in f:
                o = json.loads(line)
                if o.get("type") != "session":
                    yield line
                    continue
                o = mutate(o)
                if o is not None:
                    yield json.dumps(o) + "\n"

    def delay(o):
        if o["id"] == banner_sid:
            o["banner"]["delay_s"] = round(o["banner"]["delay_s"] + 0.000002, 6)
        return o

    def drop(o):
        return None if o["id"] == drop_sid else o

    def move(o):
        if o["id"] == from_sid:
            o["dns"] = [d for d in o["dns"] if d["relation"] != "ptr_of_client"]
        elif o["id"] == to_sid:
            o["dns"].append(moved)
        return o

    cases = [("the true report", lambda o: o, []),
             ("%s: banner.delay_s + 2 us" % banner_sid, delay, ["banner"]),
             ("%s dropped (a slow_ptr session: its 2 findings go too)" % drop_sid, drop,
              ["sessions", "findings"]),
             ("the PTR tie of %s moved to %s" % (from_sid, to_sid), move, ["ptr_of_client"])]
    bad = 0
    for what, mutate, want in cases:
        print("\n== teeth: %s, expect %s" % (what, "a FAIL in " + ", ".join(want)
                                              if want else "all ok"))
        failed = check_lines(rows, meta, lines(mutate))
        verdict = "caught" if want and failed == want else \
            "passed" if not want and not failed else "WRONG"
        print("-> %s: failed groups %s" % (verdict, failed or "none"))
        bad += verdict == "WRONG"
    print("\nteeth: %d of %d cases as expected" % (len(cases) - bad, len(cases)))
    return 1 if bad else 0
