"""What people use: readers' pages, staff screens and admin, the API, exports, seeds and tools."""
