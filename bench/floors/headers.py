"""Floor of the graph commands (S2, S3): read every revision script's header with
two regular expressions and find the heads. No graph library, no caching, no
validation: the least a tool must do to answer ``heads``.

    python headers.py VERSIONS_DIR
"""

import os
import re
import sys

REVISION = re.compile(r"^revision = ['\"]([^'\"]+)['\"]", re.MULTILINE)
DOWN = re.compile(r"^down_revision = (.*)$", re.MULTILINE)
STRING = re.compile(r"['\"]([^'\"]+)['\"]")

folder = sys.argv[1]
revisions: set[str] = set()
parents: set[str] = set()
for entry in os.scandir(folder):
    if entry.name.endswith(".py") and not entry.name.startswith(("_", ".")):
        with open(entry.path, encoding="utf-8") as f:
            text = f.read()
        revisions.add(REVISION.search(text).group(1))
        parents.update(STRING.findall(DOWN.search(text).group(1)))
print("\n".join(sorted(revisions - parents)))
