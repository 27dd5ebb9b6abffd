"""rasr: which 1:1 conversation a sales leader should have with each rep, from CRM data."""

__version__ = "0.1.0"
