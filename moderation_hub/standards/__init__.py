"""The standards file: exemplars promoted from well-agreed moderation, published only with the school's permission,
after a second person has checked every page, as a copy made of redacted page images alone."""
