from django.conf import settings
from django.core.files.storage import FileSystemStorage


def private_storage():
    """Storage for files that are never served directly (sealed originals, uploads with
    personal data). Views that may hand them out check permissions first."""
    return FileSystemStorage(location=settings.PRIVATE_ROOT / "files", base_url=None)
