from services.matching import SERVICE
from services.matching.models import Base
from szcore.migrations import run_env

run_env(SERVICE, Base.metadata)
