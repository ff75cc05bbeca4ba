// Stripe's Payment Element on the payment step: Stripe.js (loaded from
// Stripe, never copied here) draws the card fields in its own frame, and
// this form posts back only the PaymentMethod id, so the card number never
// reaches the store (Y3, PCI SAQ A). The hold itself is made on the server
// when the order is placed; 3-D Secure then sends the shopper to the bank
// and back to the checkout.
(function () {
  "use strict";
  var mount = document.getElementById("hosted-card");
  var form = document.getElementById("payment-form");
  var token = document.getElementById("id_card_token");
  if (!mount || !form || !token) return;
  var data = mount.dataset;

  function show(message) {
    var box = document.getElementById("hosted-card-error");
    if (!box) {
      box = document.createElement("p");
      box.id = "hosted-card-error";
      box.className = "errorlist";
      box.setAttribute("role", "alert");
      mount.after(box);
    }
    box.textContent = message;
  }

  function start() {
    var stripe = window.Stripe(data.publishableKey);
    var elements = stripe.elements({
      mode: "payment",
      amount: parseInt(data.amount, 10),
      currency: data.currency,
      captureMethod: "manual",
      paymentMethodCreation: "manual",
      paymentMethodTypes: ["card"],
    });
    elements.create("payment").mount(mount);
    form.addEventListener("submit", function (event) {
      var chosen = form.querySelector("input[name=method]:checked");
      var saved = form.querySelector("select[name=saved_card]");
      if ((chosen && chosen.value !== "card") || (saved && saved.value !== "new")) return;
      if (token.value) return;
      event.preventDefault();
      elements.submit().then(function (checked) {
        if (checked.error) throw checked.error;
        return stripe.createPaymentMethod({ elements: elements });
      }).then(function (result) {
        if (result.error) throw result.error;
        token.value = result.paymentMethod.id;
        form.submit();
      }).catch(function (error) {
        show(error.message || "Your card could not be checked; please try again.");
      });
    });
  }

  var script = document.createElement("script");
  script.src = data.jsUrl;
  script.addEventListener("load", start);
  script.addEventListener("error", function () {
    show("The secure card form did not load; please reload the page or pay another way.");
  });
  document.head.appendChild(script);
})();
