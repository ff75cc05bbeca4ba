// Checkout enhancement: show the shipping address only when the shopper
// ships elsewhere, and the card fields only when paying by card. Without
// JavaScript every field stays visible and the forms work the same.
(function () {
  "use strict";
  function toggleWith(control, target, shown) {
    if (!control || !target) return;
    var update = function () { target.hidden = !shown(); };
    control.addEventListener("change", update);
    update();
  }
  var elsewhere = document.getElementById("id_ship_elsewhere");
  toggleWith(elsewhere, document.getElementById("shipping-address"), function () {
    return elsewhere.checked;
  });
  var gift = document.getElementById("id_is_gift");
  toggleWith(gift, document.getElementById("gift-message"), function () {
    return gift.checked;
  });
  var payment = document.getElementById("payment-form");
  var cardFields = document.getElementById("card-fields");
  if (payment && cardFields) {
    var paysByCard = function () {
      var chosen = payment.querySelector("input[name=method]:checked");
      return !chosen || chosen.value === "card";
    };
    payment.querySelectorAll("input[name=method]").forEach(function (radio) {
      toggleWith(radio, cardFields, paysByCard);
    });
  }
  var newAccount = document.getElementById("id_create_account");
  toggleWith(newAccount, document.getElementById("account-fields"), function () {
    return newAccount.checked;
  });
})();
