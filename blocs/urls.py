from django.urls import path

app_name = "blocs"

urlpatterns: list = []
