app_name = "registry_workbench"
urlpatterns = []
