"""The feedback app's models: reviews (R1) and complaints (R2), one module each."""

from .complaints import *  # noqa: F403
from .reviews import *  # noqa: F403
