#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-3.0-or-later
"""Read a metrics file with Prometheus's own Python parser.

  prom.py dump FILE      parse FILE (prometheus_client.parser), check that
                         every family has a HELP and a TYPE of counter or
                         gauge and every counter sample ends in _total,
                         then print {"name{labels}": value} as JSON
  prom.py delta OLD NEW KEY MIN
                         exit 0 when NEW[KEY] - OLD[KEY] >= MIN (KEY
                         missing from OLD counts as 0), 1 otherwise
Exit 77 when the parser is not installed (python3-prometheus-client).
"""
import json
import sys

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:
    print("SKIP: python3-prometheus-client not installed", file=sys.stderr)
    sys.exit(77)


def key(sample):
    labels = ",".join('%s="%s"' % (k, v) for k, v in sorted(sample.labels.items()))
    return sample.name + ("{%s}" % labels if labels else "")


def dump(path):
    with open(path) as f:
        text = f.read()
    out, bad = {}, []
    for fam in text_string_to_metric_families(text):
        if fam.type not in ("counter", "gauge"):
            bad.append("%s: type %s (no TYPE line?)" % (fam.name, fam.type))
        if not fam.documentation:
            bad.append("%s: no HELP" % fam.name)
        for s in fam.samples:
            if fam.type == "counter" and not s.name.endswith("_total"):
                bad.append("%s: counter sample without _total" % s.name)
            if s.value < 0:
                bad.append("%s: negative" % key(s))
            if key(s) in out:
                bad.append("%s: twice" % key(s))
            out[key(s)] = s.value
    if bad or not out:
        print("\n".join(bad) or "no samples", file=sys.stderr)
        sys.exit(1)
    json.dump(out, sys.stdout, sort_keys=True)
    print()


def delta(old, new, k, least):
    with open(old) as f:
        a = json.load(f)
    with open(new) as f:
        b = json.load(f)
    if k not in b:
        print("%s: not in %s" % (k, new), file=sys.stderr)
        return 1
    d = b[k] - a.get(k, 0)
    print("%s grew by %d (at least %d wanted)" % (k, d, least))
    return 0 if d >= least else 1


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "dump":
        dump(sys.argv[2])
    elif len(sys.argv) == 6 and sys.argv[1] == "delta":
        sys.exit(delta(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])))
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
