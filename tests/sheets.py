"""Reading an export's XLSX as a person does: the title block (``core.xlsx``), then the table below it."""

from __future__ import annotations

import io

from openpyxl import load_workbook


def title_block(ws) -> list[list]:
    """The lines above the table (up to the blank row), each as its values without trailing empty cells."""
    lines = []
    for row in ws.iter_rows(values_only=True):
        values = list(row)
        while values and values[-1] is None:
            values.pop()
        if not values:
            return lines
        lines.append(values)
    raise AssertionError("no blank row between the title block and the table")


def table(ws) -> list[list]:
    """The table's cells, its header row first (openpyxl cells: their type and alignment are checked too)."""
    skip = len(title_block(ws)) + 1
    return [list(r) for r in ws.iter_rows(min_row=skip + 1)]


def table_values(data: bytes) -> list[list]:
    """The first sheet's table of an XLSX file as values, its header row first."""
    return [[c.value for c in row] for row in table(load_workbook(io.BytesIO(data)).worksheets[0])]
