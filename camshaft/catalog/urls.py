"""Storefront pages of the catalog app."""

from django.urls import path

from camshaft.catalog import views

urlpatterns = [
    path("", views.home, name="home"),
    path("categories/", views.category_list, name="category_list"),
    path("c/<path:path>/", views.category_detail, name="category"),
    path("brands/", views.brand_list, name="brand_list"),
    path("brands/<slug:slug>/", views.brand_detail, name="brand"),
    path("parts/<segment:sku>/", views.part_page, name="part"),
]
