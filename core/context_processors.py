from django.conf import settings

from .navigation import main_sections


def platform(request):
    """Values every public template needs: large-text mode and the built sections."""
    return {
        "large_text": request.COOKIES.get(settings.LARGE_TEXT_COOKIE) == "1",
        "platform_sections": main_sections(),
        "platform_version": settings.PLATFORM_VERSION,
    }
