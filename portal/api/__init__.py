"""The public (read) API and the staff (write) API; config/api_urls.py routes them."""
