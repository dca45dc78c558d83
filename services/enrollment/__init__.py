"""Enrollment: the programme, the enterprise dossier (一企一档) and the admission workflow."""

SERVICE = "enrollment"
