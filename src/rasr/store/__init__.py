"""The workspace database: schema, connections and loading."""

from rasr.store.connection import Workspace, WorkspaceError, open_workspace

__all__ = ["Workspace", "WorkspaceError", "open_workspace"]
