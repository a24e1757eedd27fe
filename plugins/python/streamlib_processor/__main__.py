"""``python3 -m streamlib_processor describe FOLDER ENTRY`` prints the processors ENTRY
registers as JSON; ``python3 -m streamlib_processor run FOLDER ENTRY NAME`` serves processor
NAME over stdio. ENTRY is a module file (``gain.py``) or a package folder, relative to FOLDER.
"""

import importlib
import json
import os
import sys

from ._registry import describe, registered


def _load(folder, entry):
    root = os.path.realpath(folder)
    path = os.path.realpath(os.path.join(root, entry))
    if os.path.commonpath([root, path]) != root:
        raise SystemExit("entry %r is outside the plugin folder %s" % (entry, root))
    if os.path.isdir(path):
        if not os.path.isfile(os.path.join(path, "__init__.py")):
            raise SystemExit("entry %r is a folder without __init__.py, not a package" % entry)
        parent, name = os.path.split(path)
    elif path.endswith(".py") and os.path.isfile(path):
        parent, name = os.path.dirname(path), os.path.basename(path)[:-3]
    else:
        raise SystemExit("entry %r is neither a .py module nor a package folder in %s" % (entry, root))
    sys.path.insert(0, parent)
    importlib.import_module(name)


def main(argv):
    if len(argv) < 3 or argv[0] not in ("describe", "run"):
        raise SystemExit("usage: python3 -m streamlib_processor describe FOLDER ENTRY | run FOLDER ENTRY NAME")
    stdout = sys.stdout
    sys.stdout = sys.stderr  # what the plugin prints while importing must not reach the runtime
    _load(argv[1], argv[2])
    if argv[0] == "describe":
        stdout.write(json.dumps(describe()))
        stdout.flush()
        return
    if len(argv) < 4:
        raise SystemExit("usage: python3 -m streamlib_processor run FOLDER ENTRY NAME")
    spec = registered().get(argv[3])
    if spec is None:
        raise SystemExit("%s registers no processor %r (it registers: %s)"
                         % (argv[2], argv[3], ", ".join(registered()) or "none"))
    sys.stdout = stdout
    from ._serve import serve

    serve(spec)


main(sys.argv[1:])
