"""The official lists of the demo data, validated with a JSON Schema validator
nobody here wrote (the `jsonschema` package, draft 2020-12, with format checks):
the 360Giving data package against the 360Giving Data Standard's own schemas,
and the list of operations (Article 49(3) of Regulation (EU) 2021/1060) against
our schema of its JSON form (tests/clients/schemas/). scripts/contract runs it
against a service with the demo data, before the scenarios add to it.

Each schema is first shown to refuse a broken copy of a real answer, so that a
schema that accepts anything cannot pass for a check."""

import copy
import json
import os
import pathlib
import sys
import urllib.request

from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

BASE_URL = os.environ["BASE_URL"]
SCHEMAS = pathlib.Path(__file__).resolve().parent.parent / "schemas"
FORMATS = Draft202012Validator.FORMAT_CHECKER


def load(path: pathlib.Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def get(path: str):
    request = urllib.request.Request(BASE_URL + path, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request) as response:
        assert response.status == 200, f"{path}: {response.status}"
        return json.load(response)


def errors(validator: Draft202012Validator, document) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in validator.iter_errors(document)]


def check(name: str, validator: Draft202012Validator, document, broken) -> None:
    found = errors(validator, document)
    if found:
        print(f"validate-exports: {name} does not validate:", *found[:20], sep="\n  ", file=sys.stderr)
        sys.exit(1)
    if not errors(validator, broken):
        print(f"validate-exports: {name}: the schema accepted a broken copy", file=sys.stderr)
        sys.exit(1)


# Date-time formats must be asserted: the 360Giving schema's dates are
# oneOf(date-time, YYYY-MM-DD pattern), which only one branch may match.
assert "date-time" in FORMATS.checkers, "install rfc3339-validator: date-time formats are not checked"

# 360Giving: the package schema names the grant schema by its 1.4.2 address, the
# grant schema calls itself 1.4.3; both are the vendored copy, resolved offline.
# Their "$schema" is draft 2020-12 under an address the meta-schema does not have
# (http, not https), so the dialect is named here rather than detected.
grant_schema = load(SCHEMAS / "360giving" / "360-giving-schema.json")
package_schema = load(SCHEMAS / "360giving" / "360-giving-package-schema.json")
grant_resource = DRAFT202012.create_resource(grant_schema)
registry = Registry().with_resources(
    [
        ("https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.2/schema/360-giving-schema.json", grant_resource),
        (grant_schema["$id"], grant_resource),
    ]
)
Draft202012Validator.check_schema(package_schema)
Draft202012Validator.check_schema(grant_schema)
package_validator = Draft202012Validator(package_schema, registry=registry, format_checker=FORMATS)

package = get("/api/v1/exports/360giving")
assert package["grants"], "the demo data gives grants"
broken = copy.deepcopy(package)
del broken["grants"][0]["awardDate"]
broken["grants"][-1]["currency"] = "ZŁ"
check("the 360Giving package", package_validator, package, broken)
print(f"validate-exports: 360Giving package of {len(package['grants'])} grants valid against the 360Giving schema 1.4.3")

# The list of operations, against our schema of its JSON form.
operations_schema = load(SCHEMAS / "article-49" / "operations.schema.json")
Draft202012Validator.check_schema(operations_schema)
operations_validator = Draft202012Validator(operations_schema, format_checker=FORMATS)
operations = get("/api/v1/exports/operations")
assert operations, "the demo data gives operations"
broken = copy.deepcopy(operations)
broken[0]["participants"] = 252
del broken[-1]["intervention_field"]
check("the list of operations", operations_validator, operations, broken)
print(f"validate-exports: list of {len(operations)} operations valid against tests/clients/schemas/article-49")
