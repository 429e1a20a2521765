"""Template context shared by the staff pages."""

from aftersales.care.selectors import pending_count


def staff(request) -> dict:
    current = getattr(request, "staff", None)
    context = {"staff": current}
    if current is not None and current.is_owner:
        # Counted only when the owner's navigation shows it (a template calls the callable).
        context["pending_approvals"] = lambda: pending_count(current.shop)
    return context
