"""refuge: evaluate refugee-protection law with cited explanations.

    import refuge
    policy = refuge.compile()                 # the built-in policies (or refuge.compile("policies/"))
    result = policy.evaluate({"as_of": "2003-01-15", "facts": {...}})   # refuge.evaluation/2 as a dict
    batch = policy.evaluate_arrow(table)      # one case per row, all cores: a pyarrow.RecordBatch

Errors are `refuge.PolicyError`, `refuge.CaseError` and `refuge.EvalError`
(all `refuge.RefugeError`, a `ValueError`), whose `.diagnostics` are the
CLI's JSON diagnostics.
"""

from ._refuge import CaseError, EvalError, Policy, PolicyError, RefugeError, compile

__all__ = ["compile", "Policy", "RefugeError", "PolicyError", "CaseError", "EvalError"]
