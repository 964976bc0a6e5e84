"""Models for issued report files and personal API tokens."""
