from django.urls import URLPattern, URLResolver, path

from solidarity.reviews import views

app_name = "reviews"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.cycle_list, name="cycles"),
    path("new/", views.cycle_new, name="cycle_new"),
    path("moderation/", views.moderation, name="moderation"),
    path("moderation/inputs/<int:pk>/", views.moderate_input, name="moderate_input"),
    path("moderation/comments/<int:pk>/", views.moderate_comment, name="moderate_comment"),
    path("inputs/<int:pk>/", views.input_detail, name="input"),
    path("follow-up/<int:pk>/status/", views.follow_up_status, name="follow_up_status"),
    path("states/<str:iso3>/", views.state_history, name="state_history"),
    path("states/<str:iso3>/compare/", views.compare, name="compare"),
    path("<str:code>/", views.cycle_detail, name="cycle"),
    path("<str:code>/open/", views.cycle_open, name="cycle_open"),
    path("<str:code>/phases/", views.phases_edit, name="phases_edit"),
    path("<str:code>/participants/", views.states_edit, name="states_edit"),
    path("<str:code>/inputs/new/", views.input_new, name="input_new"),
    path("<str:code>/states/<str:iso3>/", views.review_detail, name="review"),
    path("<str:code>/states/<str:iso3>/edit/", views.review_edit, name="review_edit"),
    path("<str:code>/states/<str:iso3>/submit/", views.review_submit, name="review_submit"),
    path("<str:code>/states/<str:iso3>/publish/", views.review_publish, name="review_publish"),
    path("<str:code>/states/<str:iso3>/return/", views.review_return, name="review_return"),
    path("<str:code>/states/<str:iso3>/changes/", views.review_diff, name="review_diff"),
    path(
        "<str:code>/states/<str:iso3>/versions/<int:number>/comments/",
        views.comment_new,
        name="comment_new",
    ),
    path(
        "<str:code>/states/<str:iso3>/follow-up/new/",
        views.follow_up_new,
        name="follow_up_new",
    ),
]
