"""Floor of S5: raw SQL through the standard library's sqlite3, in one transaction
(the move and copy of a batch migration, written by hand).

    python sqlite_script.py DATABASE STATEMENTS.json
"""

import json
import sqlite3
import sys

path, statements_path = sys.argv[1:3]
with open(statements_path, encoding="utf-8") as f:
    statements = json.load(f)
conn = sqlite3.connect(path, isolation_level=None)
conn.execute("BEGIN")
for statement in statements:
    conn.execute(statement)
conn.execute("COMMIT")
conn.close()
