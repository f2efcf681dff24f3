"""Uploads larger than the portal reads are dropped while they arrive, not stored first.

The only uploads are spreadsheets for imports (core.tabular caps them at MAX_UPLOAD_BYTES). A
larger file is skipped chunk by chunk — nothing is kept in memory or on disk — and the request
is marked, so the import form can say the file was too big instead of "no file".
"""

from django.core.files.uploadhandler import FileUploadHandler, SkipFile

from core.tabular import MAX_UPLOAD_BYTES


class SizeLimitUploadHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > MAX_UPLOAD_BYTES:
            self.request.upload_too_large = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size):
        return None
