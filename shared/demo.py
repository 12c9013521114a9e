def already_seeded():
    return False
