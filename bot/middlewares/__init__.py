"""Per-update middlewares: in-flight tracking, the user and role, the language."""
