"""Text in CSV files that people open in a spreadsheet program.

Excel, LibreOffice and Numbers read a cell that begins with =, +, -, @, a tab or a carriage return
as a formula: a name typed as `=HYPERLINK("http://…", "click")` would become a live link, or worse,
on the machine of whoever opens the file. Such text is written with a leading apostrophe, so that
it is read as text; numbers are written as they are (a negative count is not a formula).
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def text_cell(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text
