#!/usr/bin/env python3
"""Compute CDNOW cohort retention and RFM segments independently of the ledger.

A test oracle: it reads the bundled CDNOW file with pandas, applies the rules that the
README's "Analysis" section states, uses no code of the package, and writes the figures as
JSON. Tests/LedgerCLITests/Fixtures/cdnow-analysis-expected.json is its output. The analysis
tests in the suite of ImportedLedgerCommandTests compare `ledger segments --json` and
`ledger cohorts --json` on the imported file with it.

Usage: python3 scripts/oracle/cdnow_analysis.py [CDNOW_master.txt] > expected.json
The checked-in figures were produced with pandas 3.1.1 on Python 3.
"""

import json
import sys
from pathlib import Path

import pandas as pd

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "Sources/LedgerCommandLine/Resources/cdnow/CDNOW_master.txt"

# Rows R = 5 down to 1, columns FM = 1 to 5, as in the README.
SEGMENT_GRID = [
    ["new customers", "potential loyalists", "potential loyalists", "champions", "champions"],
    ["promising", "potential loyalists", "loyal customers", "champions", "champions"],
    ["promising", "about to sleep", "need attention", "loyal customers", "loyal customers"],
    ["hibernating", "hibernating", "at risk", "at risk", "at risk"],
    ["lost", "hibernating", "at risk", "can't lose them", "can't lose them"],
]
SEGMENT_ORDER = [
    "champions", "loyal customers", "potential loyalists", "new customers", "promising", "need attention",
    "about to sleep", "at risk", "can't lose them", "hibernating", "lost",
]


def read_purchases(path):
    """Return one row per purchase: customer, date and amount in cents (exact integers)."""
    frame = pd.read_csv(
        path, sep=r"\s+", header=0, names=["customer", "date", "quantity", "amount"],
        dtype={"customer": "int64", "date": "str", "quantity": "int64", "amount": "str"},
    )
    frame["date"] = pd.to_datetime(frame["date"], format="%Y%m%d")
    # Amounts have exactly two decimals, so parsing the digits keeps floats out of the sums.
    parts = frame["amount"].str.split(".", expand=True)
    frame["cents"] = parts[0].astype("int64") * 100 + parts[1].astype("int64")
    return frame


def quintile_scores(values):
    """1 + floor(5 * (values strictly lower) / n): ties share the score of their lowest rank."""
    lower = values.rank(method="min").astype("int64") - 1
    return 1 + (5 * lower) // len(values)


def rfm(frame, as_of):
    per_customer = frame.groupby("customer").agg(
        last=("date", "max"), purchases=("date", "size"), net=("cents", "sum"))
    recency_days = (as_of - per_customer["last"]).dt.days
    # A later last purchase scores higher, so rank the negated recency.
    r = quintile_scores(-recency_days)
    f = quintile_scores(per_customer["purchases"])
    m = quintile_scores(per_customer["net"])
    fm = (f + m + 1) // 2
    segments = [SEGMENT_GRID[5 - ri][fmi - 1] for ri, fmi in zip(r, fm)]
    per_customer = per_customer.assign(segment=segments)
    sizes = per_customer.groupby("segment").agg(customers=("net", "size"), net=("net", "sum"))
    rows = []
    for name in SEGMENT_ORDER:
        customers = int(sizes.loc[name, "customers"]) if name in sizes.index else 0
        net = int(sizes.loc[name, "net"]) if name in sizes.index else 0
        rows.append({"segment": name, "customers": customers, "net_spend_minor_units": net})
    return {
        "customers": int(len(per_customer)),
        "segments": rows,
        "score_counts": {
            "recency": [int((r == score).sum()) for score in range(1, 6)],
            "frequency": [int((f == score).sum()) for score in range(1, 6)],
            "monetary": [int((m == score).sum()) for score in range(1, 6)],
        },
    }


def cohorts(frame, as_of):
    months = frame["date"].dt.year * 12 + frame["date"].dt.month - 1
    frame = frame.assign(month=months)
    first = frame.groupby("customer")["month"].min().rename("cohort")
    frame = frame.join(first, on="customer")
    last_month = as_of.year * 12 + as_of.month - 1
    rows = []
    for cohort, group in frame.groupby("cohort"):
        active = group.groupby("month")["customer"].nunique()
        rows.append({
            "month": f"{cohort // 12}-{cohort % 12 + 1:02d}",
            "customers": int(group["customer"].nunique()),
            "active": [int(active.get(month, 0)) for month in range(cohort, last_month + 1)],
        })
    return rows


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_DATA
    frame = read_purchases(path)
    # The CLI's default instant: the latest occurred-at, midnight UTC of the last date.
    as_of = frame["date"].max()
    result = {
        "source": "scripts/oracle/cdnow_analysis.py on Sources/LedgerCommandLine/Resources/cdnow/CDNOW_master.txt",
        "as_of": as_of.strftime("%Y-%m-%dT00:00:00Z"),
        "rfm": rfm(frame, as_of),
        "cohorts": cohorts(frame, as_of),
    }
    json.dump(result, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
