"""The bloc argument of the template commands: its id or exact name (as import_plan)."""

from django.core.management.base import CommandError

from blocs.models import Bloc


def find_bloc(value: str) -> Bloc:
    value = value.strip()
    bloc = (
        Bloc.objects.filter(pk=int(value)).first()
        if value.isdigit()
        else Bloc.objects.filter(name=value).first()
    )
    if bloc is None:
        raise CommandError(f"Không tìm thấy khối thi đua “{value}”.")
    return bloc
