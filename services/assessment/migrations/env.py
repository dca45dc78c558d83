from services.assessment import SERVICE
from services.assessment.models import Base
from szcore.migrations import run_env

run_env(SERVICE, Base.metadata)
