from django.conf import settings
from django.http import HttpResponseBadRequest
from django.middleware.locale import LocaleMiddleware
from django.template.loader import render_to_string
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


class RejectNullCharactersMiddleware:
    """A NUL character in a form or an address is never meant: answer 400 before any view sees it.

    PostgreSQL cannot store it in text, so it would otherwise end as a server error wherever a view
    reads a value straight from the request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        for data in (request.GET, request.POST if request.method == "POST" else {}):
            if any("\x00" in key or any("\x00" in value for value in data.getlist(key)) for key in data):
                return HttpResponseBadRequest(render_to_string("400.html"))
        return self.get_response(request)
