"""Domain-free helpers shared by every app; imports nothing from the project.

Text checks, JSON of any depth, the 개조식 format and its model field, revision/conflict checks,
content-addressed file storage, the busy-database answer, database roles, the code fingerprint,
and reading and writing spreadsheet files (tabular).
"""
