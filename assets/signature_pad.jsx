// CareConnect Sign - touch friendly signature field wrapping `signature_pad` (v5).
// onChange receives ONE plain object:
//   {strokes: [[[x, y, t], ...], ...], width: <css px>, height: <css px>}
// x, y normalised to 0..1 of the canvas CSS size (4 decimals), t = ms since stroke start.
import React, { useEffect, useId, useRef } from "react";
import SignaturePad from "signature_pad";

const r4 = (v) => Math.round(Math.min(1, Math.max(0, v)) * 10000) / 10000;

function toPayload(pad, w, h) {
  const strokes = pad
    .toData()
    .map((g) => {
      const t0 = g.points.length ? g.points[0].time : 0;
      return g.points.map((p) => [
        r4(p.x / w),
        r4(p.y / h),
        Math.max(0, Math.round(p.time - t0)),
      ]);
    })
    .filter((s) => s.length > 0);
  return { strokes, width: Math.round(w), height: Math.round(h) };
}

export function SignaturePadField({
  onChange,
  clearLabel = "Clear",
  ariaLabel = "Signature",
  hint,
  height = 200,
  penColor = "#0b1f44",
  disabled = false,
  id,
  className,
  ref, // React 19 passes ref as a prop (Reflex sets one when `id` is given)
}) {
  const canvasRef = useRef(null);
  const padRef = useRef(null);
  const sizeRef = useRef({ w: 0, h: 0, dpr: 0 });
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;
  // Each mount reports its (empty) canvas once, so the server never keeps a drawing the parent
  // no longer sees (a reload, or back to the review and here again).
  const reportedRef = useRef(false);
  const hintId = useId();

  const emit = () => {
    const pad = padRef.current;
    const { w, h } = sizeRef.current;
    if (pad && w && h && typeof onChangeRef.current === "function") {
      onChangeRef.current(toPayload(pad, w, h));
    }
  };

  useEffect(() => {
    const canvas = canvasRef.current;
    const pad = new SignaturePad(canvas, {
      penColor,
      minWidth: 1,
      maxWidth: 2.8,
      backgroundColor: "rgba(0,0,0,0)",
    });
    padRef.current = pad;

    // Size the backing store for the device pixel ratio, keeping the drawing
    // (scaled to the new CSS size so the normalised payload stays consistent).
    const resize = () => {
      const dpr = Math.max(window.devicePixelRatio || 1, 1);
      const w = canvas.offsetWidth;
      const h = canvas.offsetHeight;
      const prev = sizeRef.current;
      if (!w || !h || (w === prev.w && h === prev.h && dpr === prev.dpr)) return;
      const data = pad.toData();
      canvas.width = Math.round(w * dpr);
      canvas.height = Math.round(h * dpr);
      canvas.getContext("2d").scale(dpr, dpr);
      const sx = prev.w ? w / prev.w : 1;
      const sy = prev.h ? h / prev.h : 1;
      sizeRef.current = { w, h, dpr };
      pad.clear();
      if (!reportedRef.current) {
        reportedRef.current = true;
        emit();
      }
      if (data.length) {
        pad.fromData(
          data.map((g) => ({
            ...g,
            points: g.points.map((p) => ({ ...p, x: p.x * sx, y: p.y * sy })),
          })),
        );
        if (sx !== 1 || sy !== 1) emit();
      }
    };

    let timer = null;
    const debounced = () => {
      clearTimeout(timer);
      timer = setTimeout(resize, 150);
    };
    resize();
    const ro = typeof ResizeObserver !== "undefined" ? new ResizeObserver(debounced) : null;
    if (ro) ro.observe(canvas);
    window.addEventListener("resize", debounced);
    window.addEventListener("orientationchange", debounced);
    pad.addEventListener("endStroke", emit);

    return () => {
      clearTimeout(timer);
      if (ro) ro.disconnect();
      window.removeEventListener("resize", debounced);
      window.removeEventListener("orientationchange", debounced);
      pad.removeEventListener("endStroke", emit);
      pad.off();
      padRef.current = null;
      sizeRef.current = { w: 0, h: 0, dpr: 0 };
    };
  }, []);

  useEffect(() => {
    if (padRef.current) padRef.current.penColor = penColor;
  }, [penColor]);

  useEffect(() => {
    const pad = padRef.current;
    if (!pad) return;
    if (disabled) pad.off();
    else pad.on();
  }, [disabled]);

  const clear = () => {
    if (!padRef.current || disabled) return;
    padRef.current.clear();
    emit();
  };

  return (
    <div ref={ref} id={id} className={className} style={{ width: "100%" }}>
      <div
        style={{
          position: "relative",
          height: `${height}px`, // canvas CSS height == height (border outside)
          background: "#ffffff",
          border: "2px solid #5a6a85",
          borderRadius: "8px",
          boxSizing: "content-box",
          overflow: "hidden",
          opacity: disabled ? 0.55 : 1,
        }}
      >
        <div
          aria-hidden="true"
          style={{
            position: "absolute",
            left: "16px",
            right: "16px",
            top: "72%",
            borderBottom: "1.5px solid #5a6a85",
            pointerEvents: "none",
          }}
        >
          <span
            style={{
              position: "absolute",
              left: "2px",
              bottom: "2px",
              fontSize: "1.375rem",
              lineHeight: 1,
              color: "#5a6a85",
              fontFamily: "sans-serif",
            }}
          >
            ×
          </span>
        </div>
        <canvas
          ref={canvasRef}
          role="img"
          aria-label={ariaLabel}
          aria-describedby={hint ? hintId : undefined}
          aria-disabled={disabled ? "true" : undefined}
          style={{
            position: "absolute",
            inset: 0,
            display: "block",
            width: "100%",
            height: "100%",
            touchAction: "none",
            userSelect: "none",
            WebkitUserSelect: "none",
            WebkitTouchCallout: "none",
            cursor: disabled ? "not-allowed" : "crosshair",
          }}
        />
      </div>
      <div
        style={{
          display: "flex",
          alignItems: "center",
          justifyContent: "space-between",
          flexWrap: "wrap", // at 200% zoom the hint and Clear stack instead of cutting Clear off
          gap: "0.75rem",
          marginTop: "0.5rem",
        }}
      >
        {hint ? (
          <p id={hintId} style={{ margin: 0, fontSize: "0.875rem", color: "var(--gray-11)", flex: "1 1 10rem" }}>
            {hint}
          </p>
        ) : (
          <span style={{ flex: 1 }} />
        )}
        <button
          type="button"
          onClick={clear}
          disabled={disabled}
          style={{
            minHeight: "2.75rem",
            minWidth: "5.5rem",
            padding: "0 1.125rem",
            fontSize: "1rem",
            fontWeight: 600,
            color: "#0b1f44",
            background: "#ffffff",
            border: "2px solid #0b1f44",
            borderRadius: "8px",
            cursor: disabled ? "not-allowed" : "pointer",
          }}
        >
          {clearLabel}
        </button>
      </div>
    </div>
  );
}

export default SignaturePadField;
