"""Quick check of catalog YAML files against the schema (before `sekisho catalog validate` exists).

usage: python scripts/check_catalog_file.py sekisho/data/catalog/services/x.yaml ...
"""

import sys
from pathlib import Path

import yaml
from pydantic import ValidationError

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from sekisho.model.catalog import Law, Operator, Service, Software

KINDS = {"services": Service, "operators": Operator, "laws": Law, "software": Software}
bad = 0
for name in sys.argv[1:]:
    p = Path(name)
    model = KINDS[p.parent.name]
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
        obj = model.model_validate(data)
        if obj.id != p.stem:
            raise ValueError(f"id {obj.id!r} != file name {p.stem!r}")
        print(f"ok   {p}")
    except (ValidationError, ValueError, yaml.YAMLError) as e:
        bad += 1
        print(f"FAIL {p}: {e}")
sys.exit(1 if bad else 0)
