#!/usr/bin/env python3
"""The comparison for the import benchmark: what a clerk's script would do with the roster —
read it with pandas + openpyxl. Only reading: no validation, no database.

Usage: pandas_read.py ROSTER.xlsx   (prints rows read and the in-process read time)
"""
import sys
import time

started = time.monotonic()
import pandas as pd  # noqa: E402  (timed: a script pays for the import too)

imported = time.monotonic()
# Row 1 is the merged title, row 2 the header.
frame = pd.read_excel(sys.argv[1], engine="openpyxl", header=1)
done = time.monotonic()
print(f"rows={len(frame)} import_pandas={imported - started:.2f}s read_excel={done - imported:.2f}s")
