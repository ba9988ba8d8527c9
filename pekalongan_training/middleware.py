from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class IndonesianFirstLocaleMiddleware(LocaleMiddleware):
    """Indonesian unless the person chose English with the language switch.

    Django's LocaleMiddleware follows the browser's Accept-Language, and many phones and office
    PCs here run an English browser; the dinas wants its pages in Indonesian all the same.
    """

    def process_request(self, request):
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if code not in dict(settings.LANGUAGES):
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = translation.get_language()


class ContentSecurityPolicyMiddleware:
    """Send settings.CONTENT_SECURITY_POLICY on every response that has none."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


def client_ip(request) -> str:
    """The client's address. Behind PROXY_COUNT trusted proxies (nginx, a load balancer), it is the
    address that many entries from the right of X-Forwarded-For; otherwise REMOTE_ADDR."""
    proxies = settings.PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")
