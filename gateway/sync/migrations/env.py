from gateway.sync.models import Base
from szcore.migrations import run_env

run_env("gateway", Base.metadata)
