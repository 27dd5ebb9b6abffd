"""Import CRM exports into the workspace's canonical tables.

Each import reads its files, leaves out and reports rows with bad values,
and writes the rest in one transaction together with a row in the
``imports`` table and a copy of each file read. A fatal problem raises
ImportFailed and writes nothing.
"""

from rasr.importers.generic import import_generic
from rasr.importers.maven import import_maven
from rasr.importers.options import ImportOptions
from rasr.importers.report import ImportFailed, ImportReport, ImportWarning, Rejection
from rasr.importers.salesforce import import_salesforce

__all__ = [
    "ImportFailed", "ImportOptions", "ImportReport", "ImportWarning", "Rejection", "import_generic",
    "import_maven", "import_salesforce",
]
