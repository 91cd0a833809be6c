// CareConnect Sign - the portal's idle countdown. Renders nothing.
// The server sends `secondsLeft` (before the session ends for lack of activity) and a `stamp` that
// changes whenever it counted activity; the countdown restarts from each new stamp. `onWarn` fires
// `warnSeconds` before the end and `onExpire` just after it; the server decides what they mean
// (another tab may have kept the session busy).
import { useEffect, useRef } from "react";

export function IdleTimer({ stamp, secondsLeft = 0, warnSeconds = 300, onWarn, onExpire }) {
  const warnRef = useRef(onWarn);
  const expireRef = useRef(onExpire);
  warnRef.current = onWarn;
  expireRef.current = onExpire;

  useEffect(() => {
    if (!secondsLeft || secondsLeft <= 0) return undefined;
    const warnIn = Math.max(0, secondsLeft - warnSeconds) * 1000;
    const warn = setTimeout(() => warnRef.current && warnRef.current(), warnIn);
    const expire = setTimeout(() => expireRef.current && expireRef.current(), secondsLeft * 1000 + 1000);
    return () => {
      clearTimeout(warn);
      clearTimeout(expire);
    };
  }, [stamp, secondsLeft, warnSeconds]);

  return null;
}
