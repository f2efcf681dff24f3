"""/api/v1/schema/: the OpenAPI schema, generated once per process.

Apart from portal/api/schema.py, which drf-spectacular imports while its views module loads.
"""

import threading
from typing import ClassVar

from django.utils.translation import get_language
from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response

from core.fingerprint import web_fingerprint


class SchemaView(SpectacularAPIView):
    """The schema, generated once per process (it takes seconds) and then served from memory.

    It is the same for every reader (SERVE_PUBLIC), so it is keyed only by what it is made
    from: the code and templates (the web fingerprint), the language and the API version."""

    _schemas: ClassVar[dict[tuple, dict]] = {}
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (web_fingerprint(), get_language(), version, self.serve_public, str(self.urlconf))
        with self._lock:  # the first requests of a new process wait for one generation
            schema = self._schemas.get(key)
            if schema is None:
                generator = self.generator_class(
                    urlconf=self.urlconf, api_version=version, patterns=self.patterns
                )
                schema = generator.get_schema(request=request, public=self.serve_public)
                self._schemas[key] = schema
        filename = self._get_filename(request, version)
        return Response(
            data=schema, headers={"Content-Disposition": f'inline; filename="{filename}"'}
        )
