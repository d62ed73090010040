"""Operation to SQL, per dialect: the generic implementation and SQLite's."""
