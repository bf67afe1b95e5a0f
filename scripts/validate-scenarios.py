#!/usr/bin/env python3
"""Validates every scenario document in tests/scenarios/ against docs/scenario.schema.json."""
import glob
import json
import sys

import jsonschema

root = __file__.rsplit("/scripts/", 1)[0]
schema = json.load(open(f"{root}/docs/scenario.schema.json"))
jsonschema.Draft202012Validator.check_schema(schema)
files = sorted(glob.glob(f"{root}/tests/scenarios/*.json"))
failed = 0
for f in files:
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(json.load(open(f))))
    for e in errors[:3]:
        print(f"{f}: {'/'.join(map(str, e.path))}: {e.message[:200]}")
    failed += bool(errors)
print(f"scenario schema: {len(files) - failed} passed, {failed} failed")
sys.exit(1 if failed or not files else 0)
