"""Errors raised while parsing, checking and rendering templates.

    TemplateError
    ├── TemplateSyntaxError      the text is not valid template syntax
    ├── UndefinedVariableError   a variable the template reads has no value
    │   └── UnknownScopeError    … because its first name is no scope
    ├── TemplateValueError       a value cannot be used the way it is used
    ├── TemplateLimitError       output, loop or nesting limit exceeded
    └── SecretError              a secret reference is malformed or failed
        ├── InvalidSecretReferenceError
        └── SecretResolutionError

Every message is meant for the person who wrote the template: it names the
variable path or function and the template line, and never a value (a value
may be a secret).
"""

from __future__ import annotations

__all__ = [
    "InvalidSecretReferenceError",
    "SecretError",
    "SecretResolutionError",
    "TemplateError",
    "TemplateLimitError",
    "TemplateSyntaxError",
    "TemplateValueError",
    "UndefinedVariableError",
    "UnknownScopeError",
]


class TemplateError(Exception):
    """A template could not be parsed, checked or rendered."""

    def __init__(
        self,
        message: str,
        *,
        line: int | None = None,
        column: int | None = None,
        path: str | None = None,
        location: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.path = path
        self.location = location

    def __str__(self) -> str:
        prefix = f"{self.location}: " if self.location else ""
        if self.line is not None:
            prefix += f"line {self.line}: "
        return prefix + self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, line={self.line!r}, "
            f"column={self.column!r}, path={self.path!r})"
        )

    def at(self, location: str) -> TemplateError:
        """Return this error with *location* (where the template sits) set."""
        if not self.location:
            self.location = location
        return self


class TemplateSyntaxError(TemplateError):
    """The template text is not valid template syntax."""


class UndefinedVariableError(TemplateError):
    """A variable the template reads has no value."""


class UnknownScopeError(UndefinedVariableError):
    """A variable path starts with a name that is not a variable scope."""


class TemplateValueError(TemplateError):
    """A value cannot be used the way the template uses it."""


class TemplateLimitError(TemplateError):
    """Rendering went over the output size, loop or nesting limit."""


class SecretError(TemplateError):
    """A secret reference is malformed or could not be resolved."""


class InvalidSecretReferenceError(SecretError):
    """A secret reference does not have the form SCHEME:TARGET."""


class SecretResolutionError(SecretError):
    """A well-formed secret reference could not be resolved to a value."""
