from services.funding import SERVICE
from services.funding.models import Base
from szcore.migrations import run_env

run_env(SERVICE, Base.metadata)
