"""CSV cells safe against formula injection: a cell a spreadsheet would evaluate (starting
with =, +, -, @, tab or CR) is written with a leading apostrophe, so it shows as text; an
import of our own export takes the apostrophe off again."""

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def unescape_cell(value: str) -> str:
    """Undo ``safe_cell``, so that an export imports as it was."""
    return value[1:] if value.startswith("'") and value[1:2] in FORMULA_START else value
