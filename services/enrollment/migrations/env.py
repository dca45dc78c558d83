from services.enrollment import SERVICE
from services.enrollment.models import Base
from szcore.migrations import run_env

run_env(SERVICE, Base.metadata)
