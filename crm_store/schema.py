"""Every table on one MetaData: import this, not the table modules, to create or migrate."""

from crm_store import duplicate_tables as duplicate_tables
from crm_store import integration_tables as integration_tables
from crm_store import journal_tables as journal_tables
from crm_store import routing_tables as routing_tables
from crm_store import screening_tables as screening_tables
from crm_store import tables as tables
from crm_store import workspace_tables as workspace_tables
from crm_store.tables import metadata

__all__ = [
    "duplicate_tables", "integration_tables", "journal_tables", "metadata", "routing_tables",
    "screening_tables", "tables", "workspace_tables",
]
