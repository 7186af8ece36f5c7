"""Errors the enterprise domain raises: a machine code and parameters; `portal.enterprise_labels`
words them."""

from __future__ import annotations


class EnterpriseError(Exception):
    def __init__(self, code: str, **params) -> None:
        self.code = code
        self.params = params
        detail = ", ".join(f"{k}={v}" for k, v in params.items())
        super().__init__(f"{code} ({detail})" if detail else code)
