app_name = "reports_workbench"
urlpatterns = []
