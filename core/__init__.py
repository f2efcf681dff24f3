"""Domain-free helpers shared by every app; imports nothing from the project."""
