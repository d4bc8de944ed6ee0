/* Bruggen's chat client (docs/messaging.md; protocol: docs/contracts.md §6).
 *
 * One WebSocket per tab at /ws/. On a conversation page it sends messages with a fresh
 * client_id, shows them as pending until the server echoes them, puts in the message
 * the server drew (the frame's `html`, the page's own template) and keeps exactly one
 * element per seq (in seq order), syncs from the last seq it has without gaps after every
 * (re)connect, sends read receipts and typing, and shows presence. On every page it keeps
 * the unread badges up to date. Without JavaScript the page's form posts instead.
 */
(function () {
  "use strict";

  if (window.BruggenChat) {
    return; // loaded twice (base.html and a page): one socket per tab
  }

  var root = document.querySelector("[data-chat]");
  var conversationList = document.querySelector("[data-conversation-list]");
  var navBadges = document.querySelectorAll("[data-unread-badge]");
  if (!root && !conversationList && navBadges.length === 0) {
    return;
  }

  var READ_EVERY_MS = 1000;
  var TYPING_EVERY_MS = 3000;
  var TYPING_SHOWN_MS = 4000;
  var MAX_BACKOFF_MS = 30000;

  var socket = null;
  var attempt = 0;
  var reconnectTimer = null;
  var stopped = false;

  // Conversation page state.
  var conversationId = root ? parseInt(root.dataset.conversation, 10) : null;
  var me = root ? root.dataset.me : conversationList ? conversationList.dataset.me : null;
  var label = root ? root.dataset : {};
  var messagesEl = root ? root.querySelector("[data-messages]") : null;
  var form = root ? root.querySelector("[data-send-form]") : null;
  var textarea = form ? form.querySelector("textarea[name=body]") : null;
  var typingEl = root ? root.querySelector("[data-typing]") : null;
  var receiptsEl = root ? root.querySelector("[data-read-receipts]") : null;
  var connectionEl = root ? root.querySelector("[data-connection]") : null;
  var seen = new Set(); // every seq that has an element
  var contiguous = root ? parseInt(root.dataset.lastSeq || "0", 10) : 0; // all seqs <= this are shown
  var pending = new Map(); // client_id -> {frame, element}
  var readBy = new Map(); // person ref -> last read seq
  var names = new Map(); // person ref -> name
  var typingTimers = new Map();
  var lastTypingSent = 0;
  var lastReadSent = 0;
  var lastReadAt = 0;
  var readTimer = null;

  function newClientId() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    return "c-" + Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function setConnection(text) {
    if (connectionEl) {
      connectionEl.textContent = text;
    }
  }

  // Messages ----------------------------------------------------------------------------
  //
  // The server draws every message (templates/messaging/_message.html, the same fragment
  // the page was built from) and sends it in the frame's `html`: this script only puts it
  // in place. The one thing drawn here is our own message while it is on its way.

  function fragment(frame) {
    var template = document.createElement("template");
    template.innerHTML = frame.html.trim(); // escaped and nh3-sanitised by the server
    return template.content.firstElementChild;
  }

  function pendingElement(body, clientId) {
    var li = document.createElement("li");
    li.className = "bruggen-chat__message bruggen-chat__message--pending";
    li.dataset.clientId = clientId;
    li.dataset.author = me;
    var meta = document.createElement("div");
    meta.className = "bruggen-chat__meta";
    var state = document.createElement("span");
    state.dataset.pending = "";
    state.textContent = label.labelPending || "…";
    meta.appendChild(state);
    var text = document.createElement("p");
    text.className = "bruggen-chat__body utrecht-paragraph";
    text.dir = "auto";
    text.textContent = body;
    li.appendChild(meta);
    li.appendChild(text);
    return li;
  }

  function insertInOrder(li, seq) {
    var children = messagesEl.querySelectorAll("li[data-seq]");
    for (var i = 0; i < children.length; i++) {
      if (parseInt(children[i].dataset.seq, 10) > seq) {
        messagesEl.insertBefore(li, children[i]);
        return;
      }
    }
    // After the last stored message, but before our own pending ones.
    var firstPending = messagesEl.querySelector("li.bruggen-chat__message--pending");
    messagesEl.insertBefore(li, firstPending);
  }

  function showMessage(frame) {
    if (seen.has(frame.seq)) {
      return; // never twice: the replay and the live frame may both bring it
    }
    var empty = root.querySelector("[data-empty]");
    if (empty) {
      empty.remove();
    }
    var waiting = frame.author === me && frame.client_id ? pending.get(frame.client_id) : null;
    if (waiting) {
      pending.delete(frame.client_id);
      waiting.element.remove();
    }
    insertInOrder(fragment(frame), frame.seq);
    seen.add(frame.seq);
    while (seen.has(contiguous + 1)) {
      contiguous += 1;
    }
    if (frame.author === me) {
      readBy.set(me, Math.max(readBy.get(me) || 0, frame.seq));
    }
    messagesEl.scrollTop = messagesEl.scrollHeight;
    clearTyping(frame.author);
    markRead();
    updateReceipts();
  }

  function updateMessage(frame) {
    var li = messagesEl.querySelector('li[data-seq="' + frame.seq + '"]');
    if (li) {
      li.replaceWith(fragment(frame));
    }
  }

  function markRead() {
    if (document.visibilityState !== "visible" || contiguous <= lastReadSent) {
      return;
    }
    // At most one read a second (the server limits them): the last one covers the rest.
    var wait = lastReadAt + READ_EVERY_MS - Date.now();
    if (wait > 0) {
      if (!readTimer) {
        readTimer = setTimeout(function () {
          readTimer = null;
          markRead();
        }, wait);
      }
      return;
    }
    if (send({ type: "read", conversation: conversationId, seq: contiguous })) {
      lastReadSent = contiguous;
      lastReadAt = Date.now();
    }
  }

  function updateReceipts() {
    if (!receiptsEl) {
      return;
    }
    var myLast = 0;
    messagesEl.querySelectorAll('li[data-seq][data-author="' + me + '"]').forEach(function (li) {
      myLast = Math.max(myLast, parseInt(li.dataset.seq, 10));
    });
    var readers = [];
    readBy.forEach(function (seq, ref) {
      if (ref !== me && myLast > 0 && seq >= myLast) {
        readers.push(names.get(ref) || ref);
      }
    });
    receiptsEl.textContent = readers.length ? (label.labelRead || "read by") + ": " + readers.join(", ") : "";
  }

  function showTyping(ref) {
    if (!typingEl || ref === me) {
      return;
    }
    clearTimeout(typingTimers.get(ref));
    typingTimers.set(ref, setTimeout(function () { clearTyping(ref); }, TYPING_SHOWN_MS));
    renderTyping();
  }

  function clearTyping(ref) {
    if (typingTimers.has(ref)) {
      clearTimeout(typingTimers.get(ref));
      typingTimers.delete(ref);
      renderTyping();
    }
  }

  function renderTyping() {
    var who = [];
    typingTimers.forEach(function (_timer, ref) { who.push(names.get(ref) || ref); });
    typingEl.textContent = who.length ? who.join(", ") + " " + (label.labelTyping || "…") : "";
  }

  function setOnline(ref, online) {
    if (!root) {
      return;
    }
    var person = root.ownerDocument.querySelector('[data-people] [data-person="' + ref + '"] [data-online]');
    if (person) {
      person.hidden = !online;
    }
  }

  // Unread badges (conversation list and navigation) ------------------------------------

  function bumpUnread(conversation) {
    if (conversationList) {
      var item = conversationList.querySelector('[data-conversation-id="' + conversation + '"]');
      if (item) {
        var badge = item.querySelector("[data-unread]");
        if (!badge) {
          badge = document.createElement("span");
          badge.className = "bruggen-badge";
          badge.dataset.unread = String(conversation);
          badge.textContent = "0";
          item.querySelector("h2").appendChild(badge);
        }
        badge.textContent = String((parseInt(badge.textContent, 10) || 0) + 1);
        conversationList.insertBefore(item, conversationList.firstChild);
      }
    }
    navBadges.forEach(function (badge) {
      var count = (parseInt(badge.dataset.count || badge.textContent, 10) || 0) + 1;
      badge.dataset.count = String(count);
      badge.textContent = String(count);
      badge.hidden = false;
    });
  }

  // The socket ---------------------------------------------------------------------------

  function onFrame(frame) {
    switch (frame.type) {
      case "message.new":
        if (root && frame.conversation === conversationId) {
          showMessage(frame);
        } else if (frame.author !== me) {
          bumpUnread(frame.conversation);
        }
        break;
      case "sync.done":
        if (root && frame.conversation === conversationId) {
          if (frame.more) {
            startSync(); // more than one page was missed: the next page
          } else {
            resendPending();
          }
        }
        break;
      case "message.changed":
        if (root && frame.conversation === conversationId) {
          updateMessage(frame);
        }
        break;
      case "read":
        if (root && frame.conversation === conversationId) {
          readBy.set(frame.person, Math.max(readBy.get(frame.person) || 0, frame.seq));
          updateReceipts();
        }
        break;
      case "typing":
        if (root && frame.conversation === conversationId) {
          showTyping(frame.person);
        }
        break;
      case "presence":
        setOnline(frame.person, frame.online);
        break;
      case "error":
        if (frame.client_id && pending.has(frame.client_id)) {
          var failed = pending.get(frame.client_id);
          pending.delete(frame.client_id);
          failed.element.classList.add("bruggen-chat__message--failed");
          var note = failed.element.querySelector("[data-pending]");
          if (note) {
            note.textContent = frame.detail;
          }
          if (textarea && !textarea.value) {
            textarea.value = failed.frame.body; // give the text back to try again
          }
        } else if (connectionEl) {
          connectionEl.textContent = frame.detail;
        }
        break;
      default:
        break;
    }
  }

  function startSync() {
    send({ type: "sync", conversation: conversationId, after_seq: contiguous });
  }

  function resendPending() {
    // Sent while offline, or never acknowledged: the same client_id is stored only once.
    pending.forEach(function (entry) {
      send(entry.frame);
    });
  }

  function connect() {
    clearTimeout(reconnectTimer);
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + "/ws/");
    socket.addEventListener("open", function () {
      attempt = 0;
      setConnection(label.labelOnline || "");
      if (root) {
        startSync();
        markRead();
      }
    });
    socket.addEventListener("message", function (event) {
      var frame;
      try {
        frame = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      onFrame(frame);
    });
    socket.addEventListener("close", function (event) {
      socket = null;
      if (event.code === 4401) {
        stopped = true; // signed out: reconnecting would not help
      }
      if (stopped) {
        return;
      }
      if (event.code === 4429) {
        // Too many tabs open (or this one asked too much): try again in a while.
        setConnection(label.labelTooMany || "");
        attempt = Math.max(attempt, 6);
      } else {
        setConnection(label.labelOffline || "");
      }
      // Exponential backoff with jitter: 0.5 s, 1 s, 2 s, ... up to 30 s.
      var delay = Math.min(MAX_BACKOFF_MS, 500 * Math.pow(2, attempt));
      attempt += 1;
      reconnectTimer = setTimeout(connect, delay / 2 + Math.random() * delay / 2);
    });
  }

  // The page -----------------------------------------------------------------------------

  if (root) {
    messagesEl.querySelectorAll("li[data-seq]").forEach(function (li) {
      seen.add(parseInt(li.dataset.seq, 10));
    });
    root.ownerDocument.querySelectorAll("[data-people] [data-person]").forEach(function (li) {
      var ref = li.dataset.person;
      readBy.set(ref, parseInt(li.dataset.readSeq || "0", 10));
      names.set(ref, li.firstChild.textContent.trim());
    });
    updateReceipts();
    messagesEl.scrollTop = messagesEl.scrollHeight;

    form.addEventListener("submit", function (event) {
      var file = form.querySelector("input[type=file]");
      if (file && file.files && file.files.length) {
        return; // files go through the form's POST
      }
      event.preventDefault();
      var body = textarea.value.trim();
      if (!body) {
        return;
      }
      var frame = { type: "message.send", conversation: conversationId, body: body, client_id: newClientId() };
      var element = pendingElement(body, frame.client_id);
      messagesEl.appendChild(element);
      messagesEl.scrollTop = messagesEl.scrollHeight;
      pending.set(frame.client_id, { frame: frame, element: element });
      textarea.value = "";
      send(frame); // if the socket is down, resendPending() sends it after the next sync
    });

    textarea.addEventListener("input", function () {
      var now = Date.now();
      if (now - lastTypingSent > TYPING_EVERY_MS && textarea.value.trim()) {
        lastTypingSent = now;
        send({ type: "typing", conversation: conversationId });
      }
    });

    textarea.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });

    document.addEventListener("visibilitychange", markRead);
  }

  window.addEventListener("online", function () {
    if (!socket && !stopped) {
      attempt = 0;
      connect();
    }
  });

  window.BruggenChat = {
    get socket() { return socket; },
    get lastSeq() { return contiguous; },
    reconnect: function () {
      if (socket) {
        socket.close();
      } else {
        connect();
      }
    },
  };
  connect();
})();
