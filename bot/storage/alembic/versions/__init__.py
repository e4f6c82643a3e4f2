"""The revisions, one per numbered migration script."""
