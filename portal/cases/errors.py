"""Errors the case domain raises. Each carries a machine code; the text a person reads comes from
`portal.case_labels`, so the domain stays free of any language."""

from __future__ import annotations


class CaseError(Exception):
    """A request the case rules refuse. `code` is stable and translatable; `params` fill the text."""

    def __init__(self, code: str, **params) -> None:
        self.code = code
        self.params = params
        detail = ", ".join(f"{k}={v}" for k, v in params.items())
        super().__init__(f"{code} ({detail})" if detail else code)


class IllegalTransition(CaseError):
    """The move is not allowed: wrong state, wrong person, or missing what it needs.

    Raised before anything is changed, so the case and its history are as they were.
    """

    def __init__(self, code: str, *, action: str, state: str | None, **params) -> None:
        self.action = action
        self.state = state
        super().__init__(code, action=action, state=state, **params)


class CalendarError(CaseError):
    """A calendar year an administrator entered does not make sense."""
