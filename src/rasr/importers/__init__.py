"""Import CRM exports into the workspace's canonical tables.

Each import reads a folder of CSV files, leaves out and reports rows with bad
values, and writes the rest in one transaction together with a row in the
``imports`` table. A fatal problem raises ImportFailed and writes nothing.
"""

from rasr.importers.generic import import_generic
from rasr.importers.maven import import_maven
from rasr.importers.report import ImportFailed, ImportReport, ImportWarning, Rejection

__all__ = ["ImportFailed", "ImportReport", "ImportWarning", "Rejection", "import_generic", "import_maven"]
