"""The bare-Django floor of the load benchmark: one view rendering a 30-row template, nothing else
(no database, no sessions, no middleware), served by the same gunicorn as the app:

    gunicorn bench.floor:application --workers 2

What the app's pages are compared with (issue 12: "≥ 0.5× the bare-Django floor")."""

from __future__ import annotations

import django
from django.conf import settings

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-floor-only-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS=["127.0.0.1", "localhost"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
        TEMPLATES=[{"BACKEND": "django.template.backends.django.DjangoTemplates"}],
        USE_TZ=True,
    )
    django.setup()

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.template import engines  # noqa: E402
from django.urls import path  # noqa: E402

TEMPLATE = engines["django"].from_string(
    "<!doctype html><html lang='vi'><head><title>{{ title }}</title></head><body>"
    "<h1>{{ title }}</h1><table>{% for row in rows %}<tr><td>{{ row.0 }}</td>"
    "<td>{{ row.1 }}</td><td>{{ row.2 }}</td></tr>{% endfor %}</table></body></html>"
)
ROWS = [(i, f"Đơn vị thành viên số {i}", f"{90 + i / 10:.1f}") for i in range(1, 31)]


def page(request):
    return HttpResponse(TEMPLATE.render({"title": "Bảng 30 dòng", "rows": ROWS}))


urlpatterns = [path("", page)]
application = get_wsgi_application()
