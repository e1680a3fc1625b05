app_name = "catalogue_workbench"
urlpatterns = []
