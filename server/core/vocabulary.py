"""Vocabularies: the closed sets of values stored as text (kinds, statuses, channels, categories, roles).

Each is one ``Vocabulary`` (a ``StrEnum``) declaring every value with its Chinese label, in display order:

    class ProposalStatus(Vocabulary):
        draft = "draft", "草稿"
        voting = "voting", "表决中"

and from that one declaration come
- the database CHECK: ``ProposalStatus.check("status")`` in ``__table_args__`` renders
  ``CheckConstraint("status IN ('draft', 'voting')", name="status_valid")``;
- the schema type: a pydantic field typed ``ProposalStatus`` takes and gives the plain strings in JSON, and
  the OpenAPI document lists them (``enum``) with their labels (``description``);
- the label: ``ProposalStatus.draft.label``, and ``GET /api/v1/meta/labels`` serves every vocabulary under
  its snake_case class name (``proposal_status``), so no front end keeps a copy.

Members are ``str``: they compare equal to, and bind in SQL as, their values.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint

# Vocabulary name (snake_case of the class name) -> class, in import order.
REGISTRY: dict[str, type[Vocabulary]] = {}

# Values are rendered into CHECK constraints and URLs: plain snake_case only, or one capital letter (grades
# A, B, C, as API.md spells them).
_VALUE = re.compile(r"[a-z][a-z0-9_]*|[A-Z]")


def vocabulary_name(cls: type) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", cls.__name__).lower()


class Vocabulary(StrEnum):
    """Base of every vocabulary; see the module docstring for how to declare one."""

    label: str

    def __new__(cls, value: str, label: str):
        if not _VALUE.fullmatch(value):
            raise ValueError(f"{cls.__name__}: vocabulary values are snake_case (or one capital letter), not {value!r}")
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = vocabulary_name(cls)
        if name in REGISTRY:
            raise TypeError(f"vocabulary {name!r} is declared twice ({REGISTRY[name].__module__}, {cls.__module__})")
        REGISTRY[name] = cls

    @classmethod
    def labels(cls) -> dict[str, str]:
        """{value: label} in display order."""
        return {member.value: member.label for member in cls}

    @classmethod
    def check(cls, column: str, only: Iterable[Vocabulary] | None = None, name: str | None = None) -> CheckConstraint:
        """The CHECK that keeps ``column`` within this vocabulary (or within ``only``, a subset of it).

        The constraint carries the vocabulary in ``info`` so tests can prove what the database admits."""
        values = tuple(cls) if only is None else tuple(cls(v) for v in only)
        listed = ", ".join(f"'{v.value}'" for v in values)
        return CheckConstraint(f"{column} IN ({listed})", name=name or f"{column}_valid",
                               info={"vocabulary": cls, "column": column, "values": values})

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> dict[str, Any]:
        schema = handler(core_schema)
        schema = handler.resolve_ref_schema(schema)
        schema["description"] = "；".join(f"{m.value} {m.label}" for m in cls)
        return schema


def all_labels() -> dict[str, dict[str, str]]:
    """Every registered vocabulary's labels, by name (sorted, so the document and its ETag are stable)."""
    return {name: REGISTRY[name].labels() for name in sorted(REGISTRY)}
