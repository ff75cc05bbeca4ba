"""Pages of the marketplace."""

from django.urls import path

from camshaft.marketplace import views

urlpatterns = [
    path("sellers/<str:public_id>/", views.seller_profile, name="seller_profile"),
    path("sellers/<str:public_id>/report/", views.report, name="marketplace_report"),
    path("listings/<id:listing_id>/", views.listing_page, name="listing_page"),
    path("listings/<id:listing_id>/report/", views.listing_report, name="listing_report"),
    path("account/selling/", views.seller_home, name="seller_home"),
    path("account/selling/terms/", views.accept_terms, name="seller_accept_terms"),
    path(
        "account/selling/listings/<id:listing_id>/photos/",
        views.listing_photo_add,
        name="listing_photo_add",
    ),
    path(
        "account/selling/listings/<id:listing_id>/photos/arrange/",
        views.listing_photos_arrange,
        name="listing_photos_arrange",
    ),
    path("account/selling/listings/new/", views.listing_new, name="listing_new"),
    path("account/selling/listings/<id:listing_id>/", views.listing_edit, name="listing_edit"),
    path(
        "account/selling/listings/<id:listing_id>/pause/",
        views.listing_pause,
        name="listing_pause",
    ),
    path(
        "account/selling/listings/<id:listing_id>/delete/",
        views.listing_delete,
        name="listing_delete",
    ),
    path("marketplace/cart/<id:listing_id>/", views.cart_add, name="marketplace_cart_add"),
    path(
        "marketplace/cart/lines/<id:line_id>/remove/",
        views.cart_remove,
        name="marketplace_cart_remove",
    ),
    path("account/selling/sales/", views.seller_sales, name="seller_sales"),
    path("account/selling/sales/<id:sale_id>/ship/", views.sale_ship, name="sale_ship"),
    path("account/selling/sales/<id:sale_id>/cancel/", views.sale_cancel, name="sale_cancel"),
    path("account/selling/sales/<id:sale_id>/refund/", views.sale_refund, name="sale_refund"),
    path("account/purchases/<id:sale_id>/cancel/", views.purchase_cancel, name="purchase_cancel"),
    path(
        "account/purchases/<id:sale_id>/received/",
        views.purchase_received,
        name="purchase_received",
    ),
    path("account/ratings/", views.my_ratings, name="my_ratings"),
    path("account/ratings/sales/<id:sale_id>/", views.rate_sale, name="rate_sale"),
    path("account/ratings/<id:rating_id>/answer/", views.answer_rating, name="answer_rating"),
    path("account/selling/statements/", views.statements, name="statements"),
    path(
        "account/selling/statements/<str:month>.csv",
        views.statement_csv,
        name="statement_csv",
    ),
    path("account/selling/statements/<str:month>/", views.statement, name="statement"),
]
