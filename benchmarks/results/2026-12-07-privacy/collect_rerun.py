"""Adds the W10 reruns after commit 8dffc5d (X25519 agreements by Bouncy Castle) to report.json as "w10_rerun".

Usage: python3 collect_rerun.py report.json /tmp/w10b /tmp/w10c
/tmp/w10b: full SecAgg (k = 99), /tmp/w10c: SecAgg+ (k = 64, the shipped fmnist-secagg), each plain-seedN and
secure-seedN run interleaved seed by seed, plus /tmp/w10c/dropout (fmnist-secagg-dropout, k = 64, --runs 3).
"""
import json
import statistics as st
import sys
from pathlib import Path


def pair(d, n):
    p = json.load(open(f"{d}/plain-seed{n}/report.json"))
    s = json.load(open(f"{d}/secure-seed{n}/report.json"))
    plain_bytes = st.median(r["bytesUp"] for r in p["rounds"][1:]) / 100
    secure_bytes = st.median(r["bytesUp"] for r in s["rounds"][1:]) / 100
    checks = s.get("secureSum", [])
    return {"seed": n, "plainRoundSeconds": p["summary"]["medianRoundSeconds"], "secureRoundSeconds": s["summary"]["medianRoundSeconds"],
            "timeRatio": s["summary"]["medianRoundSeconds"] / p["summary"]["medianRoundSeconds"],
            "plainBytesUpPerDevice": plain_bytes, "secureBytesUpPerDevice": secure_bytes, "bytesRatio": secure_bytes / plain_bytes,
            "secureSumMaxAbsError": max(c["maxAbsError"] for c in checks), "allSummedAsExpected": all(c["summed"] == c["expectedContributors"] for c in checks),
            "plainFinalAccuracy": p["summary"]["finalAccuracy"], "secureFinalAccuracy": s["summary"]["finalAccuracy"]}


def spread(rows, key):
    v = [r[key] for r in rows]
    return {"median": st.median(v), "min": min(v), "max": max(v)}


def series(d, k):
    rows = [pair(d, n) for n in range(3)]
    return {"neighbours": k, "threshold": k // 2 + 1, "runs": rows,
            **{key: spread(rows, key) for key in ("timeRatio", "bytesRatio", "plainRoundSeconds", "secureRoundSeconds", "secureSumMaxAbsError")}}


def dropout(d):
    runs = []
    for run in sorted(Path(d).glob("run-*")):
        r = json.load(open(run / "report.json"))
        checks = r.get("secureSum", [])
        runs.append({"run": run.name, "published": sum(1 for x in r["rounds"] if x["participants"] > 0),
                     "summed": [c["summed"] for c in checks], "maxAbsError": max(c["maxAbsError"] for c in checks),
                     "medianRoundSeconds": r["summary"]["medianRoundSeconds"]})
    return runs


report = json.load(open(sys.argv[1]))
report["w10_rerun"] = {"commit": "8dffc5d", "fullSecAgg": series(sys.argv[2], 99), "secAggPlus": series(sys.argv[3], 64),
                       "dropoutK64": dropout(sys.argv[3] + "/dropout")}
json.dump(report, open(sys.argv[1], "w"), indent=1)
print(json.dumps({k: report["w10_rerun"][k] for k in ("fullSecAgg", "secAggPlus")}, indent=1)[:3000])
