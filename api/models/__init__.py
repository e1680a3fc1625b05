from .changes import PublicChange
from .keys import ApiKey

__all__ = ["ApiKey", "PublicChange"]
