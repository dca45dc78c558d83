"""Assessment: the MIIT maturity index, diagnosis, acceptance evaluation and revisits."""

SERVICE = "assessment"
