from django.urls import path

from . import tokens, views, views_register

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("register/", views_register.register, name="register"),
    path("register/<str:token>/", views_register.register_status, name="register-status"),
    path("password/reset/", views_register.password_reset, name="password-reset"),
    path("password/reset/confirm/", views_register.password_reset_confirm, name="password-reset-confirm"),
    path("registrations/", views_register.registration_list, name="registration-list"),
    path(
        "registrations/<int:pk>/<slug:action>/",
        views_register.registration_decide,
        name="registration-decide",
    ),
    path("logout/", views.logout_view, name="logout"),
    path("otp/", views.otp_verify, name="otp-verify"),
    path("otp/setup/", views.otp_setup, name="otp-setup"),
    path("password/", views.password_change, name="password-change"),
    path("tokens/", tokens.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", tokens.token_revoke, name="token-revoke"),
    path("tokens/revoke-all/", tokens.token_revoke_all, name="tokens-revoke-all"),
]
