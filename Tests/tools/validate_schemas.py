#!/usr/bin/env python3
"""Checks every JSON Schema under a folder (draft 2020-12) and its examples: each entry of "examples"
must validate, each of "x-invalid-examples" must not. Prints one line per failure and a summary."""
import json
import pathlib
import sys

from jsonschema import Draft202012Validator, FormatChecker

root = pathlib.Path(sys.argv[1])
failures = 0
checked = 0
for path in sorted(root.rglob("*.schema.json")):
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    for example in schema.get("examples", []):
        checked += 1
        errors = list(validator.iter_errors(example))
        if errors:
            failures += 1
            print(f"FAIL {path.name}: a valid example is rejected: {errors[0].message}")
    invalid = schema.get("x-invalid-examples", [])
    if not schema.get("examples") or not invalid:
        failures += 1
        print(f"FAIL {path.name}: needs at least one valid and one invalid example")
    for example in invalid:
        checked += 1
        if validator.is_valid(example):
            failures += 1
            print(f"FAIL {path.name}: an invalid example is accepted: {json.dumps(example, ensure_ascii=False)}")
    # Every published limit has a valid example at it and an invalid one just past it.
    for name, prop in schema.get("properties", {}).items():
        values = lambda examples: [e[name] for e in examples if name in e]
        bounds = []
        if prop.get("type") == "integer":
            bounds += [(prop[k], prop[k] + step) for k, step in (("minimum", -1), ("maximum", 1)) if k in prop]
            if "minimum" not in prop or "maximum" not in prop:
                failures += 1
                print(f"FAIL {path.name}: integer {name} needs a minimum and a maximum")
        elif prop.get("type") == "string" and "maxLength" in prop:
            bounds += [(prop["maxLength"], prop["maxLength"] + 1)]
            if prop.get("minLength", 0) > 0:
                bounds += [(prop["minLength"], prop["minLength"] - 1)]
            bounds = [(at, past) for at, past in bounds]
            lengths = lambda examples: [len(v) for v in values(examples) if isinstance(v, str)]
            for at, past in bounds:
                if at not in lengths(schema.get("examples", [])) or past not in lengths(invalid):
                    failures += 1
                    print(f"FAIL {path.name}: {name} needs a valid example of length {at} and an invalid one of length {past}")
            continue
        for at, past in bounds:
            if at not in values(schema.get("examples", [])) or past not in values(invalid):
                failures += 1
                print(f"FAIL {path.name}: {name} needs a valid example at {at} and an invalid one at {past}")
print(f"{checked} examples checked, {failures} failures")
sys.exit(1 if failures else 0)
