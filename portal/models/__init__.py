"""Shared tables. Import each module here so Alembic and the app see every table."""

from portal.models.department import Department, DepartmentKind

__all__ = ["Department", "DepartmentKind"]
