// Live chat (B4), progressive enhancement under a strict CSP (a static
// file, no inline code). Three places use it:
// - every storefront page: the "Chat with us" link (the contact form
//   without JavaScript) opens a panel talking to /ws/chat/;
// - the back office desk (#chat-desk): agents online, title flash and a
//   short beep when a chat starts waiting;
// - an agent's live chat page: messages, typing and read marks at once.
// Every text is written with textContent, never as HTML; links come from
// the server as paths of this store only.
(function () {
  "use strict";
  if (!window.WebSocket) return;

  function socketUrl(path) {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + window.location.host + path;
  }

  function connect(path, onFrame, onOpen) {
    var socket = null;
    var retry = 1000;
    var queue = [];
    function open() {
      socket = new WebSocket(socketUrl(path));
      socket.onopen = function () {
        retry = 1000;
        while (queue.length) socket.send(queue.shift());
        if (onOpen) onOpen();
      };
      socket.onmessage = function (event) {
        try { onFrame(JSON.parse(event.data)); } catch (e) { /* not ours */ }
      };
      socket.onclose = function (event) {
        if (event.code >= 4400 && event.code < 4500) return;  // refused: do not knock again
        setTimeout(open, retry);
        retry = Math.min(retry * 2, 30000);
      };
    }
    open();
    return {
      send: function (frame) {
        var text = JSON.stringify(frame);
        if (socket && socket.readyState === WebSocket.OPEN) socket.send(text);
        else queue.push(text);
      }
    };
  }

  function Log(list, me, names) {
    var seen = {};
    list.querySelectorAll("li[data-id]").forEach(function (li) { seen[li.getAttribute("data-id")] = true; });
    this.add = function (frame) {
      if (seen[frame.id]) return;
      seen[frame.id] = true;
      var li = document.createElement("li");
      li.className = "chat-" + frame.author;
      li.setAttribute("data-id", frame.id);
      var who = document.createElement("strong");
      who.textContent = frame.author === me ? "You" : names[frame.author];
      var text = document.createElement("span");
      text.className = "chat-text";
      text.textContent = frame.text;
      li.appendChild(who);
      li.appendChild(document.createTextNode(": "));
      li.appendChild(text);
      (frame.links || []).forEach(function (path) {
        if (path.charAt(0) !== "/" || path.charAt(1) === "/") return;
        var a = document.createElement("a");
        a.href = path;
        a.className = "chat-link";
        a.textContent = "Open " + path;
        li.appendChild(document.createTextNode(" "));
        li.appendChild(a);
      });
      list.appendChild(li);
      list.scrollTop = list.scrollHeight;
    };
  }

  function typingAndRead(client, box, textarea, me) {
    var typing = box.querySelector("#chat-typing");
    var read = box.querySelector("#chat-read");
    var hideTimer = null;
    var lastTyping = 0;
    textarea.addEventListener("input", function () {
      var now = Date.now();
      if (now - lastTyping > 2000) { client.send({ type: "typing" }); lastTyping = now; }
    });
    return function (frame) {
      if (frame.type === "typing" && frame.author !== me) {
        typing.hidden = false;
        clearTimeout(hideTimer);
        hideTimer = setTimeout(function () { typing.hidden = true; }, 4000);
      } else if (frame.type === "read" && frame.reader !== me) {
        read.hidden = false;
      } else if (frame.type === "message") {
        typing.hidden = true;
        if (frame.author === me) read.hidden = true;
      }
    };
  }

  function flashTitle(text) {
    var original = document.title;
    var count = 0;
    var timer = setInterval(function () {
      document.title = count % 2 ? original : text;
      if (++count > 10 || document.hasFocus()) { clearInterval(timer); document.title = original; }
    }, 800);
    try {
      var Audio = window.AudioContext || window.webkitAudioContext;
      var audio = new Audio();
      var beep = audio.createOscillator();
      beep.connect(audio.destination);
      beep.start();
      beep.stop(audio.currentTime + 0.15);
    } catch (e) { /* no sound: the title still flashes */ }
  }

  // The shopper's panel.
  function shopper(box) {
    var button = box.querySelector("#chat-button");
    var panel = box.querySelector("#chat-panel");
    var list = box.querySelector("#chat-log");
    var form = box.querySelector("#chat-form");
    var textarea = box.querySelector("#chat-text");
    var ticketForm = box.querySelector("#chat-ticket");
    var hoursLine = box.querySelector("#chat-hours");
    var error = box.querySelector("#chat-error");
    var log = new Log(list, "customer", { staff: "Customer service", customer: "You" });
    var client = null;
    var react = null;
    var askAgain = null;

    var lastStatus = null;

    function offerTicket() {
      // Offered once there is something to carry, while the chat goes on.
      var going = lastStatus && (lastStatus.state === "waiting" || lastStatus.state === "active");
      ticketForm.hidden = !(lastStatus && lastStatus.offer_ticket && going && list.children.length);
    }

    function showStatus(frame) {
      lastStatus = frame;
      hoursLine.textContent = (frame.open ? "Open now" : "Closed now") + " · " + frame.hours +
        " · " + frame.agents + (frame.agents === 1 ? " agent" : " agents") + " online";
      offerTicket();
      clearTimeout(askAgain);
      var unanswered = (frame.state === "waiting" || frame.state === "active") && !frame.answered;
      if (unanswered && !frame.offer_ticket) {
        // The server decides; this only asks again once two minutes may have passed.
        askAgain = setTimeout(function () { client.send({ type: "status" }); }, 30000);
      }
    }

    function onFrame(frame) {
      react(frame);
      if (frame.type === "status") showStatus(frame);
      else if (frame.type === "joined") {
        var joined = document.createElement("li");
        joined.className = "chat-note";
        joined.textContent = frame.name + " joined";
        list.appendChild(joined);
        client.send({ type: "status" });  // taken, not yet answered: the server says what to offer
      } else if (frame.type === "message") {
        log.add(frame);
        offerTicket();
        if (frame.author !== "customer" && lastStatus && !lastStatus.answered) {
          lastStatus.answered = true;
          client.send({ type: "status" });  // answered: the server says whether to offer still
        }
        if (frame.author !== "customer" && !panel.hidden) client.send({ type: "read" });
      } else if (frame.type === "error") { error.textContent = frame.message; error.hidden = false; }
      else if (frame.type === "ticket") {
        lastStatus = null;
        ticketForm.hidden = true;
        form.hidden = true;
        hoursLine.textContent = "Thank you. Your ticket is " + frame.reference + "; we answer by mail.";
      }
    }

    function start() {
      if (client) return;
      fetch(box.getAttribute("data-status"), { credentials: "same-origin" }).then(function () {
        client = connect(box.getAttribute("data-socket"), onFrame);
        react = typingAndRead(client, box, textarea, "customer");
      });
    }

    button.addEventListener("click", function (event) {
      event.preventDefault();
      panel.hidden = false;
      button.hidden = true;
      start();
      textarea.focus();
    });
    box.querySelector("#chat-hide").addEventListener("click", function () {
      panel.hidden = true;
      button.hidden = false;
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = textarea.value.trim();
      if (!text || !client) return;
      error.hidden = true;
      client.send({ type: "message", text: text, page: window.location.pathname + window.location.search });
      textarea.value = "";
    });
    ticketForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var email = box.querySelector("#chat-email");
      client.send({ type: "ticket", email: email ? email.value : "" });
    });
  }

  // An agent's live chat page.
  function agent(list) {
    var box = document.getElementById("content") || document.body;
    var form = document.getElementById("chat-form");
    var textarea = form.querySelector("textarea");
    var log = new Log(list, "staff", { customer: "Customer", staff: "You" });
    var client = connect(list.getAttribute("data-socket"), function (frame) {
      react(frame);
      if (frame.type === "message") {
        log.add(frame);
        if (frame.author === "customer") {
          client.send({ type: "read" });
          if (!document.hasFocus()) flashTitle("New message");
        }
      } else if (frame.type === "ticket") {
        list.insertAdjacentText("afterend", "The customer made this chat ticket " + frame.reference + ".");
      } else if (frame.type === "error") {
        window.alert(frame.message);
      }
    }, function () { client.send({ type: "read" }); });
    var react = typingAndRead(client, box, textarea, "staff");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = textarea.value.trim();
      if (!text) return;
      client.send({ type: "message", text: text });
      textarea.value = "";
    });
    setInterval(function () { client.send({ type: "heartbeat" }); }, 30000);
  }

  // The back office desk.
  function desk(box) {
    var client = connect(box.getAttribute("data-socket"), function (frame) {
      if (frame.type === "waiting") {
        flashTitle("Chat waiting");
        var refresh = document.getElementById("refresh-desk");
        refresh.textContent = "A new chat is waiting: refresh the desk";
        refresh.className = "chat-new";
      } else if (frame.type === "taken") {
        // Another agent took it: no Take button left to press in vain.
        var row = box.querySelector('tr[data-chat="' + Number(frame.conversation) + '"]');
        var take = row && row.querySelector("form");
        if (take) {
          var note = document.createElement("span");
          note.className = "chat-taken";
          note.textContent = "Taken by " + frame.agent;
          take.replaceWith(note);
        }
      }
    });
    setInterval(function () { client.send({ type: "heartbeat" }); }, 30000);
  }

  var chat = document.getElementById("chat");
  if (chat) shopper(chat);
  var live = document.querySelector("#chat-log[data-me=staff]");
  if (live && live.getAttribute("data-socket")) agent(live);
  var deskBox = document.getElementById("chat-desk");
  if (deskBox) desk(deskBox);
})();
