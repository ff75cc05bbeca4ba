"""Seller pages in My Account: becoming a seller (A1's 18+, M4's terms)."""

from django.contrib import messages
from django.shortcuts import redirect, render

from camshaft.accounts.views import member_required
from camshaft.marketplace import forms, selectors, services


@member_required
def seller_home(request):
    seller = selectors.seller_of(request.user)
    terms = selectors.current_terms()
    form = None
    status = 200
    if seller is None and terms is not None:
        form = forms.BecomeSellerForm(
            request.POST or None, initial={"terms_version": terms.version}
        )
        if request.method == "POST":
            status = 400
            if form.is_valid():
                try:
                    services.become_seller(
                        user=request.user,
                        public_id=form.cleaned_data["public_id"],
                        terms_version=form.cleaned_data["terms_version"],
                    )
                except services.SellerProblem as problem:
                    form.add_error(
                        "public_id" if problem.field == "public_id" else None, problem.message
                    )
                    status = {"under_age": 403, "public_id_taken": 409}.get(problem.code, 400)
                else:
                    messages.success(request, "You are a seller now.")
                    return redirect("seller_home")
    context = {"seller": seller, "terms": terms, "form": form}
    return render(request, "marketplace/seller_home.html", context, status=status)
