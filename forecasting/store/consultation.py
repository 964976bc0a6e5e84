"""Models for the joint consultation: rota, sessions, submissions, notes, flags, sign-off."""
