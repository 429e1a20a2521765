"""Template context shared by the staff pages."""


def staff(request) -> dict:
    return {"staff": getattr(request, "staff", None)}
