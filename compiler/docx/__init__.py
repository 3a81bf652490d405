"""Word documents: templates, Thai typesetting, conversion to PDF."""
