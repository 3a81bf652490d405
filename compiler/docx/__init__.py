"""Word documents after rendering: typesetting fixes and conversion to PDF."""
