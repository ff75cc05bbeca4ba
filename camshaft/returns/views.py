"""The shopper's return pages: filing a return or a core return from the
order page, for members and for guests who looked their order up (R1-R4)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from camshaft.orders.access import viewable_order
from camshaft.returns import forms, selectors, services


def return_form(request, number: str):
    order = viewable_order(request, number)
    rows = selectors.returnable_lines(order)
    form = forms.ReturnForm(
        request.POST or None, rows=rows, initial={forms.KEY_FIELD: forms.new_key()}
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                filed = services.file_return(
                    order=order, channel="web", by=request.user, **form.filing()
                )
            except services.ReturnProblem as problem:
                form.add_error(None, problem)
                status = 409 if problem.code in {"refused", "not_delivered"} else 400
            else:
                messages.success(
                    request,
                    f"Return {filed.number} is filed. We mail you the return instructions "
                    "once customer service has looked at it.",
                )
                return redirect("order_detail", number=order.number)
    context = {
        "order": order,
        "form": form,
        "lines": [(row, form.quantity_field(row)) for row in rows],
        "cores": selectors.core_lines(order),
    }
    return render(request, "returns/return_form.html", context, status=status)


@require_POST
def core_return(request, number: str):
    order = viewable_order(request, number)
    form = forms.CoreReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose how many cores to send back.")
        return redirect("return_form", number=order.number)
    try:
        core = services.file_core_return(
            order=order,
            order_line_id=form.cleaned_data["line_id"],
            quantity=form.cleaned_data["quantity"],
            channel="web",
            idempotency_key=form.cleaned_data[forms.KEY_FIELD],
            by=request.user,
        )
    except services.ReturnProblem as problem:
        messages.error(request, " ".join(problem.messages))
        return redirect("return_form", number=order.number)
    messages.success(
        request, f"Core return {core.number} is open: the instructions are in your mailbox."
    )
    return redirect("order_detail", number=order.number)
