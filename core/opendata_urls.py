from django.shortcuts import render
from django.urls import path

from .opendata import datasets


def index(request):
    return render(request, "core/open_data.html", {"datasets": datasets()})


app_name = "opendata"
urlpatterns = [path("", index, name="index")]
