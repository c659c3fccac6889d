"""Alembic environment: runs on the connection handed over by :meth:`Database.upgrade`."""

from __future__ import annotations

from alembic import context

from osatnet.db._base import Base
from osatnet.models import import_all_models

import_all_models()
config = context.config
connection = config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
