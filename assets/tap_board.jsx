// CareConnect Sign - today's board: one big Check in / Check out button per child, Absent with a
// reason, and a queue on the device so that no tap is ever lost.
//
// Every tap is first written to IndexedDB with a UUID (its idempotency key) and the device's time,
// then sent through the app's live connection (`onSync`) when it is up. The server records each
// key once and answers with `acks` ({key, outcome}); only then does the device forget the tap.
// While the connection is down, taps wait on the device (and the board shows them); they are sent
// when it returns. A tap the server refuses for this login stays until the provider removes it.
// A copy of the last board (names, where each child is) lets the installed app work after an
// offline reload; it is deleted when the server says the session is over.
import React, { useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";
import { EventLoopContext } from "$/utils/context";

const DB_NAME = "careconnect-board";
const TAPS = "taps";
const SNAPSHOTS = "board";
const BATCH = 50;
const ANSWER_WAIT_MS = 15000; // an answer not back by then was lost: send again
const TAP_PAUSE_MS = 1200; // a double tap on one child is one tap
// Outcomes after which the server keeps the tap (statuses.TAP_OUTCOME_KEPT_ON_SERVER).
const KEPT = new Set(["recorded", "duplicate", "locked", "too_old", "inactive"]);

let dbPromise = null;
function db() {
  if (!dbPromise) {
    dbPromise = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => {
        request.result.createObjectStore(TAPS, { keyPath: "key" });
        request.result.createObjectStore(SNAPSHOTS, { keyPath: "id" });
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  return dbPromise;
}

async function inStore(store, mode, work) {
  const database = await db();
  return new Promise((resolve, reject) => {
    const transaction = database.transaction(store, mode);
    const request = work(transaction.objectStore(store));
    transaction.oncomplete = () => resolve(request ? request.result : undefined);
    transaction.onerror = () => reject(transaction.error);
  });
}

const readTaps = () => inStore(TAPS, "readonly", (s) => s.getAll());
const saveTap = (tap) => inStore(TAPS, "readwrite", (s) => s.put(tap));
const forgetTaps = (keys) => inStore(TAPS, "readwrite", (s) => keys.forEach((k) => s.delete(k)));
const readSnapshot = () => inStore(SNAPSHOTS, "readonly", (s) => s.get("board"));
const saveSnapshot = (snapshot) => inStore(SNAPSHOTS, "readwrite", (s) => s.put({ id: "board", ...snapshot }));
const forgetSnapshot = () => inStore(SNAPSHOTS, "readwrite", (s) => s.delete("board"));

function newKey() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// Today's date on the agency's clock (the device's own when the zone is unknown).
function dayIn(timeZone) {
  try {
    return new Intl.DateTimeFormat("en-CA", { timeZone: timeZone || undefined }).format(new Date());
  } catch {
    return new Intl.DateTimeFormat("en-CA").format(new Date());
  }
}

function clock(ms, locale, timeZone) {
  const options = { hour: "numeric", minute: "2-digit" };
  const lang = locale === "es" ? "es-US" : "en-US";
  try {
    return new Date(ms).toLocaleTimeString(lang, { ...options, timeZone: timeZone || undefined });
  } catch {
    return new Date(ms).toLocaleTimeString(lang, options);
  }
}

const AFTER = { check_in: "in", check_out: "out", absent: "absent" };

function fill(text, values) {
  return String(text || "").replace(/\{(\w+)\}/g, (_, name) => (name in values ? values[name] : `{${name}}`));
}

// Online until the browser says otherwise (the page prerendered at build time says "online" too,
// so the first render matches it).
function useOnline() {
  const [online, setOnline] = useState(true);
  useEffect(() => {
    setOnline(navigator.onLine !== false);
    const up = () => setOnline(true);
    const down = () => setOnline(false);
    window.addEventListener("online", up);
    window.addEventListener("offline", down);
    return () => {
      window.removeEventListener("online", up);
      window.removeEventListener("offline", down);
    };
  }, []);
  return online;
}

function AbsentForm({ card, t, onDone, onCancel }) {
  const [reason, setReason] = useState("");
  const inputId = `absent-reason-${card.id}`;
  const choices = ["sick", "family", "appointment", "vacation"].map((k) => t[`today.reason.${k}`]);
  return (
    <form
      className="tb-absent"
      onSubmit={(event) => {
        event.preventDefault();
        onDone(reason.trim());
      }}
    >
      <fieldset>
        <legend>{fill(t["today.absent_why"], { name: card.name })}</legend>
        <div className="tb-chips">
          {choices.map((choice) => (
            <button
              type="button"
              key={choice}
              className="tb-chip"
              aria-pressed={reason === choice}
              onClick={() => setReason(choice)}
            >
              {choice}
            </button>
          ))}
        </div>
        <label htmlFor={inputId}>{t["today.absent_reason"]}</label>
        <input id={inputId} value={reason} maxLength={200} onChange={(e) => setReason(e.target.value)} />
        <div className="tb-row">
          <button type="submit" className="tb-main tb-absent-go" id={`absent-save-${card.id}`}
                  aria-label={fill(t["today.absent_label"], { name: card.name })}>
            {t["today.mark_absent"]}
          </button>
          <button type="button" className="tb-quiet" onClick={onCancel}>
            {t["cancel"]}
          </button>
        </div>
      </fieldset>
    </form>
  );
}

function Card({ card, waiting, t, timeOf, canCorrect, paused, onTap, onCorrect, onRemove }) {
  const [absentOpen, setAbsentOpen] = useState(false);
  const presence = waiting.filter((w) => !w.refused).reduce((p, w) => AFTER[w.action], card.presence);
  const action = presence === "in" ? "check_out" : presence === "out" ? "check_in" : null;
  const hasDay = card.entries.length > 0 || waiting.length > 0;
  return (
    <li className="tb-card" data-child={card.name} data-presence={presence}>
      <div className="tb-head">
        <h2 className="tb-name">{card.name}</h2>
        <span className="tb-badge" data-presence={presence}>{t[`today.presence.${presence}`]}</span>
      </div>
      {hasDay ? (
        <ul className="tb-times" aria-label={fill(t["today.times_of"], { name: card.name })}>
          {card.entries.map((entry) => (
            <li key={entry.id} data-entry={entry.id}>
              <span>{entry.text}</span>
              {canCorrect ? (
                <button
                  type="button"
                  className="tb-link"
                  onClick={() => onCorrect(entry.id)}
                  aria-label={fill(t["today.correct_label"], { name: card.name, times: entry.text })}
                >
                  {t["today.correct"]}
                </button>
              ) : null}
            </li>
          ))}
          {waiting.map((w) => (
            <li key={w.key} className="tb-waiting" data-waiting={w.action}>
              <span>
                {fill(t[`today.waiting.${w.action}`], { time: timeOf(w.tapped_at) })}{" "}
                <em>{w.refused ? t["today.refused"] : t["today.not_sent"]}</em>
              </span>
              {w.refused ? (
                <button type="button" className="tb-link" onClick={() => onRemove(w.key)}>
                  {t["today.remove"]}
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      {card.held > 0 ? <p className="tb-note">{fill(t["today.held"], { count: card.held })}</p> : null}
      {card.locked ? (
        <p className="tb-locked" role="note">
          {t["today.locked"]}
          {card.sheet_url ? (
            <>
              {" "}
              <a href={card.sheet_url}>{t["today.open_sheet"]}</a>
            </>
          ) : null}
        </p>
      ) : absentOpen ? (
        <AbsentForm
          card={card}
          t={t}
          onCancel={() => setAbsentOpen(false)}
          onDone={(reason) => {
            setAbsentOpen(false);
            onTap(card, "absent", reason);
          }}
        />
      ) : (
        <div className="tb-row">
          {action ? (
            <button
              type="button"
              className="tb-main"
              data-action={action}
              aria-disabled={paused ? "true" : undefined}
              aria-label={fill(t[`today.${action}_label`], { name: card.name })}
              onClick={() => (paused ? undefined : onTap(card, action, ""))}
            >
              {t[`today.${action}`]}
            </button>
          ) : null}
          {presence === "out" && !hasDay ? (
            <button type="button" className="tb-quiet" data-action="absent"
                    aria-label={fill(t["today.absent_label"], { name: card.name })}
                    onClick={() => setAbsentOpen(true)}>
              {t["today.absent"]}
            </button>
          ) : null}
        </div>
      )}
    </li>
  );
}

export function TapBoard({
  cards = [],
  day = "",
  timezone = "",
  status = "loading",
  acks = [],
  ackStamp = 0,
  labels = {},
  locale = "en",
  loginUrl = "/portal/login",
  onSync,
  onCorrect,
}) {
  const t = labels;
  const online = useOnline();
  const loop = useContext(EventLoopContext) || [];
  const connected = online && (loop[1] || []).length === 0;
  const [pending, setPending] = useState([]);
  // False until this device's saved taps are read: "every tap is saved" must not show before.
  const [queueRead, setQueueRead] = useState(false);
  const [snapshot, setSnapshot] = useState(null);
  const [paused, setPaused] = useState({});
  const [announce, setAnnounce] = useState("");
  const inFlight = useRef(null); // {keys, since}
  const [tick, setTick] = useState(0);
  const ready = status === "ready";
  const zone = timezone || (snapshot && snapshot.timezone) || "";
  const timeOf = (ms) => clock(ms, locale, zone);
  const linkUp = connected && ready;

  const reload = useCallback(() => readTaps().then((taps) => {
    setPending(taps.sort((a, b) => a.tapped_at - b.tapped_at));
    setQueueRead(true);
  }), []);

  useEffect(() => {
    reload().catch(() => setQueueRead(true)); // no storage on this browser: nothing can be waiting
    readSnapshot().then((s) => setSnapshot(s || null)).catch(() => undefined);
    const timer = setInterval(() => setTick((n) => n + 1), 5000);
    return () => clearInterval(timer);
  }, [reload]);

  // The board the server sent is kept for an offline reload; a finished session deletes it.
  useEffect(() => {
    if (ready) {
      const copy = { day, cards, timezone };
      setSnapshot(copy);
      saveSnapshot(copy).catch(() => undefined);
    } else if (status === "signed_out" || status === "not_provider") {
      setSnapshot(null);
      forgetSnapshot().catch(() => undefined);
    }
  }, [ready, status, day, timezone, cards]);

  // Answers: forget what the server keeps, mark what it refused, then send the rest.
  useEffect(() => {
    if (!ackStamp) return;
    const done = acks.filter((a) => KEPT.has(a.outcome)).map((a) => a.key);
    const refused = new Set(acks.filter((a) => !KEPT.has(a.outcome)).map((a) => a.key));
    (async () => {
      await forgetTaps(done);
      const current = await readTaps();
      for (const tap of current) {
        if (refused.has(tap.key) && !tap.refused) await saveTap({ ...tap, refused: true });
      }
      inFlight.current = null;
      await reload();
    })().catch(() => {
      inFlight.current = null;
    });
  }, [ackStamp]); // eslint-disable-line react-hooks/exhaustive-deps

  const sendable = pending.filter((p) => !p.refused);
  useEffect(() => {
    const flight = inFlight.current;
    if (flight && Date.now() - flight.since > ANSWER_WAIT_MS) inFlight.current = null;
    if (!linkUp || inFlight.current || sendable.length === 0 || !onSync) return;
    const batch = sendable.slice(0, BATCH);
    inFlight.current = { keys: batch.map((b) => b.key), since: Date.now() };
    const sentAt = Date.now();
    onSync(batch.map((b) => ({ key: b.key, child_id: b.child_id, action: b.action, reason: b.reason || "",
                               tapped_at: b.tapped_at, sent_at: sentAt, offline: b.offline })));
  }, [linkUp, pending, tick, onSync]); // eslint-disable-line react-hooks/exhaustive-deps

  const shown = useMemo(() => {
    if (ready) return cards;
    if (status !== "loading" || !snapshot) return [];
    if (snapshot.day === dayIn(snapshot.timezone)) return snapshot.cards || [];
    // A new day since the copy was made: everyone starts out.
    return (snapshot.cards || []).map((c) => ({ ...c, presence: "out", entries: [], held: 0 }));
  }, [ready, status, cards, snapshot]);

  const tap = async (card, action, reason) => {
    const record = { key: newKey(), child_id: card.id, child_name: card.name, action, reason,
                     tapped_at: Date.now(), offline: !connected, refused: false };
    setPaused((p) => ({ ...p, [card.id]: true }));
    setTimeout(() => setPaused((p) => ({ ...p, [card.id]: false })), TAP_PAUSE_MS);
    await saveTap(record);
    await reload();
    const time = clock(record.tapped_at, locale, zone);
    setAnnounce(fill(t[`today.done.${action}`], { name: card.name, time }));
  };

  const remove = async (key) => {
    await forgetTaps([key]);
    await reload();
  };

  const waitingFor = (id) => pending.filter((p) => String(p.child_id) === String(id));
  const orphans = pending.filter((p) => !shown.some((c) => String(c.id) === String(p.child_id)));
  const count = sendable.length;
  let line;
  let state = "online";
  if (status === "signed_out") line = fill(t["today.sync.sign_in"], { count });
  else if (!connected) {
    state = "offline";
    line = count ? fill(t["today.sync.offline_waiting"], { count }) : t["today.sync.offline"];
  } else if (!ready || !queueRead) {
    state = "connecting";
    line = count ? fill(t["today.sync.connecting_waiting"], { count }) : t["today.sync.connecting"];
  } else line = count ? fill(t["today.sync.sending"], { count }) : t["today.sync.all_sent"];

  return (
    <section className="tb" aria-label={t["today.board_label"]}>
      <div className="tb-sync" data-state={state} data-waiting={count} id="sync-status"
           role="status" aria-live="polite">
        {line}
        {status === "signed_out" ? (
          <a className="tb-main tb-signin" href={loginUrl} id="sign-in-to-send">{t["today.sign_in"]}</a>
        ) : null}
      </div>
      <p className="cc-sr-only" aria-live="assertive">{announce}</p>
      {shown.length ? (
        <ul className="tb-cards" id="board">
          {shown.map((card) => (
            <Card key={card.id} card={card} waiting={waitingFor(card.id)} t={t} timeOf={timeOf}
                  canCorrect={linkUp && !card.locked} paused={!!paused[card.id]} onTap={tap}
                  onCorrect={(entryId) => onCorrect && onCorrect(String(entryId))} onRemove={remove} />
          ))}
        </ul>
      ) : null}
      {orphans.length ? (
        <ul className="tb-times tb-orphans" aria-label={t["today.waiting_title"]}>
          {orphans.map((w) => (
            <li key={w.key} className="tb-waiting">
              <span>{w.child_name} · {t[`today.presence.${AFTER[w.action]}`]}{" "}
                <em>{w.refused ? t["today.refused"] : t["today.not_sent"]}</em></span>
              {w.refused ? (
                <button type="button" className="tb-link" onClick={() => remove(w.key)}>{t["today.remove"]}</button>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

export default TapBoard;
