from django.urls import path

from stories import views

app_name = "stories"

urlpatterns = [
    path("stories/", views.story_list, name="story_list"),
    path("stories/review/", views.review_queue, name="review_queue"),
    path("stories/<int:pk>/", views.story_detail, name="story_detail"),
    path("stories/<int:pk>/review/", views.story_review, name="story_review"),
    path("stories/link/<str:token>/", views.story_link, name="story_link"),
]
