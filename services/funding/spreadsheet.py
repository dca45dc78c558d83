"""CSV and XLSX exports (the shared, formula-safe writers)."""

from szcore.spreadsheet import XLSX, safe_cell, to_csv, to_xlsx

__all__ = ["XLSX", "safe_cell", "to_csv", "to_xlsx"]
