/* Bruggen's chat client (docs/messaging.md; protocol: CONTRACTS.md §6).
 *
 * One WebSocket per tab at /ws/. On a conversation page it sends messages with a fresh
 * client_id, shows them as pending until the server echoes them, keeps exactly one
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

  var SYNC_PAGE = 500;
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
  var syncCount = 0;

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

  // Rendering ----------------------------------------------------------------------------

  function messageElement(frame) {
    var li = document.createElement("li");
    li.className = "bruggen-chat__message";
    if (frame.author === me) {
      li.classList.add("bruggen-chat__message--mine");
    }
    if (!frame.author) {
      li.classList.add("bruggen-chat__message--system");
    }
    fillMessage(li, frame);
    return li;
  }

  function fillMessage(li, frame) {
    li.id = frame.seq ? "m" + frame.seq : "";
    if (frame.seq) {
      li.dataset.seq = String(frame.seq);
      li.dataset.id = String(frame.id);
    }
    li.dataset.clientId = frame.client_id || "";
    li.textContent = "";
    var meta = document.createElement("div");
    meta.className = "bruggen-chat__meta";
    var who = document.createElement("strong");
    who.textContent = frame.author_name || names.get(frame.author) || frame.author || "Bruggen";
    meta.appendChild(who);
    var when = document.createElement("time");
    var sent = frame.sent_at ? new Date(frame.sent_at) : new Date();
    when.dateTime = sent.toISOString();
    when.textContent = sent.toLocaleString(document.documentElement.lang || undefined, {
      day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
    });
    meta.appendChild(document.createTextNode(" "));
    meta.appendChild(when);
    if (frame.pending) {
      var state = document.createElement("span");
      state.dataset.pending = "";
      state.textContent = label.labelPending || "…";
      meta.appendChild(state);
    } else if (frame.edited && !frame.deleted && !frame.hidden) {
      var edited = document.createElement("span");
      edited.textContent = label.labelEdited || "(edited)";
      meta.appendChild(edited);
    }
    li.appendChild(meta);
    var body = document.createElement("p");
    body.className = "bruggen-chat__body utrecht-paragraph";
    if (frame.hidden || frame.deleted) {
      var em = document.createElement("em");
      em.textContent = frame.hidden ? label.labelHidden : label.labelDeleted;
      body.appendChild(em);
    } else if (frame.pending) {
      body.textContent = frame.body; // our own text, not yet rendered by the server
    } else {
      // body_html is sanitised by the server (nh3, a small allow list).
      body.innerHTML = frame.body_html;
    }
    li.appendChild(body);
    if (!frame.pending && !frame.deleted && !frame.hidden && frame.attachments && frame.attachments.length) {
      var files = document.createElement("ul");
      files.className = "bruggen-plain-list";
      frame.attachments.forEach(function (attachment) {
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.className = "utrecht-link";
        link.href = attachment.url;
        link.textContent = attachment.name;
        item.appendChild(link);
        files.appendChild(item);
      });
      li.appendChild(files);
    }
    li.classList.toggle("bruggen-chat__message--pending", Boolean(frame.pending));
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
    var li;
    if (waiting) {
      pending.delete(frame.client_id);
      li = waiting.element;
      li.remove();
      fillMessage(li, frame);
    } else {
      li = messageElement(frame);
    }
    insertInOrder(li, frame.seq);
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
      fillMessage(li, frame);
    }
  }

  function markRead() {
    if (document.visibilityState !== "visible" || contiguous <= lastReadSent) {
      return;
    }
    if (send({ type: "read", conversation: conversationId, seq: contiguous })) {
      lastReadSent = contiguous;
    }
  }

  function updateReceipts() {
    if (!receiptsEl) {
      return;
    }
    var myLast = 0;
    messagesEl.querySelectorAll("li.bruggen-chat__message--mine[data-seq]").forEach(function (li) {
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
          if (syncCount >= 0) {
            syncCount += 1;
          }
          showMessage(frame);
        } else if (frame.author !== me) {
          bumpUnread(frame.conversation);
        }
        break;
      case "sync.done":
        if (root && frame.conversation === conversationId) {
          if (syncCount >= SYNC_PAGE) {
            startSync(); // more than one page was missed
          } else {
            syncCount = -1;
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
    syncCount = 0;
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
      setConnection(label.labelOffline || "");
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
      var element = messageElement({ author: me, body: body, client_id: frame.client_id, pending: true });
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
