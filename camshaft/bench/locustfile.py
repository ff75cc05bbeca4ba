"""Shoppers for `camshaft loadtest` (B3): locust users walking the store's
pages as browsers without JavaScript do, with think time between pages.

Most visitors browse (home, Part Finder, a vehicle's parts, search, part
pages); some put a part in the cart; a few check out, as guests or signed
in as one of the members `camshaft loadtest` made, and look at the order's
page (members their order list too). Steps named "api ..." are the Part
Finder's JSON calls, not pages. Each simulated shopper
comes from an address of its own (documentation ranges, sent in
X-Forwarded-For, which the store trusts for the run), so the per-client rate
limits see many shoppers rather than one."""

import os
import random
import re

from locust import HttpUser, between, task

SEARCHES = (
    "brake pads",
    "oil filter",
    "alternator",
    "spark plug",
    "wiper blade",
    "radiator",
    "headlight",
    "water pump",
    "starter",
    "rotor",
    "air filter",
    "thermostat",
)
PART_LINK = re.compile(r'href="/parts/([^/"]+)/"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
REVIEW_FIELD = re.compile(r'name="(idempotency_key|expected_total)" value="([^"]*)"')
MEMBERS = int(os.environ.get("LOADTEST_MEMBERS", "0"))
MEMBER_PASSWORD = os.environ.get("LOADTEST_MEMBER_PASSWORD", "")
ADDRESS = {
    "billing_full_name": "Load Tester",
    "billing_line1": "1 Benchmark Way",
    "billing_line2": "",
    "billing_city": "Columbus",
    "billing_region": "OH",
    "billing_postal_code": "43004",
    "billing_country": "US",
    "billing_phone": "+1 614 555 0100",
}
CARD = {
    "method": "card",
    "card_number": "4242 4242 4242 4242",
    "exp_month": "12",
    "exp_year": "2099",
    "cvc": "123",
    "holder": "Load Tester",
}


def _client_address() -> str:
    return f"198.51.{random.randrange(100, 200)}.{random.randrange(1, 255)}"


class Shopper(HttpUser):
    wait_time = between(1, 4)

    def on_start(self):
        self.client.headers["X-Forwarded-For"] = _client_address()
        self.skus: list[str] = []
        self.member = None
        if MEMBERS and random.random() < 0.3:
            self.member = f"load-{random.randrange(MEMBERS)}@example.com"
            page = self.client.get("/account/sign-in/", name="sign in (form)")
            self._post(
                "/account/sign-in/",
                page,
                {"email": self.member, "password": MEMBER_PASSWORD},
                name="sign in",
            )

    def _post(self, path, page, data, *, name, follow=True):
        token = CSRF.search(page.text)
        return self.client.post(
            path,
            {**data, "csrfmiddlewaretoken": token.group(1) if token else ""},
            headers={"Referer": self.host + path},
            name=name,
            allow_redirects=follow,
        )

    def _remember_parts(self, text: str) -> None:
        found = PART_LINK.findall(text)
        if found:
            self.skus = found[:20]

    @task(3)
    def home(self):
        self.client.get("/", name="home")

    @task(4)
    def finder_to_vehicle(self):
        years = self.client.get("/api/v1/finder/years", name="api finder: years").json()
        year = random.choice(years)
        choice = {"year": year}
        for level in ("makes", "models", "submodels", "engines"):
            options = self.client.get(
                f"/api/v1/finder/{level}", params=choice, name=f"api finder: {level}"
            )
            if options.status_code != 200 or not options.json():
                return
            choice[level[:-1]] = random.choice(options.json())["id"]
        self.client.get("/finder/", params=choice, name="finder page")
        vehicle = self.client.get(
            "/api/v1/finder/vehicle", params=choice, name="api finder: vehicle"
        )
        if vehicle.status_code == 200:
            page = self.client.get(f"/vehicle/{vehicle.json()['id']}/", name="vehicle page")
            self._remember_parts(page.text)

    @task(6)
    def search(self):
        page = self.client.get("/search/", params={"q": random.choice(SEARCHES)}, name="search")
        self._remember_parts(page.text)

    @task(6)
    def part_page(self):
        if not self.skus:
            return self.search()
        self.client.get(f"/parts/{random.choice(self.skus)}/", name="part page")

    @task(2)
    def add_to_cart(self):
        if not self.skus:
            return self.search()
        sku = random.choice(self.skus)
        page = self.client.get(f"/parts/{sku}/", name="part page")
        self._post("/cart/add/", page, {"sku": sku, "quantity": "1"}, name="add to cart")

    @task(1)
    def checkout(self):
        self.add_to_cart()
        form = self.client.get("/checkout/address/", name="checkout: address (form)")
        data = {**ADDRESS, "email": self.member or "guest-load@example.com"}
        self._post("/checkout/address/", form, data, name="checkout: address")
        form = self.client.get("/checkout/shipping/", name="checkout: shipping (form)")
        self._post(
            "/checkout/shipping/", form, {"shipping_method": "standard"}, name="checkout: shipping"
        )
        form = self.client.get("/checkout/payment/", name="checkout: payment (form)")
        self._post("/checkout/payment/", form, CARD, name="checkout: payment")
        review = self.client.get("/checkout/review/", name="checkout: review")
        fields = dict(REVIEW_FIELD.findall(review.text))
        if len(fields) < 2:
            return
        # Placing answers with a redirect to the order's page: timed as a step of its own.
        placed = self._post("/checkout/review/", review, fields, name="place order", follow=False)
        order_page = placed.headers.get("Location", "")
        if placed.status_code in (302, 303) and "/orders/" in order_page:
            self.client.get(order_page, name="order page")
            if self.member:
                self.client.get("/account/orders/", name="my orders")
