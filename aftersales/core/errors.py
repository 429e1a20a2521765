"""Error codes. The domain raises codes with parameters; only the edge (API, pages) translates them.

A code is `area.what`, e.g. `case.illegal_transition`. The message catalogue lives in
`aftersales.core.messages` so that pure code never imports Django.
"""

from __future__ import annotations


class DomainError(Exception):
    """A refusal by the domain: bad input or a forbidden move. Nothing has been changed."""

    #: HTTP status the edge should use; 422 = understood but refused, 409 = conflicts with state.
    status = 422

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"{type(self).__name__}({self.code!r}, {self.params!r})"


class ConflictError(DomainError):
    """The request is valid but the current state does not allow it (wrong status, already done)."""

    status = 409


class NotFoundError(DomainError):
    status = 404


class PermissionDeniedError(DomainError):
    status = 403
