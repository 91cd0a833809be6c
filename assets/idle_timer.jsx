// CareConnect Sign - the portal's idle countdown. Renders nothing.
// The server sends `secondsLeft` (before the session ends for lack of activity) and a `stamp` that
// changes whenever it counted activity; the countdown restarts from each new stamp. `onCheck` is
// called when the warning is due (`warnSeconds` before the end), just after the end, and every
// `pollSeconds` (another tab may have kept the session busy, or it may have ended): the server's
// clock decides what to show. Nothing here counts as activity.
import { useEffect, useRef } from "react";

export function IdleTimer({ stamp, secondsLeft = 0, warnSeconds = 300, pollSeconds = 60, onCheck }) {
  const checkRef = useRef(onCheck);
  checkRef.current = onCheck;

  useEffect(() => {
    if (!secondsLeft || secondsLeft <= 0) return undefined;
    const check = () => checkRef.current && checkRef.current();
    const warn = setTimeout(check, Math.max(0, secondsLeft - warnSeconds) * 1000);
    const expire = setTimeout(check, secondsLeft * 1000 + 1000);
    const poll = setInterval(check, Math.max(1, pollSeconds) * 1000);
    return () => {
      clearTimeout(warn);
      clearTimeout(expire);
      clearInterval(poll);
    };
  }, [stamp, secondsLeft, warnSeconds, pollSeconds]);

  return null;
}
