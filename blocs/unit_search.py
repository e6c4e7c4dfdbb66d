"""Choosing a unit among many (issue 12): a province has 1,500 units at 100 blocs, and a page that
rendered them all as <option>s cost 60–96 ms. The field stays a ModelChoiceField over the units
the user may pick (validated on the server as before); its widget shows at most LIMIT of them:
all when there are that few, otherwise those matching a search, plus the unit already chosen.

The search matches every word typed against `Unit.search_text` (diacritics and case folded:
"tai chinh" finds "Sở Tài chính"). With JavaScript, htmx fetches the matches as one types from
the page's search URL (the same view, so the same access rules, answering with the list only).
Without it the search box belongs to a small GET form outside the page's form (blocs/form.html)
that reloads the page with ?q=.

    form = MembershipAddForm(request.POST or None, bloc=bloc, year=year)
    url = reverse("blocs:membership_add_units", args=[bloc.pk, year])
    if fragment := unit_search.wire(request, form, "unit", url=url, search=search):
        return fragment  # the search URL: the matching units only
"""

from __future__ import annotations

from django import forms
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import render
from django.template import loader
from django.utils.safestring import mark_safe

from blocs.models import Unit
from blocs.text import fold, strip_controls
from thiduakhenthuong.limits import MAX_DB_INT

LIMIT = 20
QUERY_PARAM = "q"
FORM_ID = "tim-don-vi"  # the GET form of the search box (one searched field per page)
MAX_QUERY = 100
MAX_WORDS = 6
RESULTS_TEMPLATE = "blocs/widgets/_unit_results.html"


def clean_query(text: str | None) -> str:
    return " ".join(strip_controls(text or "").split())[:MAX_QUERY]


def find(queryset: QuerySet[Unit], query: str, limit: int = LIMIT) -> tuple[list[Unit], bool]:
    """Up to `limit` units of `queryset` whose folded names hold every word of `query` (all of
    them when `query` is empty), and whether more would match."""
    words = fold(query).split()[:MAX_WORDS]
    matches = queryset.filter(*[Q(search_text__contains=w) for w in words])
    found = list(matches[: limit + 1])
    return found[:limit], len(found) > limit


def _chosen(queryset: QuerySet[Unit], value: object) -> Unit | None:
    """The unit `value` names, when the user may pick it (a forged id finds nothing)."""
    text = str(value or "").strip()
    if not text.isdigit() or int(text) > MAX_DB_INT:
        return None
    return queryset.filter(pk=int(text)).first()


def _message(query: str, count: int, more: bool) -> str:
    if query and not count:
        return f"Không tìm thấy đơn vị nào khớp với “{query}”."
    if query and more:
        return f"Hơn {LIMIT} đơn vị khớp với “{query}”, đang hiện {LIMIT} đơn vị đầu: gõ thêm để thu hẹp."
    if query:
        return f"Tìm thấy {count} đơn vị khớp với “{query}”."
    if more:
        return "Gõ một phần tên đơn vị (có dấu hoặc không) để tìm, rồi chọn trong danh sách."
    return "" if count else "Chưa có đơn vị nào để chọn."


class UnitSearchWidget(forms.Widget):
    """A search box and a short list of radio buttons (see the module's docstring)."""

    template_name = "blocs/widgets/unit_search.html"
    use_fieldset = True

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.queryset: QuerySet[Unit] = Unit.objects.none()
        self.show_province = False
        self.search_url = ""
        self.query = ""
        self.form_id = FORM_ID
        self.input_id = ""  # the search box's id (its GET form in blocs/form.html names it)

    def _render(self, template_name, context, renderer=None):
        # The project's templates (Django's form renderer only looks in django/forms).
        return mark_safe(loader.render_to_string(template_name, context))

    def id_for_label(self, id_: str) -> str:
        return ""  # a legend names the group (use_fieldset), no <label for=…>

    def results_context(self, name: str, value: object, id_: str) -> dict:
        """What RESULTS_TEMPLATE shows: the matches of `self.query`, the chosen unit first when
        it is not among them, and a message."""
        queryset = self.queryset.select_related("province") if self.show_province else self.queryset
        matches, more = find(queryset, self.query)
        if more and not self.query:
            matches = []  # too many to list: the user searches first
        chosen = _chosen(queryset, value)
        units = matches if chosen is None or chosen in matches else [chosen, *matches]
        options = [
            (
                unit.pk,
                f"{unit.name} ({unit.province.name})" if self.show_province else unit.name,
                unit == chosen,
            )
            for unit in units
        ]
        return {
            "name": name,
            "id": id_,
            "options": options,
            "optional": not self.is_required,
            "nothing_chosen": chosen is None,
            "message": _message(self.query, len(matches), more),
        }

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        id_ = context["widget"]["attrs"].get("id") or f"id_{name}"
        context["widget"].update(
            search_url=self.search_url,
            query=self.query,
            param=QUERY_PARAM,
            form_id=FORM_ID,
            id=id_,
            invalid="is-invalid" in context["widget"]["attrs"].get("class", ""),
        )
        context.update(self.results_context(name, value, id_))
        return context


class UnitSearchField(forms.ModelChoiceField):
    """A ModelChoiceField of units rendered by UnitSearchWidget (its queryset: what may be
    picked). `show_province` adds the province to each name (pages over every province)."""

    widget = UnitSearchWidget

    def __init__(self, *, show_province: bool = False, **kwargs):
        kwargs.setdefault("queryset", Unit.objects.none())
        super().__init__(**kwargs)
        self.widget.show_province = show_province
        self.error_messages.setdefault("invalid_choice", "Hãy chọn một đơn vị trong danh sách.")

    def _set_queryset(self, queryset):
        super()._set_queryset(queryset)
        self.widget.queryset = self._queryset

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)


def wire(
    request: HttpRequest, form: forms.BaseForm, name: str, *, url: str, search: bool = False
) -> HttpResponse | None:
    """Give the form's unit field `name` its search: the query of the request and the search
    URL `url`. On the search URL itself (`search`), the list of matches to answer with."""
    field = form.fields.get(name)
    if field is None:
        if search:
            raise Http404("Trang này không có ô chọn đơn vị.")
        return None
    widget = field.widget
    widget.search_url = url
    widget.query = clean_query(request.GET.get(QUERY_PARAM))
    bound = form[name]
    widget.input_id = f"{bound.auto_id}_q"
    form.unit_search = widget  # blocs/form.html adds the search box's GET form
    if not search:
        return None
    if request.method != "GET":
        return HttpResponseNotAllowed(["GET"])
    context = widget.results_context(
        bound.html_name, request.GET.get(bound.html_name), bound.auto_id
    )
    return render(request, RESULTS_TEMPLATE, context)
