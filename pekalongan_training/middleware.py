from django.conf import settings
from django.http import HttpResponse, HttpResponseBadRequest
from django.middleware.gzip import GZipMiddleware
from django.middleware.locale import LocaleMiddleware
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import add_never_cache_headers


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


# Methods whose body a view may read; a body of unknown size on them is refused.
BODY_METHODS = {"POST", "PUT", "PATCH"}


class RequestSizeLimitMiddleware:
    """Refuse with 413 a request that says it is bigger than settings.MAX_REQUEST_BYTES, before
    anything reads its body.

    Django spools a large multipart body to a temporary file as soon as a middleware or a view
    touches request.POST (the CSRF check does, before it can refuse), so an anonymous post of
    200 MB would reach the disk. Only the declared Content-Length is looked at. A POST, PUT or
    PATCH with a body of unknown length (Transfer-Encoding: chunked, or a Content-Length that is
    no number) is refused too: its size cannot be checked without reading it. First in MIDDLEWARE.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._too_large(request.META, request.method):
            return HttpResponse(render_to_string("413.html"), status=413)
        return self.get_response(request)

    @staticmethod
    def _too_large(meta, method) -> bool:
        declared = meta.get("CONTENT_LENGTH", "").strip()
        if declared:
            if not declared.isdigit():
                return method in BODY_METHODS
            return int(declared) > getattr(settings, "MAX_REQUEST_BYTES", 6 * 1024 * 1024)
        return method in BODY_METHODS and bool(meta.get("HTTP_TRANSFER_ENCODING"))


# The browser features the project uses: none.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "usb",
        "xr-spatial-tracking",
    )
)


class PrivateResponseMiddleware:
    """No copy of a page with personal data in a browser's or a proxy's cache; no browser features.

    Every response that touched the session (which is every response to a logged-in person, as
    authentication reads it, and every public page that keeps something there, such as the
    registration receipt) gets Cache-Control: no-store, private. Deciding by the session rather than
    page by page means a new page cannot forget it. Static files are answered by WhiteNoise before
    the session middleware runs, so they keep their long caching: place this middleware before
    WhiteNoise. Every response gets the Permissions-Policy.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        logged_in = user is not None and getattr(user, "is_authenticated", False)
        if logged_in or (session is not None and session.accessed):
            add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


# What TextCompressionMiddleware compresses: text the app writes. Spreadsheets and PDFs are
# compressed formats already; static files are compressed once by collectstatic (WhiteNoise).
COMPRESSED_TYPES = ("text/html", "text/csv", "text/plain", "text/javascript", "application/json")


class TextCompressionMiddleware(GZipMiddleware):
    """gzip for pages and other text, for the phones in class and the officials' dashboard.

    The marking page is about 34 KiB of HTML and a sixth of that compressed. Against BREACH (a
    secret in a compressed page that also reflects what an attacker sends): Django masks the CSRF
    token afresh in every response and GZipMiddleware pads each response by a random length
    ("Heal The Breach"); the session cookie never appears in a page (docs/DEPLOY.md).
    """

    def process_response(self, request, response):
        kind = response.get("Content-Type", "").split(";")[0].strip().lower()
        if kind not in COMPRESSED_TYPES:
            return response
        return super().process_response(request, response)
