"""What stops a run. Each exception carries its exit code and a Thai and an English message.

Problems in the data are not exceptions: they are ``Finding`` values. These are for what
cannot go on at all (an output that may not be overwritten, a missing template, a usage
error). The CLI turns them into a message and an exit code in one place.
"""

from __future__ import annotations


class CompilerError(Exception):
    """Root of every error that stops a run; ``exit_code`` 1 unless a subclass says more."""

    exit_code = 1

    def __init__(self, message_th: str, message_en: str, *, where: str = "") -> None:
        super().__init__(message_en)
        self.message_th = message_th
        self.message_en = message_en
        self.where = where

    @property
    def prefix(self) -> str:
        """``where: `` to put before the messages; empty when they name it already (``x.docx:
        x.docx already exists`` said the file twice)."""
        named = self.where in self.message_th and self.where in self.message_en
        return f"{self.where}: " if self.where and not named else ""

    def __str__(self) -> str:
        return f"{self.prefix}{self.message_th} / {self.message_en}"


class UsageError(CompilerError):
    """The command was called wrongly (no such path, bad option value): exit 2."""

    exit_code = 2


class InputError(CompilerError):
    """The input cannot be used at all (e.g. workbooks that disagree): exit 1."""


class OutputError(CompilerError):
    """The output cannot be written (exists without --force, read-only, disk full): exit 1."""


class TemplateError(CompilerError):
    """A template is missing, broken, or asks for a variable the data does not have: exit 1."""


class ToolMissingError(CompilerError):
    """An optional external tool (LibreOffice for --pdf) is not installed: exit 1."""
