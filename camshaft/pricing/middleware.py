"""Sets the shopper's display currency for the request (P1). Placeholder until
the pricing app fills it in: every price shows in the store currency."""


class DisplayCurrencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)
