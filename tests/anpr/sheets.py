"""Reading an ANPR export's XLSX as a person does: the title block, then the table below it (``tests.sheets``)."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.sheets import table, title_block

__all__ = ["sheet", "table", "title_block"]


def sheet(response):
    return load_workbook(io.BytesIO(response.content)).active
