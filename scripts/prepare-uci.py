#!/usr/bin/env python3
"""Prepares UCI Online Retail (../shared/data/uci_online_retail) as purchase events.

Usage: scripts/prepare-uci.py SRC.csv.gz OUT.csv [DESCRIPTIONS.json]
Keeps the invoice lines with a CustomerID (guest checkouts dropped), an InvoiceNo not starting
with C and Quantity > 0 (cancellations dropped) and a StockCode starting with 5 digits (POST, DOT,
M, BANK CHARGES, ... are no products); writes CustomerID,StockCode,InvoiceDate (the customer id
without its ".0"). With DESCRIPTIONS.json, also writes {StockCode: the most frequent description}
(a few codes were renamed over the year; among equally frequent ones the first seen wins).
"""
import collections
import csv
import gzip
import json
import re
import sys

if len(sys.argv) not in (3, 4):
    sys.exit(__doc__)
src, dst = sys.argv[1], sys.argv[2]
names_out = sys.argv[3] if len(sys.argv) == 4 else None
product = re.compile(r"^[0-9]{5}")
names = collections.defaultdict(collections.Counter)
kept = total = 0
with gzip.open(src, "rt", newline="", encoding="utf-8") as f, open(dst, "w", newline="") as g:
    r, w = csv.DictReader(f), csv.writer(g)
    w.writerow(["CustomerID", "StockCode", "InvoiceDate"])
    for row in r:
        total += 1
        cust = row["CustomerID"].strip()
        if not cust or row["InvoiceNo"].startswith("C") or float(row["Quantity"]) <= 0:
            continue
        if not product.match(row["StockCode"]):
            continue
        w.writerow([cust[:-2] if cust.endswith(".0") else cust, row["StockCode"], row["InvoiceDate"]])
        if names_out:
            desc = " ".join(row["Description"].split())
            if desc:
                names[row["StockCode"]][desc] += 1
        kept += 1
if names_out:
    best = {code: c.most_common(1)[0][0] for code, c in names.items()}
    with open(names_out, "w", encoding="utf-8") as g:
        json.dump(best, g, ensure_ascii=False)
    print(f"uci: kept {kept} of {total} invoice lines, {len(best)} named StockCodes", file=sys.stderr)
else:
    print(f"uci: kept {kept} of {total} invoice lines", file=sys.stderr)
