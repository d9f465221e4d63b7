"""The register stage: vendors, sub-processors and cross-border transfers, checked against the
catalog's facts and what the logs show (issue 16). Its output is findings (``stage="register"``).

    from sekisho.register import check_register
    result = check_register(Path("register.yaml"), catalog, store)
"""

from sekisho.register.check import RegisterCheck, check_register, findings_json, load_rule_params, run_rules
from sekisho.register.load import Problem, load_register
from sekisho.register.model import COLUMNS, Party, Register
from sekisho.register.rules import RULES

__all__ = [
    "COLUMNS",
    "RULES",
    "Party",
    "Problem",
    "Register",
    "RegisterCheck",
    "check_register",
    "findings_json",
    "load_register",
    "load_rule_params",
    "run_rules",
]
